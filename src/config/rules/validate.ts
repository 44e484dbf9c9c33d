/**
 * A parsed rules document → RulesConfig, collecting every problem rather than stopping at
 * the first: shapes (zod), channel types, templates, matches, names and references.
 */
import { CHANNEL_TYPES, type ChannelConfig, type ChannelType } from '../channel-config.js';
import { templateFields } from '../template-fields.js';
import { CHANNEL_SCHEMAS, parseWith, ruleSchema } from './schema.js';
import { parseMatch } from './match.js';
import { checkGroupHasEffect, checkQuietHoursType, parseGroup } from './notify.js';
import { didYouMean, oneOf, unknownName } from '../../lib/suggest.js';
import type { PathSegment, PendingProblem } from './yaml.js';
import type { Rule, RulesConfig } from './types.js';
import { EVENT_FIELD_KINDS, PATH_FIELDS, isPathField } from './types.js';

export interface Validation {
  /** Present only when there are no problems. */
  rules?: RulesConfig;
  problems: PendingProblem[];
}

const TOP_LEVEL_KEYS = ['channels', 'rules'];
/** Channel names end up in delivery rows and logs: keep them identifier-like. */
const CHANNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const TEMPLATE_KEYS = ['subject', 'text'] as const;
const TEMPLATE_FIELDS = [...Object.keys(EVENT_FIELD_KINDS), 'payload.<path>', 'order.<path>'];

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates a whole document; `x-…` top-level keys are ignored (a home for YAML anchors).
 * @param source names the document in file-level messages.
 */
export function validateRules(document: unknown, source = 'the rules file'): Validation {
  const problems: PendingProblem[] = [];
  if (!isMap(document)) {
    const what = document === null || document === undefined ? 'is empty' : 'is not a map';
    problems.push({ path: [], message: `${source} ${what}: expected \`channels\` and \`rules\`` });
    return { problems };
  }
  for (const key of Object.keys(document)) {
    if (!TOP_LEVEL_KEYS.includes(key) && !key.startsWith('x-')) {
      problems.push({ path: [key], at: 'key', message: `unknown top-level key "${key}"${didYouMean(key, TOP_LEVEL_KEYS)}` });
    }
  }
  const channels = validateChannels(document.channels, problems);
  const rules = validateRuleList(document.rules, channelTypes(document.channels), problems);
  return problems.length === 0 ? { rules: { channels, rules }, problems } : { problems };
}

function validateChannels(raw: unknown, problems: PendingProblem[]): Record<string, ChannelConfig> {
  const channels: Record<string, ChannelConfig> = {};
  if (!isMap(raw)) {
    problems.push({ path: ['channels'], message: raw === undefined ? 'is required' : 'must be a map of channel name: settings' });
    return channels;
  }
  for (const [name, settings] of Object.entries(raw)) {
    const path = ['channels', name];
    if (!CHANNEL_NAME.test(name)) {
      problems.push({ path, at: 'key', message: `channel name "${name}" must be letters, digits, "-", "_" or "." (at most 64)` });
    }
    const config = validateChannel(settings, path, problems);
    if (config) channels[name] = config;
  }
  return channels;
}

function validateChannel(raw: unknown, path: PathSegment[], problems: PendingProblem[]): ChannelConfig | undefined {
  if (!isMap(raw)) {
    problems.push({ path, message: `must be a map with a \`type\` (${oneOf(CHANNEL_TYPES)})` });
    return undefined;
  }
  const type = raw.type;
  if (typeof type !== 'string' || !(CHANNEL_TYPES as readonly string[]).includes(type)) {
    const message =
      typeof type === 'string' ? unknownName('channel type', type, CHANNEL_TYPES) : `is required: ${oneOf(CHANNEL_TYPES)}`;
    problems.push({ path: [...path, 'type'], message });
    return undefined;
  }
  checkTemplates(raw, path, problems);
  const settings = checkQuietHoursType(raw, type as ChannelType, path, problems);
  return parseWith(CHANNEL_SCHEMAS[type as ChannelType], settings, path, problems);
}

