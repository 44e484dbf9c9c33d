/**
 * Rules → deliveries (docs/design.md#rules-file). Pure: given the loaded rules and an event, says which
 * rules fire and which channels get one delivery each.
 */
import { HUMAN_CHANNEL_TYPES } from '../config/channel-config.js';
import type { ChannelType } from '../config/channel-config.js';
import type { NormalisedEvent } from '../event/event.js';
import type { Rule, RulesConfig } from '../config/rules/types.js';
import { isEnumField } from '../config/rules/types.js';
import { compileMatch, fieldReader } from './matcher.js';
import type { EventPredicate, ValuesOf } from './matcher.js';

/** One channel to notify, once, with every rule that named it (file order). */
export interface RouteDelivery {
  channel: string;
  channelType: ChannelType;
  rules: string[];
  /** Set when the delivery waits in a group (docs/design.md#grouping): the first rule naming the channel groups it. */
  group?: RouteGroup;
}

/** Which group a delivery joins: its rule's `group` and the event's values of `by`. */
export interface RouteGroup {
  rule: string;
  /** Canonical JSON of `values` (the group's identity within channel and rule). */
  key: string;
  values: Record<string, string | null>;
  waitMs: number;
  intervalMs: number;
}

/** Which rules fired and which channels get a delivery for one event. */
export interface RouteResult {
  /** The rules that fired, in file order, with the channels each named. */
  matched: { rule: string; channels: string[] }[];
  /** One per channel, in the order channels were first named. */
  deliveries: RouteDelivery[];
  /** The matching rule with `stop: true` that ended the walk. */
  stoppedBy?: string;
  /** The event is stale, so rules without `stale: true` were not considered. */
  skippedStale: boolean;
}

interface CompiledRule {
  rule: Rule;
  matches: EventPredicate;
  /** The event's group (docs/design.md#grouping) under this rule; absent when the rule does not group. */
  groupOf?: (event: NormalisedEvent) => RouteGroup;
}

/** Routes events with rules compiled once; reuse it for every event of one rules load. */
export type Router = (event: NormalisedEvent) => RouteResult;

/**
 * Compiles every rule's match into a predicate, once. Routing an event then only runs
 * the predicates.
 */
export function createRouter(config: RulesConfig): Router {
  const compiled: CompiledRule[] = config.rules.map((rule) => ({
    rule,
    matches: compileMatch(rule.match),
    ...(rule.group ? { groupOf: compileGroup(rule) } : {}),
  }));
  return (event) => route(config, compiled, event);
}

const routers = new WeakMap<RulesConfig, Router>();

/**
 * Routes one event. The compiled form of `rules` is cached per RulesConfig object, so
 * calling this for every event does not re-compile the rules.
 */
export function routeEvent(rules: RulesConfig, event: NormalisedEvent): RouteResult {
  let router = routers.get(rules);
  if (!router) {
    router = createRouter(rules);
    routers.set(rules, router);
  }
  return router(event);
}

function route(config: RulesConfig, compiled: CompiledRule[], event: NormalisedEvent): RouteResult {
  const result: RouteResult = { matched: [], deliveries: [], skippedStale: false };
  const byChannel = new Map<string, RouteDelivery>();
  for (const { rule, matches, groupOf } of compiled) {
    if (event.stale && rule.stale !== true) {
      result.skippedStale = true;
      continue;
    }
    if (!matches(event)) continue;
    result.matched.push({ rule: rule.name, channels: [...rule.notify] });
    for (const channel of rule.notify) addDelivery(config, byChannel, channel, rule.name, groupOf && (() => groupOf(event)));
    if (rule.stop) {
      result.stoppedBy = rule.name;
      break;
    }
  }
  result.deliveries = [...byChannel.values()];
  return result;
}

/**
 * The first matching rule (file order) that names a channel decides whether its delivery is
 * grouped; only channels a person reads group (docs/design.md#grouping).
 */
function addDelivery(
  config: RulesConfig,
  byChannel: Map<string, RouteDelivery>,
  channel: string,
  rule: string,
  groupOf?: () => RouteGroup,
): void {
  const existing = byChannel.get(channel);
  if (existing) {
    if (!existing.rules.includes(rule)) existing.rules.push(rule);
    return;
  }
  const settings = config.channels[channel];
  // Loaded rules only name defined channels; a hand-built config that does not is a bug.
  if (!settings) throw new Error(`rule "${rule}" names undefined channel "${channel}"`);
  const delivery: RouteDelivery = { channel, channelType: settings.type, rules: [rule] };
  if (groupOf && HUMAN_CHANNEL_TYPES.includes(settings.type)) delivery.group = groupOf();
  byChannel.set(channel, delivery);
}

/**
 * A rule's `group` → the event's group: the values of `by` read as the matcher reads them
 * (text; enum fields in lower case; several values, as of `number`, joined by ","; none: null).
 * The key is the values as JSON with sorted field names, so it is the same in every process.
 */
function compileGroup(rule: Rule): (event: NormalisedEvent) => RouteGroup {
  const group = rule.group!;
  const readers: [string, ValuesOf][] = [...group.by].sort().map((field) => [field, fieldReader(field)]);
  return (event) => {
    const values: Record<string, string | null> = {};
    for (const [field, read] of readers) {
      const found = read(event).map((v) => (isEnumField(field) ? v.toLowerCase() : v));
      values[field] = found.length === 0 ? null : found.join(',');
    }
    return { rule: rule.name, key: JSON.stringify(values), values, waitMs: group.waitMs, intervalMs: group.intervalMs };
  };
}
