/**
 * A loaded `match` → a predicate over events, built once per rules load. Pure: no I/O, no
 * eval; regexes arrive already compiled.
 */
import type { NormalisedEvent } from '../event/event.js';
import type { ConditionArgs, ConditionOperator, FieldCondition, MatchSpec, MatchValue } from '../config/rules/types.js';
import { NUMBER_FIELD, isEnumField } from '../config/rules/types.js';

/** True when the event satisfies a rule's `match`. */
export type EventPredicate = (event: NormalisedEvent) => boolean;

/** A field's values as text: none when absent or null, several for `number` and lists. */
export type ValuesOf = (event: NormalisedEvent) => string[];

/** Tests one field's values. */
type ValuesPredicate = (values: string[]) => boolean;

/** Any clause holds (a list of maps), and within a clause every field condition holds. */
export function compileMatch(spec: MatchSpec | undefined): EventPredicate {
  if (!spec) return () => true;
  const clauses = spec.map((clause) => clause.map(compileFieldCondition));
  return (event) => clauses.some((conditions) => conditions.every((holds) => holds(event)));
}

function compileFieldCondition(condition: FieldCondition): EventPredicate {
  const valuesOf = fieldReader(condition.field);
  const fold = isEnumField(condition.field) ? (s: string) => s.toLowerCase() : (s: string) => s;
  const tests = condition.tests.map((test) => compileTest(test.op, test.arg, fold));
  return (event) => {
    const values = valuesOf(event).map(fold);
    return tests.every((holds) => holds(values));
  };
}

function compileTest<K extends ConditionOperator>(op: K, arg: ConditionArgs[K], fold: (s: string) => string): ValuesPredicate {
  return (OPERATORS[op] as OperatorFactory<K>)(arg, fold);
}

type OperatorFactory<K extends ConditionOperator> = (arg: ConditionArgs[K], fold: (s: string) => string) => ValuesPredicate;

/** `eq: null` means "absent or null", so it holds exactly when the field has no value. */
function equals(expected: MatchValue, fold: (s: string) => string): ValuesPredicate {
  if (expected === null) return (values) => values.length === 0;
  const wanted = fold(expected);
  return (values) => values.includes(wanted);
}

function anyOf(expected: MatchValue[], fold: (s: string) => string): ValuesPredicate {
  const predicates = expected.map((value) => equals(value, fold));
  return (values) => predicates.some((holds) => holds(values));
}

/**
 * Positive operators hold when any value satisfies them (for `number`: any start or end of
 * the event's ranges). `not`/`notIn` are their exact negations: no value is the one named.
 */
const OPERATORS: { [K in ConditionOperator]: OperatorFactory<K> } = {
  eq: equals,
  in: anyOf,
  not: (arg, fold) => {
    const holds = equals(arg, fold);
    return (values) => !holds(values);
  },
  notIn: (arg, fold) => {
    const holds = anyOf(arg, fold);
    return (values) => !holds(values);
  },
  regex: (regex) => (values) => values.some((value) => regex.test(value)),
  prefix: (prefix, fold) => {
    const wanted = fold(prefix);
    return (values) => values.some((value) => value.startsWith(wanted));
  },
  exists: (expected) => (values) => values.length > 0 === expected,
};

/**
 * Reads a field as the matcher compares it: `number`, a docs/design.md#normalised-event field, or a dotted path into
 * `payload` / `order`; every value as text (none when absent or null, several for lists).
 */
export function fieldReader(field: string): ValuesOf {
  if (field === NUMBER_FIELD) return (event) => event.numbers.flatMap((range) => [range.start, range.end]);
  const path = field.split('.');
  return (event) => asValues(walk(event, path));
}

function walk(root: unknown, path: string[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Lists count element by element; objects compare as JSON; null and absent have no value. */
function asValues(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item) => asValues(item));
  if (typeof value === 'object') return [JSON.stringify(value)];
  return [String(value)];
}
