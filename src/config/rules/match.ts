/**
 * Checks and normalises a rule's `match` (docs/design.md#rules-file) into a MatchSpec: field names and
 * operators known, enum values valid, numbers in E.164 form, regexes compiled once, here.
 */
import type { PathSegment, PendingProblem } from './yaml.js';
import type { ConditionArgs, ConditionOperator, ConditionTest, EventFieldKind, MatchClause, MatchSpec, MatchValue } from './types.js';
import { CONDITION_OPERATORS, ENUM_FIELD_VALUES, EVENT_FIELD_KINDS, NUMBER_FIELD, PATH_FIELDS, isEnumField, isPathField } from './types.js';
import { didYouMean, oneOf, unknownName } from '../../lib/suggest.js';
import { compileRegex, NEVER_MATCHES } from './regex.js';

type Report = (path: readonly PathSegment[], message: string, at?: 'key') => void;

interface FieldInfo {
  field: string;
  kind: EventFieldKind;
}

/** The fields a match may name, for suggestions. */
const MATCH_FIELDS = [
  ...Object.keys(EVENT_FIELD_KINDS).filter((f) => f !== 'numbers'),
  NUMBER_FIELD,
  'payload.<path>',
  'order.<path>',
];

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A `match` value → MatchSpec. Absent or null: undefined (matches everything). Problems are
 * appended to `problems`; the result is only meaningful when none were added.
 */
export function parseMatch(raw: unknown, path: readonly PathSegment[], problems: PendingProblem[]): MatchSpec | undefined {
  const report: Report = (at, message, kind) => problems.push({ path: at, message, ...(kind ? { at: kind } : {}) });
  if (raw === undefined || raw === null) return undefined;
  if (isMap(raw)) return [parseClause(raw, path, report)];
  if (!Array.isArray(raw)) {
    report(path, 'must be a map of field: condition, or a list of such maps (any of them)');
    return undefined;
  }
  if (raw.length === 0) report(path, 'is an empty list, which matches nothing: remove `match` to match every event');
  return raw.map((item, i) => {
    if (isMap(item)) return parseClause(item, [...path, i], report);
    report([...path, i], 'must be a map of field: condition');
    return [];
  });
}

function parseClause(map: Record<string, unknown>, path: readonly PathSegment[], report: Report): MatchClause {
  const clause: MatchClause = [];
  for (const [field, raw] of Object.entries(map)) {
    const info = resolveField(field, [...path, field], report);
    if (info) clause.push({ field, tests: parseCondition(raw, info, [...path, field], report) });
  }
  return clause;
}

/**
 * True when `field` may be named in a `match` (and so in a group's `by`); otherwise a problem
 * saying so, with the closest valid name.
 */
export function checkMatchField(field: string, path: readonly PathSegment[], problems: PendingProblem[]): boolean {
  const report: Report = (at, message, kind) => problems.push({ path: at, message, ...(kind ? { at: kind } : {}) });
  return resolveField(field, path, report) !== undefined;
}

function resolveField(field: string, path: readonly PathSegment[], report: Report): FieldInfo | undefined {
  if (field === NUMBER_FIELD) return { field, kind: 'numbers' };
  if (field === 'numbers') {
    report(path, 'unknown field "numbers": use "number" (any start or end of the event\'s ranges)', 'key');
    return undefined;
  }
  if (Object.hasOwn(EVENT_FIELD_KINDS, field)) return { field, kind: EVENT_FIELD_KINDS[field as keyof typeof EVENT_FIELD_KINDS] };
  if (isPathField(field)) return { field, kind: 'text' };
  report(path, unknownName('field', field, MATCH_FIELDS, PATH_FIELDS), 'key');
  return undefined;
}

/** A scalar → an `eq`, a list → an `in`, a map → its operators (all must hold). */
function parseCondition(raw: unknown, info: FieldInfo, path: readonly PathSegment[], report: Report): ConditionTest[] {
  if (Array.isArray(raw)) return [{ op: 'in', arg: parseList(raw, info, path, report) }];
  if (!isMap(raw)) return [{ op: 'eq', arg: parseValue(raw, info, path, report) }];
  const entries = Object.entries(raw);
  if (entries.length === 0) report(path, `needs an operator: ${oneOf(CONDITION_OPERATORS)}`);
  const tests: ConditionTest[] = [];
  for (const [op, arg] of entries) {
    if (!(CONDITION_OPERATORS as readonly string[]).includes(op)) {
      report([...path, op], unknownName('operator', op, CONDITION_OPERATORS), 'key');
      continue;
    }
    const parsed = OPERATOR_PARSERS[op as ConditionOperator](arg, info, [...path, op], report);
    tests.push({ op, arg: parsed } as ConditionTest);
  }
  return tests;
}

