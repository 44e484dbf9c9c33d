import pino, { type Logger as PinoLogger, type LoggerOptions } from 'pino';
import type { Tracer } from './tracing.js';
import { redactUrlCredentials } from './url-credentials.js';

export type Logger = PinoLogger;

/**
 * Paths that may hold secrets anywhere in a log record. pino replaces them with
 * "[redacted]" before a line is written.
 */
export const REDACT_PATHS = [
  'authorization',
  'password',
  'secret',
  'token',
  'clientSecret',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.clientSecret',
  '*.accessToken',
  '*.access_token',
  'headers.authorization',
  'headers.cookie',
  'headers["x-callback-token"]',
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface LoggerConfig {
  /** pino level. @default "info" */
  level?: string;
  /**
   * Where the JSON lines go. Servers (`serve`, `worker`, a Cloudflare Worker) say `stdout`,
   * which log collectors read; every other command keeps stdout for its data, so a command's
   * output pipes into `jq` (docs/operations.md#command-line). @default "stderr"
   */
  stream?: 'stdout' | 'stderr';
  /** Write to this stream instead (tests capture logs this way). */
  destination?: pino.DestinationStream;
  /**
   * With tracing on, every line written while a span is active carries its `trace_id` and
   * `span_id` (docs/operations.md#tracing). Absent or the no-op tracer: nothing is added.
   */
  tracer?: Tracer;
  /**
   * Values never written, wherever they appear in a line (an error message quoting a URL with
   * its password): config/secrets.ts secretValues. Credentials inside any URL are redacted too.
   */
  secrets?: readonly string[];
}

/**
 * What pino writes, scrubbed: each secret as it reads inside a JSON string (longest first, so a
 * URL goes whole before the password in it), then the credentials of any URL left.
 */
export function scrubLogLine(secrets: readonly string[]): (line: string) => string {
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  return (line) => {
    let out = line;
    for (const form of forms) if (out.includes(form)) out = out.replaceAll(form, '[redacted]');
    return redactUrlCredentials(out);
  };
}

/** A JSON-lines logger with credentials redacted; on stderr unless `stream: 'stdout'` is asked for. */
export function createLogger(config: LoggerConfig = {}): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: 'colt-relay' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: { streamWrite: scrubLogLine(config.secrets ?? []) },
  };
  const tracer = config.tracer;
  // A new object every time: pino merges the line's own fields into what the mixin returns.
  if (tracer?.enabled) options.mixin = () => tracer.logIds() ?? {};
  if (config.destination) return pino(options, config.destination);
  // pino's own default is stdout; Workers' stand-in (no pino.destination) always takes this path.
  if (config.stream === 'stdout') return pino(options);
  return pino(options, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything: for tests that do not look at logs. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
