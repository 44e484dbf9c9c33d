/**
 * The loaded rules file (docs/design.md#rules-file) as the router sees it: channels by name and
 * rules in file order, with every `match` already normalised and its regexes compiled.
 */
import type { RuleRegex } from './regex.js';
import type { ChannelConfig } from '../channel-config.js';
import type { NormalisedEvent } from '../../event/event.js';
import { EVENT_SOURCES, EVENT_STATUSES, NUMBER_TYPES, ORDER_TYPES } from '../../event/event.js';

/** One thing wrong with a rules file. `line`/`column` are 1-based and absent only when unknown. */
export interface RuleProblem {
  line?: number;
  column?: number;
  /** Where in the document: `channels.oss.secret`, `rules[2].match.status`; empty for the file itself. */
  path: string;
  message: string;
}

/** Every operator a condition map may use (`{ regex: … }`, `{ notIn: [...] }`, …). */
export const CONDITION_OPERATORS = ['eq', 'in', 'not', 'notIn', 'regex', 'prefix', 'exists'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/**
 * A value a condition compares with. Everything compares as text, so `customerRef: 00123`
 * and `payload.priority: 5` mean what they look like; `null` means "absent or null".
 */
export type MatchValue = string | null;

/** The argument each operator takes once loaded. */
export interface ConditionArgs {
  eq: MatchValue;
  in: MatchValue[];
  not: MatchValue;
  notIn: MatchValue[];
  regex: RuleRegex;
  prefix: string;
  exists: boolean;
}

/** One operator with its argument, e.g. `{ op: 'prefix', arg: '+44800' }`. */
export type ConditionTest = { [K in ConditionOperator]: { op: K; arg: ConditionArgs[K] } }[ConditionOperator];

/** The tests on one field; all must hold. */
export interface FieldCondition {
  /** A docs/design.md#normalised-event field, `number`, or a dotted `payload.<path>` / `order.<path>`. */
  field: string;
  tests: ConditionTest[];
}

/** One map of a `match`: every field condition must hold. */
export type MatchClause = FieldCondition[];

/** A `match` as loaded: a single map becomes one clause; a list of maps means any of them. */
export type MatchSpec = MatchClause[];

/** One entry of `rules:`, in file order. */
export interface Rule {
  /** Unique within the file; shown in `rules test` and recorded with deliveries. */
  name: string;
  /** Absent: the rule matches every (non-stale) event. */
  match?: MatchSpec;
  /** Channel names, each defined under `channels`; no duplicates. */
  notify: string[];
  /**
   * A matching rule with `stop: true` ends the walk: later rules are not considered.
   * @default false
   */
  stop: boolean;
  /**
   * Stale events (late or out-of-order callbacks) reach only rules that set `stale: true`.
   * Such a rule sees fresh and stale events; add `match: { stale: true }` for stale ones only.
   * @default false
   */
  stale?: boolean;
  /** Group this rule's Slack/email notifications (docs/design.md#grouping); webhook and log stay one per event. */
  group?: GroupConfig;
}

/**
 * `group: { by, wait, interval }` (docs/design.md#grouping). The first event of a new group (same values of
 * `by`) waits `wait` for others; then each Slack/email channel gets one message listing
 * them; events joining within `interval` of that send go out together at its end.
 */
export interface GroupConfig {
  /** Event fields (docs/design.md#normalised-event names or `payload.`/`order.` paths); empty: one group per rule and channel. */
  by: string[];
  /** @default 30s */
  waitMs: number;
  /** @default 5m */
  intervalMs: number;
}

/** A valid rules file: channels by name (file order) and rules (file order). */
export interface RulesConfig {
  channels: Record<string, ChannelConfig>;
  rules: Rule[];
}

/**
 * Valid rules (with the `${VAR}` references whose variable is set but empty, for a warning),
 * or every problem found.
 */
export type RulesResult = { ok: true; rules: RulesConfig; emptyVariables?: RuleProblem[] } | { ok: false; problems: RuleProblem[] };

/** How a docs/design.md#normalised-event field is compared and validated in a `match`. */
export type EventFieldKind = 'text' | 'enum' | 'boolean' | 'numbers' | 'object';

/** Every docs/design.md#normalised-event field by kind; keyed by the event type so a new field must be classified here. */
export const EVENT_FIELD_KINDS: Record<keyof NormalisedEvent, EventFieldKind> = {
  eventId: 'text',
  type: 'text',
  source: 'enum',
  orderId: 'text',
  status: 'enum',
  rawStatus: 'text',
  orderType: 'enum',
  occurredAt: 'text',
  receivedAt: 'text',
  numbers: 'numbers',
  numberType: 'enum',
  customerRef: 'text',
  stale: 'boolean',
  order: 'object',
  detailsMissing: 'text',
  failure: 'object',
  payload: 'object',
};

/**
 * The parts of `failure` a `match`, a group's `by` or a template may name
 * (`failure.code: E-4021`, `{{failure.reason}}`); each compares as text.
 */
export const FAILURE_FIELDS = ['failure.code', 'failure.reason', 'failure.message', 'failure.source'] as const;

/** True for `failure.code`, `failure.reason`, `failure.message` and `failure.source`. */
export function isFailureField(field: string): boolean {
  return (FAILURE_FIELDS as readonly string[]).includes(field);
}

/** The enum fields: their values are checked at load and compared case-insensitively. */
export const ENUM_FIELD_VALUES: Record<'status' | 'orderType' | 'numberType' | 'source', readonly string[]> = {
  status: EVENT_STATUSES,
  source: EVENT_SOURCES,
  orderType: ORDER_TYPES,
  numberType: NUMBER_TYPES,
};

/** True for `status`, `orderType` and `numberType`. */
export function isEnumField(field: string): field is keyof typeof ENUM_FIELD_VALUES {
  return Object.hasOwn(ENUM_FIELD_VALUES, field);
}

/** `number` in a match stands for any start or end of the event's number ranges. */
export const NUMBER_FIELD = 'number';

/** Dotted paths under these fields reach into the raw callback and the fetched order. */
export const PATH_FIELDS = ['payload', 'order'] as const;

/** True for `payload.<path>` and `order.<path>` with non-empty segments. */
export function isPathField(field: string): boolean {
  const [root, ...rest] = field.split('.');
  return (PATH_FIELDS as readonly string[]).includes(root!) && rest.length > 0 && rest.every((s) => s.length > 0);
}
