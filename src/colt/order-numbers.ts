/**
 * Number ranges anywhere in an order body: E.164 pairs (`startFullNumber`/`endFullNumber`),
 * Colt's split format (`areaCode`/`areaCodeExtn`/`rangeStart`/`rangeEnd` + country),
 * single numbers, and arrays of number strings.
 */
import type { NumberRange } from '../event/event.js';
import type { JsonNode } from '../lib/json-walk.js';
import { scalarString } from '../lib/json-walk.js';
import { countryOfE164, splitToE164, toColtCountry, toE164 } from './numbers.js';

const START_KEYS = ['startfullnumber', 'fullnumberstart', 'rangestartfullnumber', 'startnumber'];
const END_KEYS = ['endfullnumber', 'fullnumberend', 'rangeendfullnumber', 'endnumber'];
const SINGLE_KEYS = ['fullnumber', 'e164', 'e164number', 'telephonenumber', 'phonenumber', 'number', 'msisdn'];
const LIST_KEYS = new Set(['numbers', 'fullnumbers', 'telephonenumbers', 'phonenumbers', 'e164numbers']);
const MAX_RANGES = 1000;

/**
 * E.164 when the value plausibly is a full international number: written with `+`/`00`,
 * or starting with the calling code of a Colt country. A national "0382…" or a count is not.
 */
export function plausibleE164(value: unknown): string | null {
  const text = scalarString(value);
  if (text === null) return null;
  const e164 = toE164(text);
  if (e164 === null) return null;
  return /^(\+|00)/.test(text) || countryOfE164(e164) !== null ? e164 : null;
}

function first(node: JsonNode, keys: string[]): unknown {
  for (const key of keys) {
    const value = node.fields.get(key);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

function range(start: string, end: string | null, country: string | null): NumberRange {
  return { start, end: end ?? start, country: country ?? countryOfE164(start) };
}

function splitRange(node: JsonNode): NumberRange | null {
  const areaCode = scalarString(node.fields.get('areacode'));
  const rangeStart = scalarString(node.fields.get('rangestart'));
  const country = toColtCountry(node.country);
  if (areaCode === null || rangeStart === null || country === null) return null;
  const split = splitToE164({
    country,
    areaCode,
    areaCodeExtn: scalarString(node.fields.get('areacodeextn') ?? node.fields.get('areacodeextension')) ?? undefined,
    rangeStart,
    rangeEnd: scalarString(node.fields.get('rangeend')) ?? undefined,
    numberType: scalarString(node.numberType) ?? undefined,
  });
  return toE164(split.start) ? split : null;
}

/** The range one object describes, by the most explicit form it carries. */
function rangeOfNode(node: JsonNode): NumberRange | null {
  const start = plausibleE164(first(node, START_KEYS));
  if (start) return range(start, plausibleE164(first(node, END_KEYS)), null);
  // Some bodies put full numbers straight into rangeStart/rangeEnd.
  const rawStart = scalarString(node.fields.get('rangestart'));
  if (rawStart?.startsWith('+') && !node.fields.has('areacode')) {
    const fullStart = plausibleE164(rawStart);
    if (fullStart) return range(fullStart, plausibleE164(node.fields.get('rangeend')), null);
  }
  const split = splitRange(node);
  if (split) return split;
  for (const key of SINGLE_KEYS) {
    const single = plausibleE164(node.fields.get(key));
    if (single) return range(single, null, null);
  }
  return null;
}

/** Every number range in the walked nodes, de-duplicated, nearest the root first. */
export function extractNumberRanges(nodes: JsonNode[]): NumberRange[] {
  const found = new Map<string, NumberRange>();
  const add = (r: NumberRange) => {
    if (found.size < MAX_RANGES) found.set(`${r.start}|${r.end}`, r);
  };
  for (const node of nodes) {
    const r = rangeOfNode(node);
    if (r) add(r);
    for (const [key, value] of node.fields) {
      if (!LIST_KEYS.has(key) || !Array.isArray(value)) continue;
      for (const item of value) {
        const single = plausibleE164(item);
        if (single) add(range(single, null, null));
      }
    }
  }
  return [...found.values()];
}

/** True when an object describes a number rather than the order (its status is the number's). */
export function describesNumber(node: JsonNode): boolean {
  return rangeOfNode(node) !== null || node.fields.has('rangestart');
}