type OperatorParser<K extends ConditionOperator> = (
  raw: unknown,
  info: FieldInfo,
  path: readonly PathSegment[],
  report: Report,
) => ConditionArgs[K];

const OPERATOR_PARSERS: { [K in ConditionOperator]: OperatorParser<K> } = {
  eq: (raw, info, path, report) => parseValue(raw, info, path, report),
  not: (raw, info, path, report) => parseValue(raw, info, path, report),
  in: (raw, info, path, report) => parseListArg(raw, info, path, report),
  notIn: (raw, info, path, report) => parseListArg(raw, info, path, report),
  prefix: (raw, info, path, report) => {
    if (typeof raw !== 'string' || raw === '') {
      report(path, 'must be non-empty text');
      return '';
    }
    return info.kind === 'numbers' ? normaliseNumber(raw, path, report, true) : fold(info, raw);
  },
  regex: (raw, info, path, report) => {
    const result = typeof raw === 'string' ? compileRegex(raw, isEnumField(info.field)) : { error: 'must be text' };
    if ('error' in result) report(path, result.error);
    return 'regex' in result ? result.regex : NEVER_MATCHES;
  },
  exists: (raw, _info, path, report) => {
    if (typeof raw !== 'boolean') report(path, 'must be true or false');
    return raw === true;
  },
};

function parseListArg(raw: unknown, info: FieldInfo, path: readonly PathSegment[], report: Report): MatchValue[] {
  if (Array.isArray(raw)) return parseList(raw, info, path, report);
  report(path, 'must be a list of values');
  return [];
}

function parseList(raw: unknown[], info: FieldInfo, path: readonly PathSegment[], report: Report): MatchValue[] {
  if (raw.length === 0) report(path, 'is an empty list, which matches nothing');
  return raw.map((item, i) => parseValue(item, info, [...path, i], report));
}

/** One comparison value, checked and normalised for the field's kind. */
function parseValue(raw: unknown, info: FieldInfo, path: readonly PathSegment[], report: Report): MatchValue {
  if (raw === null) return null;
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    report(path, 'must be a single value (text, number, true/false or null)');
    return null;
  }
  const text = String(raw);
  return VALUE_CHECKS[info.kind](text, info, path, report);
}

const VALUE_CHECKS: Record<EventFieldKind, (text: string, info: FieldInfo, path: readonly PathSegment[], report: Report) => string> = {
  text: (text) => text,
  object: (text) => text,
  boolean: (text, _info, path, report) => {
    if (text !== 'true' && text !== 'false') report(path, 'must be true or false');
    return text;
  },
  numbers: (text, _info, path, report) => normaliseNumber(text, path, report, false),
  enum: (text, info, path, report) => {
    const allowed = ENUM_FIELD_VALUES[info.field as keyof typeof ENUM_FIELD_VALUES];
    const value = text.toLowerCase();
    if (!allowed.includes(value)) {
      report(path, `"${text}" is not a valid ${info.field}${didYouMean(value, allowed)}; expected ${oneOf(allowed)}`);
    }
    return value;
  },
};

/** Enum fields compare case-insensitively: their values are kept in lower case. */
function fold(info: FieldInfo, text: string): string {
  return isEnumField(info.field) ? text.toLowerCase() : text;
}

/**
 * "+44 800 123-456", "0044800123456" and "44800123456" all become "+44800123456", the form
 * the event's numbers are in. A prefix may be as short as "+".
 */
function normaliseNumber(text: string, path: readonly PathSegment[], report: Report, isPrefix: boolean): string {
  const compact = text.replace(/[\s().-]/g, '');
  const e164 = compact.startsWith('+') ? compact : compact.startsWith('00') ? `+${compact.slice(2)}` : `+${compact}`;
  const valid = isPrefix ? /^\+\d{0,15}$/ : /^\+\d{1,15}$/;
  if (!valid.test(e164)) report(path, `"${text}" is not an E.164 number${isPrefix ? ' prefix' : ''} (like "+44800123456")`);
  return e164;
}
