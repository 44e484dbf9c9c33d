/**
 * Configuration from environment variables (docs/design.md#configuration), parsed once at the entry
 * from a record passed in (Workers have no process.env). Every problem is listed at once.
 */
import { z } from 'zod';
import { parseCredentialPairs } from './colt-credentials.js';
import { parseCidr, type Cidr } from '../lib/cidr.js';
import { parseTrustProxy, type ProxyTrust } from '../lib/client-address.js';
import { parseDuration } from '../lib/duration.js';
import { ORDER_TYPES, type OrderType } from '../event/event.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const cidrList = z
  .string()
  .optional()
  .transform((value, ctx): Cidr[] => {
    const out: Cidr[] = [];
    for (const part of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      try {
        out.push(parseCidr(part));
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${part}" is not an IP address or CIDR range` });
      }
    }
    return out;
  });

const trustProxy = z
  .string()
  .optional()
  .transform((value, ctx): ProxyTrust => {
    try {
      return parseTrustProxy(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return false;
    }
  });

/** A duration (`30s`, `15m`, `2h`, `3d`) in milliseconds. */
const duration = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx): number => {
      const text = value === undefined || value.trim() === '' ? fallback : value;
      const ms = parseDuration(text);
      if (ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration: use a number with s, m, h or d (e.g. ${fallback})` });
        return 0;
      }
      return ms;
    });

/** A duration in ms, or null for `off` (the feature is disabled). */
const durationOrOff = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx): number | null => {
      const text = value === undefined || value.trim() === '' ? fallback : value.trim();
      if (text.toLowerCase() === 'off') return null;
      const ms = parseDuration(text);
      if (ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration or off: use a number with s, m, h or d (e.g. ${fallback}), or off` });
        return null;
      }
      return ms;
    });

/** docs/design.md#reconciliation: how long an order of each type may stay open. */
export const DEFAULT_ORDER_SLA = 'reservation=4h,reservation_cancellation=4h,activation=72h,address_update=72h,unknown=72h';

/** ORDER_SLA: one duration for every type, or `type=duration` pairs over the defaults. */
const orderSla = z
  .string()
  .optional()
  .transform((value, ctx): Record<OrderType, number> => {
    const sla = Object.fromEntries(
      DEFAULT_ORDER_SLA.split(',').map((pair) => [pair.split('=')[0], parseDuration(pair.split('=')[1]!)]),
    ) as Record<OrderType, number>;
    if (value === undefined || value.trim() === '') return sla;
    const single = parseDuration(value);
    if (single !== null && single > 0) return Object.fromEntries(ORDER_TYPES.map((t) => [t, single])) as Record<OrderType, number>;
    for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
      const [type, text] = part.split('=').map((x) => x.trim());
      const ms = text === undefined ? null : parseDuration(text);
      if (!(ORDER_TYPES as readonly string[]).includes(type ?? '') || ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${part}": expected <order type>=<duration> with a type of ${ORDER_TYPES.join(', ')}, or one duration` });
        continue;
      }
      sla[type as OrderType] = ms;
    }
    return sla;
  });

const basicAuth = optionalString.refine((v) => v === undefined || /^[^:]+:.+$/.test(v), {
  message: 'must be user:password',
});

const url = (protocols: string[]) =>
  optionalString.refine((v) => v === undefined || protocols.some((p) => v.startsWith(p)), {
    message: `must be a URL starting with ${protocols.join(' or ')}`,
  });