/** Each declared channel's type as written (undefined when it is not a known type), for rule checks. */
function channelTypes(raw: unknown): Record<string, ChannelType | undefined> {
  if (!isMap(raw)) return {};
  return Object.fromEntries(
    Object.entries(raw).map(([name, settings]) => {
      const type = isMap(settings) ? settings.type : undefined;
      return [name, (CHANNEL_TYPES as readonly unknown[]).includes(type) ? (type as ChannelType) : undefined];
    }),
  );
}

/** Placeholders must name docs/design.md#normalised-event fields (or payload./order. paths): a typo would render blank. */
function checkTemplates(raw: Record<string, unknown>, path: PathSegment[], problems: PendingProblem[]): void {
  for (const key of TEMPLATE_KEYS) {
    const template = raw[key];
    if (typeof template !== 'string') continue;
    const fields = templateFields(template);
    for (const field of fields) {
      if (!Object.hasOwn(EVENT_FIELD_KINDS, field) && !isPathField(field)) {
        problems.push({ path: [...path, key], message: `unknown placeholder "{{${field}}}"${didYouMean(field, TEMPLATE_FIELDS, PATH_FIELDS)}` });
      }
    }
    if ((template.match(/\{\{/g) ?? []).length > fields.length) {
      problems.push({ path: [...path, key], message: 'malformed placeholder: write {{field}} with a field name like {{orderId}}' });
    }
  }
}

function validateRuleList(raw: unknown, channels: Record<string, ChannelType | undefined>, problems: PendingProblem[]): Rule[] {
  if (!Array.isArray(raw)) {
    problems.push({ path: ['rules'], message: raw === undefined ? 'is required' : 'must be a list of rules' });
    return [];
  }
  const seen = new Set<string>();
  const rules: Rule[] = [];
  raw.forEach((item, i) => {
    const rule = validateRule(item, ['rules', i], channels, problems);
    const name = isMap(item) && typeof item.name === 'string' ? item.name.trim() : undefined;
    if (name && seen.has(name)) problems.push({ path: ['rules', i, 'name'], message: `duplicate rule name "${name}"` });
    if (name) seen.add(name);
    if (rule) rules.push(rule);
  });
  return rules;
}

function validateRule(
  raw: unknown,
  path: PathSegment[],
  channels: Record<string, ChannelType | undefined>,
  problems: PendingProblem[],
): Rule | undefined {
  if (!isMap(raw)) {
    problems.push({ path, message: 'must be a map with `name` and `notify` (and optionally `match`, `stop`, `stale`, `group`)' });
    return undefined;
  }
  const before = problems.length;
  const shape = parseWith(ruleSchema, raw, path, problems);
  const match = parseMatch(raw.match, [...path, 'match'], problems);
  checkReferences(raw.notify, [...path, 'notify'], Object.keys(channels), problems);
  const group = raw.group === undefined ? undefined : parseGroup(raw.group, [...path, 'group'], problems);
  if (group && shape) checkGroupHasEffect(shape.notify, channels, [...path, 'group'], problems);
  if (raw.stale !== true && mentionsStale(raw.match)) {
    problems.push({
      path: [...path, 'match'],
      message: 'matching on `stale` needs `stale: true` on the rule: stale events skip rules without it',
    });
  }
  if (!shape || problems.length > before) return undefined;
  const rule: Rule = { name: shape.name, notify: [...new Set(shape.notify)], stop: shape.stop };
  if (match) rule.match = match;
  if (shape.stale !== undefined) rule.stale = shape.stale;
  if (group) rule.group = group;
  return rule;
}

function checkReferences(raw: unknown, path: PathSegment[], channelNames: string[], problems: PendingProblem[]): void {
  const entries: [unknown, PathSegment[]][] = Array.isArray(raw) ? raw.map((n, i) => [n, [...path, i]]) : [[raw, path]];
  for (const [name, at] of entries) {
    if (typeof name === 'string' && name.trim() !== '' && !channelNames.includes(name.trim())) {
      problems.push({ path: at, message: `unknown channel "${name}"${didYouMean(name, channelNames)}; define it under \`channels\`` });
    }
  }
}

function mentionsStale(match: unknown): boolean {
  const maps = Array.isArray(match) ? match : [match];
  return maps.some((m) => isMap(m) && Object.hasOwn(m, 'stale'));
}
