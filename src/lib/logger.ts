import pino, { type Logger as PinoLogger, type LoggerOptions } from 'pino';

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
  /** Write to this stream instead of stdout (tests capture logs this way). */
  destination?: pino.DestinationStream;
}

export function createLogger(config: LoggerConfig = {}): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: 'colt-relay' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return config.destination ? pino(options, config.destination) : pino(options);
}

/** A logger that drops everything: for tests that do not look at logs. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