const envSchema = z.object({
  NODE_ENV: z.string().optional().default('development'),
  PORT: port.default(8080),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: url(['postgres://', 'postgresql://']),
  DATA_DIR: z.string().default('./data'),
  DATABASE_POOL_SIZE: positiveInt.default(10),
  RULES_FILE: optionalString,
  RULES: optionalString,
  CALLBACK_TOKEN: optionalString,
  CALLBACK_TOKEN_HEADER: z.string().default('x-callback-token').transform((v) => v.toLowerCase()),
  CALLBACK_BASIC_AUTH: basicAuth,
  CALLBACK_HMAC_SECRET: optionalString,
  CALLBACK_HMAC_HEADER: z.string().default('x-signature').transform((v) => v.toLowerCase()),
  CALLBACK_ALLOWED_IPS: cidrList,
  /** Which proxies may tell the client's address (X-Forwarded-For): false, true, hops, or CIDRs. @default false */
  TRUST_PROXY: trustProxy,
  MAX_BODY_BYTES: positiveInt.max(16 * 1024 * 1024).default(262144),
  /** Unset means the sandbox; kept optional so production can be warned about the default. */
  COLT_ENV: z.enum(['sandbox', 'production']).optional(),
  COLT_API_BASE_URL: url(['http://', 'https://']),
  COLT_TOKEN_URL: url(['http://', 'https://']),
  COLT_CLIENT_ID: optionalString,
  COLT_CLIENT_SECRET: optionalString,
  COLT_TRACKING_HEADER: z.string().default('APIGWTrackingId'),
  COLT_API_KEY: optionalString,
  COLT_API_KEY_HEADER: optionalString,
  /** TMF621 Trouble Ticket API base (Colt does not publish it); required by colt-ticket channels. */
  COLT_TICKET_API_BASE_URL: url(['http://', 'https://']),
  ENRICH: z.enum(['missing', 'always', 'never']).default('missing'),
  /** Longest a notification waits for order details before it goes out without them. @default 2m */
  ENRICH_MAX_WAIT: duration('2m'),
  /** `off` disables reconciliation and order SLAs (docs/design.md#reconciliation). @default on */
  RECONCILE: z.enum(['on', 'off', 'true', 'false']).default('on').transform((v) => v === 'on' || v === 'true'),
  /** An open order is checked with GET /order this long after its last status change. @default 2h */
  RECONCILE_AFTER: duration('2h'),
  /** The growing interval between checks stops growing here. @default 6h */
  RECONCILE_MAX_INTERVAL: duration('6h'),
  /**
   * Circuit breaker (docs/design.md#circuit-breaker): a channel failing without a single success this long is disabled
   * and a relay.channel_disabled event is routed; `off` never disables. @default 3d
   */
  CHANNEL_DISABLE_AFTER: durationOrOff('3d'),
  /** Per order type: past it, an open order yields one order.overdue event. */
  ORDER_SLA: orderSla,
  SMTP_URL: url(['smtp://', 'smtps://']),
  MAIL_FROM: optionalString,
  /** Workers: an HTTP mail API (Resend-compatible) instead of SMTP. @default https://api.resend.com/emails */
  MAIL_API_URL: url(['http://', 'https://']),
  MAIL_API_KEY: optionalString,
  SLACK_BOT_TOKEN: optionalString,
  SLACK_API_URL: url(['http://', 'https://']),
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  ADMIN_TOKEN: optionalString,
  /** When set, GET /metrics wants `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: optionalString,
  /** Where operators reach the relay (e.g. https://relay.example.com): an https URL makes the session cookie Secure. */
  PUBLIC_URL: url(['http://', 'https://']),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.output<typeof envSchema>;

/** Shortest ADMIN_TOKEN accepted in production: it guards every order and the admin actions. */
export const ADMIN_TOKEN_MIN_LENGTH = 16;

/** Raised with every configuration problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The callback authentication methods that are configured. */
export function callbackAuthMethods(env: Env): string[] {
  const methods: string[] = [];
  if (env.CALLBACK_TOKEN) methods.push('token');
  if (env.CALLBACK_BASIC_AUTH) methods.push('basic');
  if (env.CALLBACK_HMAC_SECRET) methods.push('hmac');
  if (env.CALLBACK_ALLOWED_IPS.length > 0) methods.push('ip allow-list');
  return methods;
}

export const CALLBACK_AUTH_VARIABLES = [
  'CALLBACK_TOKEN',
  'CALLBACK_BASIC_AUTH',
  'CALLBACK_HMAC_SECRET',
  'CALLBACK_ALLOWED_IPS',
] as const;

/**
 * Non-fatal advice to log at start: weak settings that still work. A process that receives
 * no callbacks (`worker`) is not warned about their authentication.
 */
export function configWarnings(env: Env, options: { receivesCallbacks?: boolean } = {}): string[] {
  const warnings: string[] = [];
  if ((options.receivesCallbacks ?? true) && callbackAuthMethods(env).length === 0) {
    warnings.push(
      `callbacks are NOT authenticated: anyone who can reach this server can post callbacks; set one of ${CALLBACK_AUTH_VARIABLES.join(', ')}`,
    );
  }
  for (const name of ['CALLBACK_TOKEN', 'ADMIN_TOKEN', 'METRICS_TOKEN'] as const) {
    const value = env[name];
    if (value !== undefined && value.length < ADMIN_TOKEN_MIN_LENGTH) warnings.push(`${name} is shorter than 16 characters: use a long random value`);
  }
  if (!env.COLT_CLIENT_ID) warnings.push('COLT_CLIENT_ID/COLT_CLIENT_SECRET not set: order enrichment (GET /order) is off');
  else if (env.NODE_ENV === 'production' && env.COLT_ENV === undefined) {
    warnings.push('NODE_ENV=production but COLT_ENV is not set: the Colt SANDBOX (sandbox.apis.colt.net) is in use; set COLT_ENV=production');
  }
  return warnings;
}

/**
 * Parses and validates the environment. Throws ConfigError listing every problem,
 * including, in production, the absence of any callback authentication.
 */
export function parseEnv(
  record: Record<string, string | undefined>,
  options: { requireCallbackAuth?: boolean } = {},
): Env {
  const result = envSchema.safeParse(record);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const env = result.data;
  const problems: string[] = [];
  const requireAuth = options.requireCallbackAuth ?? env.NODE_ENV === 'production';
  if (requireAuth && callbackAuthMethods(env).length === 0) {
    problems.push(
      `no callback authentication configured: set at least one of ${CALLBACK_AUTH_VARIABLES.join(', ')} (required when NODE_ENV=production)`,
    );
  }
  if (env.NODE_ENV === 'production' && env.ADMIN_TOKEN !== undefined && env.ADMIN_TOKEN.length < ADMIN_TOKEN_MIN_LENGTH) {
    problems.push(
      `ADMIN_TOKEN: must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters when NODE_ENV=production (e.g. openssl rand -hex 32)`,
    );
  }
  if (Boolean(env.COLT_CLIENT_ID) !== Boolean(env.COLT_CLIENT_SECRET)) {
    problems.push('COLT_CLIENT_ID and COLT_CLIENT_SECRET must be set together');
  } else {
    const pairs = parseCredentialPairs(env.COLT_CLIENT_ID, env.COLT_CLIENT_SECRET);
    if (!pairs.ok) problems.push(...pairs.problems);
  }
  if (env.COLT_API_KEY && !env.COLT_API_KEY_HEADER) {
    problems.push('COLT_API_KEY_HEADER: required when COLT_API_KEY is set (Colt does not publish the header name)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return env;
}
