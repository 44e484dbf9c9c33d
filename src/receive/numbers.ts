/**
 * Numbers in a callback or order body, wherever they sit: E.164 pairs
 * (`startFullNumber`/`endFullNumber`), single numbers, or Colt's split format.
 */
import { countryOfE164, splitToE164, toColtCountry, toE164 } from '../colt/numbers.js';
import type { NumberRange } from './event.js';

/** Walks at most this deep and this many nodes: bodies are untrusted. */
const MAX_DEPTH = 12;
const MAX_NODES = 5000;
const MAX_RANGES = 1000;

type Obj = Record<string, unknown>;

const own = (o: Obj, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

function str(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return null;
}

function rangeOf(o: Obj, inherited: { country: unknown; numberType: unknown }): NumberRange | null {
  const start = toE164(own(o, 'startFullNumber') ?? own(o, 'fullNumberStart') ?? own(o, 'rangeStartFullNumber'));
  if (start) {
    const end = toE164(own(o, 'endFullNumber') ?? own(o, 'fullNumberEnd') ?? own(o, 'rangeEndFullNumber')) ?? start;
    return { start, end, country: countryOfE164(start) };
  }
  const single = toE164(own(o, 'fullNumber') ?? own(o, 'e164') ?? own(o, 'telephoneNumber'));
  if (single) return { start: single, end: single, country: countryOfE164(single) };
  const areaCode = str(own(o, 'areaCode'));
  const rangeStart = str(own(o, 'rangeStart'));
  const country = toColtCountry(own(o, 'country') ?? own(o, 'countryCode') ?? inherited.country);
  if (areaCode && rangeStart && country) {
    const numberType = str(own(o, 'numberType') ?? inherited.numberType) ?? undefined;
    return splitToE164({
      country,
      areaCode,
      areaCodeExtn: str(own(o, 'areaCodeExtn')) ?? undefined,
      rangeStart,
      rangeEnd: str(own(o, 'rangeEnd')) ?? undefined,
      numberType,
    });
  }
  return null;
}

/** Every number range found in `root`, de-duplicated, in document order. */
export function extractNumbers(root: unknown): NumberRange[] {
  const found = new Map<string, NumberRange>();
  const stack: { value: unknown; depth: number; country: unknown; numberType: unknown }[] = [
    { value: root, depth: 0, country: undefined, numberType: undefined },
  ];
  let visited = 0;
  while (stack.length > 0 && visited < MAX_NODES && found.size < MAX_RANGES) {
    const { value, depth, country, numberType } = stack.pop()!;
    visited++;
    if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) continue;
    const children = Array.isArray(value) ? value : Object.values(value);
    let inherited = { country, numberType };
    if (!Array.isArray(value)) {
      const o = value as Obj;
      inherited = { country: own(o, 'country') ?? own(o, 'countryCode') ?? country, numberType: own(o, 'numberType') ?? numberType };
      const range = rangeOf(o, inherited);
      if (range) found.set(`${range.start}-${range.end}`, range);
    }
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ value: children[i], depth: depth + 1, ...inherited });
    }
  }
  return [...found.values()];
}
