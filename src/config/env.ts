/**
 * Configuration from environment variables (docs/configuration.md), parsed once at the entry
 * from a record passed in (Workers have no process.env). Every problem is listed at once.
 * VARIABLES is the one source of each variable: its parser and its documentation, from which
 * docs/configuration.md and .env.example are generated (`npm run docs:config`).
 */
import { z } from 'zod';
import { parseCredentialPairs } from './colt-credentials.js';
import {
  basicAuth,
  bool,
  cidrList,
  DEFAULT_ORDER_SLA,
  duration,
  durationOrOff,
  keyValueList,
  optionalString,
  otlpProtocol,
  orderSla,
  port,
  positiveInt,
  samplerRatio,
  TRACE_SAMPLERS,
  trustProxy,
  url,
} from './env-values.js';

export { DEFAULT_ORDER_SLA } from './env-values.js';

/** The sections of docs/configuration.md, in order. */
export const ENV_GROUPS = [
  'Server',
  'Database',
  'Rules',
  'Callback authentication',
  'Colt API',
  'Enrichment and reconciliation',
  'Channels',
  'Operator surface',
  'Tracing',
] as const;
export type EnvGroup = (typeof ENV_GROUPS)[number];

/** A variable's documentation. */
export interface EnvDoc {
  group: EnvGroup;
  /** What it does (Markdown, one or two sentences). */
  meaning: string;
  /** The default as a user would write it; absent → unset. Checked against the parser by a test. */
  default?: string;
  /** A value to copy into .env; secrets show a placeholder. */
  example?: string;
  /** A token, password, or URL that may carry credentials: redacted by `config show`, never logged. */
  secret?: boolean;
}

interface Variable<S extends z.ZodType> extends EnvDoc {
  schema: S;
}

const variable = <S extends z.ZodType>(schema: S, doc: EnvDoc): Variable<S> => ({ schema, ...doc });

