/**
 * zod schemas for the parts of a rules file that are plain shapes: each channel type and the
 * skeleton of a rule. `match`, templates and cross-references are checked in rules-validate.ts.
 * Messages never echo values from the file: they may hold secrets.
 */
import { z } from 'zod';
import type { ChannelConfig, ChannelType } from '../channel-config.js';
import type { PathSegment, PendingProblem } from './yaml.js';
import { didYouMean } from '../../lib/suggest.js';
import { quietHoursSchema, rateLimitSchema } from './notify.js';

/** `whsec_` and the padded base64 of the signing key (Standard Webhooks). */
const WEBHOOK_SECRET = /^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/;

const asList = (value: unknown): unknown => (typeof value === 'string' ? [value] : value);

const emailAddress = z.email({ error: 'is not a valid email address' });
const addressList = z.preprocess(asList, z.array(emailAddress).min(1, { error: 'must list at least one address' }));
/** `noc@example.com` or `NOC <noc@example.com>`. */
const mailbox = z
  .string()
  .refine((value) => emailAddress.safeParse(/<([^<>]+)>\s*$/.exec(value)?.[1] ?? value.trim()).success, {
    error: 'is not a valid email address',
  });

const template = {
  subject: z.string().optional(),
  text: z.string().optional(),
};

/** Every channel type may be paced (docs/design.md#rate-limits). */
const pacing = { rateLimit: rateLimitSchema.optional() };
/** Channels a person reads also keep quiet hours. */
const human = { ...pacing, quietHours: quietHoursSchema.optional() };

const slackSchema = z.strictObject({
  type: z.literal('slack'),
  channel: z.string().trim().min(1, { error: 'must name a Slack channel (C… id or #name)' }),
  ...template,
  ...human,
});

const emailSchema = z.strictObject({
  type: z.literal('email'),
  to: addressList,
  cc: addressList.optional(),
  from: mailbox.optional(),
  ...template,
  ...human,
});

const webhookSchema = z.strictObject({
  type: z.literal('webhook'),
  url: z.url({ protocol: /^https?$/, error: (iss) => (iss.input === undefined ? 'is required' : 'must be an absolute http(s) URL') }),
  secret: z.string().regex(WEBHOOK_SECRET, { error: 'must be "whsec_" followed by base64 (Standard Webhooks)' }),
  timeoutMs: z.int({ error: 'must be a whole number of milliseconds' }).min(100).max(120_000).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  ...pacing,
});

const logSchema = z.strictObject({ type: z.literal('log'), ...template, ...pacing });

const coltTicketSchema = z.strictObject({
  type: z.literal('colt-ticket'),
  severity: z.string().trim().min(1, { error: 'must name the TMF621 severity (e.g. Major)' }),
  ticketType: z.string().trim().min(1, { error: 'must name the TMF621 ticketType' }),
  ...pacing,
});

/** One schema per channel type: a new type in CHANNEL_TYPES does not compile until it has one. */
export const CHANNEL_SCHEMAS: Record<ChannelType, z.ZodType<ChannelConfig>> = {
  slack: slackSchema,
  email: emailSchema,
  webhook: webhookSchema,
  log: logSchema,
  'colt-ticket': coltTicketSchema,
};

/** A rule's shape; `match` is only checked here for presence. */
export const ruleSchema = z.strictObject({
  name: z.string().trim().min(1, { error: 'must not be empty' }),
  match: z.unknown().optional(),
  notify: z.preprocess(
    asList,
    z
      .array(z.string().trim().min(1, { error: 'must not be empty' }))
      .min(1, { error: 'must list at least one channel' }),
  ),
  stop: z.boolean().default(false),
  stale: z.boolean().optional(),
  // Checked in rules-notify.ts (durations, fields with suggestions).
  group: z.unknown().optional(),
});
export type RuleShape = z.output<typeof ruleSchema>;

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  array: 'a list',
  object: 'a map',
  record: 'a map',
  boolean: 'true or false',
  number: 'a number',
  int: 'a whole number',
};

/** Context-aware default messages: "is required" rather than "expected string, received undefined". */
const messages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'is required';
  return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
};

/** Parses `value` at `path`; failures become problems, one per field (one per unknown key). */
export function parseWith<T>(
  schema: z.ZodType<T>,
  value: unknown,
  path: readonly PathSegment[],
  problems: PendingProblem[],
): T | undefined {
  const result = schema.safeParse(value, { error: messages, jitless: true });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const at = [...path, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema);
      for (const key of issue.keys)
        problems.push({ path: [...at, key], at: 'key', message: `unknown field "${key}"${didYouMean(key, known)}` });
    } else {
      problems.push({ path: at, message: issue.message });
    }
  }
  return undefined;
}

function knownKeys(schema: z.ZodType): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}