/** Every variable the relay reads, in the order docs/configuration.md lists them. */
export const VARIABLES = {
  NODE_ENV: variable(z.string().optional().default('development'), {
    group: 'Server',
    meaning:
      '`production` makes callback authentication mandatory and refuses a `CALLBACK_TOKEN`, `ADMIN_TOKEN` or `METRICS_TOKEN` shorter than 16 characters.',
    default: 'development',
    example: 'production',
  }),
  PORT: variable(port.default(8080), { group: 'Server', meaning: 'TCP port of the HTTP server (`0` picks a free one).', default: '8080' }),
  HOST: variable(z.string().default('0.0.0.0'), { group: 'Server', meaning: 'Address the HTTP server listens on.', default: '0.0.0.0', example: '127.0.0.1' }),
  LOG_LEVEL: variable(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), {
    group: 'Server',
    meaning:
      'Log level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. Logs are JSON lines, on stdout for `serve`, `worker` and a Worker, on stderr for every other command (their stdout is their data).',
    default: 'info',
  }),
  PUBLIC_URL: variable(url(['http://', 'https://']), {
    group: 'Server',
    meaning: 'Where operators reach the relay: notifications link each order to its dashboard page; an https URL makes the session cookie `Secure`.',
    example: 'https://relay.example.com',
    secret: true,
  }),
  TRUST_PROXY: variable(trustProxy, {
    group: 'Server',
    meaning:
      'Which proxies may name the client in `X-Forwarded-For`, read from the right: `false` (the socket peer is the client); a comma list of proxy CIDRs (recommended: believed only when the socket peer is in them); `true` (= `1`) or a number of hops (believed from any caller: the port must be reachable only through the proxy). See docs/security.md.',
    default: 'false',
    example: '10.0.0.0/8',
  }),
  MAX_BODY_BYTES: variable(positiveInt.max(16 * 1024 * 1024).default(262144), {
    group: 'Server',
    meaning: 'Largest callback body accepted (413 past it).',
    default: '262144',
  }),
  HTTP_HEADERS_TIMEOUT: variable(duration('10s'), {
    group: 'Server',
    meaning: 'A connection whose request headers are not all in by then is closed (Node): slow-header clients cannot hold sockets.',
    default: '10s',
  }),
  HTTP_REQUEST_TIMEOUT: variable(duration('30s'), {
    group: 'Server',
    meaning: 'A request whose body is not all in by then is answered 408 and its connection closed (Node); at least `HTTP_HEADERS_TIMEOUT`.',
    default: '30s',
  }),
  HTTP_KEEP_ALIVE_TIMEOUT: variable(duration('5s'), {
    group: 'Server',
    meaning: 'An idle keep-alive connection is closed after this long (Node). Keep it above your proxy’s own idle timeout towards the relay.',
    default: '5s',
  }),
  HTTP_MAX_CONNECTIONS: variable(positiveInt.default(1000), {
    group: 'Server',
    meaning: 'Open connections the server accepts at once (Node); past it new connections are dropped until others close.',
    default: '1000',
  }),
  DATABASE_URL: variable(url(['postgres://', 'postgresql://']), {
    group: 'Database',
    meaning: 'Postgres URL. Unset: the embedded database (PGlite) in `DATA_DIR`, which one process owns.',
    example: 'postgres://relay:password@db.example.com:5432/colt_relay',
    secret: true,
  }),
  DATA_DIR: variable(z.string().default('./data'), {
    group: 'Database',
    meaning: 'Folder of the embedded database when `DATABASE_URL` is unset; created if missing.',
    default: './data',
  }),
  DATABASE_POOL_SIZE: variable(positiveInt.default(10), { group: 'Database', meaning: 'Postgres connections per process.', default: '10' }),
  DATABASE_CONNECT_TIMEOUT: variable(duration('2s'), {
    group: 'Database',
    meaning: 'A Postgres connection attempt that gets no answer by then fails (Node): callbacks are answered 503 rather than kept waiting.',
    default: '2s',
  }),
  CALLBACK_STORE_TIMEOUT: variable(duration('2.5s'), {
    group: 'Database',
    meaning:
      'Longest a callback waits for its commit (Node); past it the answer is 503 `store_unavailable` with `Retry-After`. A callback already sent to the store may still commit: its retry is then a duplicate.',
    default: '2.5s',
  }),
  RULES_FILE: variable(optionalString, {
    group: 'Rules',
    meaning: 'The rules file (docs/rules.md). Unset: `./rules.yaml` when it exists, else a built-in rule that logs every event.',
    example: './rules.yaml',
  }),
  RULES: variable(optionalString, {
    group: 'Rules',
    meaning: 'The rules as YAML or JSON text; wins over `RULES_FILE` (how Workers get their rules).',
  }),
  CALLBACK_TOKEN: variable(optionalString, {
    group: 'Callback authentication',
    meaning:
      'Shared secret the caller sends as `Authorization: Bearer`, in `CALLBACK_TOKEN_HEADER`, or as the path token (`/callbacks/colt/<token>`); at least 16 characters in production.',
    example: '<a long random value: openssl rand -hex 32>',
    secret: true,
  }),
  CALLBACK_TOKEN_HEADER: variable(
    z
      .string()
      .default('x-callback-token')
      .transform((v) => v.toLowerCase()),
    { group: 'Callback authentication', meaning: 'Header that may carry `CALLBACK_TOKEN`.', default: 'x-callback-token' },
  ),
  CALLBACK_BASIC_AUTH: variable(basicAuth, {
    group: 'Callback authentication',
    meaning: 'HTTP Basic credentials the caller sends, as `user:password`.',
    example: 'colt:<password>',
    secret: true,
  }),
  CALLBACK_HMAC_SECRET: variable(optionalString, {
    group: 'Callback authentication',
    meaning: 'Secret of an HMAC-SHA256 of the raw body, sent hex or base64 in `CALLBACK_HMAC_HEADER`.',
    secret: true,
  }),
  CALLBACK_HMAC_HEADER: variable(
    z
      .string()
      .default('x-signature')
      .transform((v) => v.toLowerCase()),
    { group: 'Callback authentication', meaning: 'Header that carries the HMAC.', default: 'x-signature' },
  ),
  CALLBACK_ALLOWED_IPS: variable(cidrList, {
    group: 'Callback authentication',
    meaning: 'Comma list of addresses or CIDR ranges allowed to post callbacks (canonical forms only).',
    example: '203.0.113.0/24',
  }),
  COLT_ENV: variable(z.enum(['sandbox', 'production']).optional(), {
    group: 'Colt API',
    meaning:
      "`sandbox` or `production`: picks Colt's base URLs. Unset means the sandbox, guessed: ordering commands refuse to run, and so does a relay with `NODE_ENV=production` and Colt credentials, until it is set (or both `COLT_API_BASE_URL` and `COLT_TOKEN_URL` are).",
    example: 'production',
  }),
  COLT_API_BASE_URL: variable(url(['http://', 'https://']), {
    group: 'Colt API',
    meaning: 'Overrides the numbers API base URL that `COLT_ENV` picks.',
    example: 'https://apis.colt.net/numberManagement/inbound/v1',
    secret: true,
  }),
  COLT_TOKEN_URL: variable(url(['http://', 'https://']), {
    group: 'Colt API',
    meaning: "Overrides the OAuth2 token URL that `COLT_ENV` picks (Colt does not publish the token path).",
    secret: true,
  }),
  COLT_CLIENT_ID: variable(optionalString, {
    group: 'Colt API',
    meaning: 'OAuth2 client id; up to 5 comma-separated, paired by position with `COLT_CLIENT_SECRET` (rotation without downtime). Unset: no enrichment.',
    example: 'client-a,client-b',
  }),
  COLT_CLIENT_SECRET: variable(optionalString, {
    group: 'Colt API',
    meaning: 'OAuth2 client secret(s), paired by position with `COLT_CLIENT_ID`.',
    secret: true,
  }),
  COLT_TRACKING_HEADER: variable(z.string().default('APIGWTrackingId'), {
    group: 'Colt API',
    meaning: 'Correlation header sent with a fresh UUID on every call to Colt.',
    default: 'APIGWTrackingId',
  }),
  COLT_API_KEY: variable(optionalString, {
    group: 'Colt API',
    meaning: 'Optional consumer key, sent on API calls (never on the token request).',
    secret: true,
  }),
  COLT_API_KEY_HEADER: variable(optionalString, {
    group: 'Colt API',
    meaning: 'Header of `COLT_API_KEY`; required with it (Colt does not publish the name).',
  }),
  COLT_RATE_LIMIT_MAX_WAIT: variable(duration('60s'), {
    group: 'Colt API',
    meaning:
      'Longest wait between tries after a 429 from Colt without `Retry-After` (Colt does not publish how long its quota lasts): waits grow 1 s, 2 s, 4 s… up to this, and the call gives up after one wait this long.',
    default: '60s',
  }),
  COLT_TICKET_API_BASE_URL: variable(url(['http://', 'https://']), {
    group: 'Colt API',
    meaning: "Base URL of Colt's TMF621 Trouble Ticket API (not published by Colt); required by `colt-ticket` channels.",
    secret: true,
  }),
  ENRICH: variable(z.enum(['missing', 'always', 'never']).default('missing'), {
    group: 'Enrichment and reconciliation',
    meaning: 'When to fetch the order with `GET /order/{id}`: `missing` (when the callback lacks details), `always`, or `never`.',
    default: 'missing',
  }),
  ENRICH_MAX_WAIT: variable(duration('2m'), {
    group: 'Enrichment and reconciliation',
    meaning: 'Longest a notification waits for order details before it goes out without them (saying so).',
    default: '2m',
  }),
  RECONCILE: variable(
    z
      .enum(['on', 'off', 'true', 'false'])
      .default('on')
      .transform((v) => v === 'on' || v === 'true'),
    { group: 'Enrichment and reconciliation', meaning: '`off` disables reconciliation and order SLAs.', default: 'on' },
  ),
  RECONCILE_AFTER: variable(duration('2h'), {
    group: 'Enrichment and reconciliation',
    meaning: 'An open order is checked with `GET /order` this long after its last status change.',
    default: '2h',
  }),
  RECONCILE_MAX_INTERVAL: variable(duration('6h'), {
    group: 'Enrichment and reconciliation',
    meaning: 'The growing interval between checks of one order stops growing here.',
    default: '6h',
  }),
  ORDER_SLA: variable(orderSla, {
    group: 'Enrichment and reconciliation',
    meaning: 'How long an order may stay open: one duration, or `type=duration` pairs over the defaults. Past it, one `order.overdue` event.',
    default: DEFAULT_ORDER_SLA,
    example: 'activation=48h',
  }),
  CHANNEL_DISABLE_AFTER: variable(durationOrOff('3d'), {
    group: 'Channels',
    meaning:
      'Circuit breaker: a channel failing without a single success this long is disabled and a `relay.channel_disabled` event is routed; `off` never disables.',
    default: '3d',
  }),
  SMTP_URL: variable(url(['smtp://', 'smtps://']), {
    group: 'Channels',
    meaning: 'SMTP server of email channels (Node).',
    example: 'smtps://user:password@smtp.example.com:465',
    secret: true,
  }),
  MAIL_FROM: variable(optionalString, { group: 'Channels', meaning: 'Sender of notification emails.', example: 'colt-relay <relay@example.com>' }),
  MAIL_API_URL: variable(url(['http://', 'https://'], 'https://api.resend.com/emails'), {
    group: 'Channels',
    meaning: 'HTTP mail API (Resend-compatible) for email channels on Workers.',
    default: 'https://api.resend.com/emails',
    secret: true,
  }),
  MAIL_API_KEY: variable(optionalString, { group: 'Channels', meaning: 'Key of the HTTP mail API.', secret: true }),
  SLACK_BOT_TOKEN: variable(optionalString, {
    group: 'Channels',
    meaning: 'Slack bot token (`xoxb-…`) of Slack channels.',
    example: 'xoxb-<token>',
    secret: true,
  }),
  SLACK_API_URL: variable(url(['http://', 'https://'], 'https://slack.com/api/'), {
    group: 'Channels',
    meaning: "Overrides Slack's Web API URL (tests, proxies).",
    default: 'https://slack.com/api/',
    secret: true,
  }),
  WEBHOOK_ALLOW_PRIVATE: variable(bool.default(false), {
    group: 'Channels',
    meaning:
      'Allow webhook channels to reach private, loopback and local-network receivers (`localhost`, `*.internal`, single-label names; on Workers any IP-address URL), refused by default against SSRF. Set it only when the receivers are on a network you trust.',
    default: 'false',
  }),
  ADMIN_TOKEN: variable(optionalString, {
    group: 'Operator surface',
    meaning: 'Turns on the admin API (`Authorization: Bearer`) and the dashboard sign-in; at least 16 characters in production. Unset: both are off.',
    example: '<a long random value: openssl rand -hex 32>',
    secret: true,
  }),
  METRICS_GAUGE_MAX_AGE: variable(durationOrOff('5s'), {
    group: 'Operator surface',
    meaning:
      'The gauges `/metrics` reads from the store are read at most once per this long (Node), and concurrent scrapes share one read (the rendered text is shared for a second): a scrape costs the same whatever the data and however many scrapers. `off` reads the store and renders on every scrape.',
    default: '5s',
  }),
  RELAY_URL: variable(url(['http://', 'https://']), {
    group: 'Operator surface',
    meaning:
      "Where the command line reaches a running relay's admin API (with `ADMIN_TOKEN`) when it cannot read the database itself, e.g. `colt … --wait` beside a relay on PGlite. Unset: `http://127.0.0.1:$PORT`.",
    example: 'http://127.0.0.1:8080',
  }),
  METRICS_TOKEN: variable(optionalString, {
    group: 'Operator surface',
    meaning:
      'When set, `GET /metrics` wants `Authorization: Bearer <METRICS_TOKEN>` (at least 16 characters in production; wrong tokens count with wrong admin tokens). Unset with `NODE_ENV=production`: a warning at start.',
    secret: true,
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: variable(url(['http://', 'https://']), {
    group: 'Tracing',
    meaning:
      'Turns tracing on (Node, docs/operations.md#tracing): OpenTelemetry traces are exported by OTLP/HTTP to this base URL, at `<URL>/v1/traces`. Unset (and `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` unset): no tracing, nothing loaded.',
    example: 'http://otel-collector:4318',
  }),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: variable(url(['http://', 'https://']), {
    group: 'Tracing',
    meaning: 'The full URL traces are posted to, used as is; wins over `OTEL_EXPORTER_OTLP_ENDPOINT`.',
    example: 'https://otlp.example.com/v1/traces',
  }),
  OTEL_EXPORTER_OTLP_PROTOCOL: variable(otlpProtocol.transform((v) => v ?? 'http/protobuf'), {
    group: 'Tracing',
    meaning: '`http/protobuf` or `http/json` (gRPC is not built in).',
    default: 'http/protobuf',
  }),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: variable(otlpProtocol, {
    group: 'Tracing',
    meaning: 'The protocol for traces; wins over `OTEL_EXPORTER_OTLP_PROTOCOL`.',
  }),
  OTEL_EXPORTER_OTLP_HEADERS: variable(keyValueList('authorization=Bearer%20<token>'), {
    group: 'Tracing',
    meaning: 'Headers sent with every export, as `key=value` pairs separated by commas, values percent-encoded (a space is `%20`).',
    example: 'authorization=Bearer%20<token>',
    secret: true,
  }),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: variable(keyValueList('x-api-key=<key>'), {
    group: 'Tracing',
    meaning: 'Headers for trace exports only, in the same form; a name set in both wins here.',
    secret: true,
  }),
  OTEL_EXPORTER_OTLP_TIMEOUT: variable(positiveInt.default(10000), {
    group: 'Tracing',
    meaning: 'Milliseconds one export may take, retries included, before its spans are given up (and reported in the log).',
    default: '10000',
  }),
  OTEL_SERVICE_NAME: variable(optionalString, {
    group: 'Tracing',
    meaning: 'The `service.name` of every span. Unset: `service.name` from `OTEL_RESOURCE_ATTRIBUTES`, else `colt-relay`.',
    example: 'colt-relay-eu',
  }),
  OTEL_RESOURCE_ATTRIBUTES: variable(keyValueList('deployment.environment.name=production'), {
    group: 'Tracing',
    meaning: 'Resource attributes of every span, as `key=value` pairs separated by commas (values percent-encoded).',
    example: 'deployment.environment.name=production,service.namespace=telecom',
  }),
  OTEL_TRACES_SAMPLER: variable(z.enum(TRACE_SAMPLERS).default('parentbased_always_on'), {
    group: 'Tracing',
    meaning:
      'Which traces are kept: `parentbased_always_on` (all, or as the caller\'s `traceparent` decided), `parentbased_traceidratio`, `traceidratio`, `always_on`, `always_off`, `parentbased_always_off`.',
    default: 'parentbased_always_on',
    example: 'parentbased_traceidratio',
  }),
  OTEL_TRACES_SAMPLER_ARG: variable(samplerRatio, {
    group: 'Tracing',
    meaning: 'The ratio of the `traceidratio` samplers, from 0 to 1. Unset: 1 (every trace).',
    example: '0.25',
  }),
  OTEL_TRACES_EXPORTER: variable(z.enum(['otlp', 'none']).default('otlp'), {
    group: 'Tracing',
    meaning: '`none` turns trace export off while the endpoint stays configured.',
    default: 'otlp',
  }),
  OTEL_SDK_DISABLED: variable(bool.default(false), {
    group: 'Tracing',
    meaning: '`true` turns tracing off whatever else is set.',
    default: 'false',
  }),
};

export type EnvName = keyof typeof VARIABLES;

type Schemas = { [K in EnvName]: (typeof VARIABLES)[K]['schema'] };
const envSchema = z.object(Object.fromEntries(Object.entries(VARIABLES).map(([name, v]) => [name, v.schema])) as Schemas);

export type Env = z.output<typeof envSchema>;

/**
 * Shortest token accepted in production. ADMIN_TOKEN guards every order and the admin actions;
 * CALLBACK_TOKEN what the relay notifies; METRICS_TOKEN the queue's state. Each can be guessed
 * online (the throttles slow that down, never to zero), so each must be too long to guess.
 */
export const TOKEN_MIN_LENGTH = 16;

/** The tokens held to TOKEN_MIN_LENGTH in production (a warning elsewhere). */
const LONG_TOKENS = ['CALLBACK_TOKEN', 'ADMIN_TOKEN', 'METRICS_TOKEN'] as const;

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
 * no callbacks (`worker`) is not warned about their authentication, nor one without
 * /metrics (Workers) about METRICS_TOKEN.
 */
export function configWarnings(env: Env, options: { receivesCallbacks?: boolean; servesMetrics?: boolean } = {}): string[] {
  const warnings: string[] = [];
  if ((options.receivesCallbacks ?? true) && callbackAuthMethods(env).length === 0) {
    warnings.push(
      `callbacks are NOT authenticated: anyone who can reach this server can post callbacks; set one of ${CALLBACK_AUTH_VARIABLES.join(', ')}`,
    );
  }
  for (const name of LONG_TOKENS) {
    const value = env[name];
    if (value !== undefined && value.length < TOKEN_MIN_LENGTH) warnings.push(`${name} is shorter than 16 characters: use a long random value`);
  }
  if (options.servesMetrics && env.NODE_ENV === 'production' && env.METRICS_TOKEN === undefined) {
    warnings.push(
      'NODE_ENV=production but METRICS_TOKEN is not set: GET /metrics (queue depths, channel names, failure counts) is open to anyone who can reach this port; set METRICS_TOKEN',
    );
  }
  const trust = env.TRUST_PROXY;
  if (trust && 'hops' in trust) {
    const hops = trust.hops === 1 ? '1 hop' : `${trust.hops} hops`;
    warnings.push(
      `TRUST_PROXY trusts ${hops} whatever its address: X-Forwarded-For is believed from any caller, so this port must be reachable only through the proxy (else a caller picks its own address for CALLBACK_ALLOWED_IPS and the refusal audit); prefer TRUST_PROXY=<proxy CIDR>`,
    );
  }
  if (!env.COLT_CLIENT_ID) warnings.push('COLT_CLIENT_ID/COLT_CLIENT_SECRET not set: order enrichment (GET /order) is off');
  else if (coltEnvironmentGuessed(env)) {
    warnings.push('COLT_ENV is not set: the Colt SANDBOX (sandbox.apis.colt.net) is assumed; set COLT_ENV=sandbox or COLT_ENV=production');
  }
  return warnings;
}

/**
 * True when nothing chose the Colt environment: COLT_ENV is unset and not both URLs are
 * given, so the sandbox defaults fill in (docs/colt.md#sandbox-and-production).
 */
export function coltEnvironmentGuessed(env: { COLT_ENV?: string | undefined; COLT_API_BASE_URL?: string | undefined; COLT_TOKEN_URL?: string | undefined }): boolean {
  return !env.COLT_ENV?.trim() && !(env.COLT_API_BASE_URL?.trim() && env.COLT_TOKEN_URL?.trim());
}

export interface ParseEnvOptions {
  /** Refuse a configuration without callback authentication. @default NODE_ENV === "production" */
  requireCallbackAuth?: boolean;
  /** Refuse Colt credentials without a chosen Colt environment. @default NODE_ENV === "production" */
  requireColtEnvironment?: boolean;
}

/**
 * Parses and validates the environment. Throws ConfigError listing every problem,
 * including, in production, the absence of any callback authentication and a guessed
 * Colt environment.
 */
export function parseEnv(record: Record<string, string | undefined>, options: ParseEnvOptions = {}): Env {
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
  for (const name of LONG_TOKENS) {
    const value = env[name];
    if (env.NODE_ENV === 'production' && value !== undefined && value.length < TOKEN_MIN_LENGTH) {
      problems.push(`${name}: must be at least ${TOKEN_MIN_LENGTH} characters when NODE_ENV=production (e.g. openssl rand -hex 32)`);
    }
  }
  if (env.HTTP_HEADERS_TIMEOUT > env.HTTP_REQUEST_TIMEOUT) {
    problems.push('HTTP_HEADERS_TIMEOUT: must not be longer than HTTP_REQUEST_TIMEOUT (the request timeout covers the headers too)');
  }
  if (Boolean(env.COLT_CLIENT_ID) !== Boolean(env.COLT_CLIENT_SECRET)) {
    problems.push('COLT_CLIENT_ID and COLT_CLIENT_SECRET must be set together');
  } else {
    const pairs = parseCredentialPairs(env.COLT_CLIENT_ID, env.COLT_CLIENT_SECRET);
    if (!pairs.ok) problems.push(...pairs.problems);
  }
  if ((options.requireColtEnvironment ?? env.NODE_ENV === 'production') && env.COLT_CLIENT_ID && coltEnvironmentGuessed(env)) {
    problems.push(
      'COLT_ENV: must be set when NODE_ENV=production and Colt credentials are set, so the relay never guesses the Colt environment ' +
        '(unset means the sandbox, where nothing is live): COLT_ENV=production or COLT_ENV=sandbox, or both COLT_API_BASE_URL and COLT_TOKEN_URL',
    );
  }
  if (env.COLT_API_KEY && !env.COLT_API_KEY_HEADER) {
    problems.push('COLT_API_KEY_HEADER: required when COLT_API_KEY is set (Colt does not publish the header name)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return env;
}
