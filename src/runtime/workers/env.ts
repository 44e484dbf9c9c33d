/**
 * What the Workers runtime hands the relay: bindings (vars, secrets, Hyperdrive) and
 * the execution context. Declared here, narrowly, instead of pulling
 * @cloudflare/workers-types into the whole program (its globals clash with the DOM lib
 * the rest of the code compiles against).
 */
import { ConfigError, parseEnv, type Env } from '../../config/env.js';

/** A Hyperdrive binding: only its connection string is used (postgres.js connects through it). */
export interface HyperdriveBinding {
  readonly connectionString: string;
}

/** The part of a Queue producer binding the relay uses (docs/deploying.md#cloudflare-workers). */
export interface QueueBinding<Body = unknown> {
  send(body: Body, options?: { delaySeconds?: number }): Promise<unknown>;
}

/** `env` of a Worker invocation: `[vars]`, secrets, and the optional `HYPERDRIVE` and `WAKE_QUEUE` bindings. */
export interface WorkerBindings {
  HYPERDRIVE?: HyperdriveBinding;
  /** Wakes due work at its time (queue.ts); without it the cron sweep alone finds it. */
  WAKE_QUEUE?: QueueBinding;
  [name: string]: unknown;
}

/** The part of `ExecutionContext` the relay uses. */
export interface WorkerExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** One message of a queue batch, as the relay handles it. */
export interface WorkerQueueMessage<Body = unknown> {
  readonly id: string;
  readonly body: Body;
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

/** The part of `MessageBatch` the relay uses. */
export interface WorkerMessageBatch<Body = unknown> {
  readonly queue: string;
  readonly messages: readonly WorkerQueueMessage<Body>[];
}

/** The part of `ScheduledController` the relay uses. */
export interface WorkerScheduledController {
  readonly scheduledTime: number;
  readonly cron: string;
}

/** Configuration of one invocation: the parsed env, the raw strings (for `${VAR}` in rules), the database URL. */
export interface WorkerConfig {
  env: Env;
  rawEnv: Record<string, string | undefined>;
  databaseUrl: string;
  /** Where databaseUrl came from, for logs. */
  database: 'hyperdrive' | 'DATABASE_URL';
}

/**
 * What the isolate's configuration was made from: every var and secret, and whether a
 * Hyperdrive binding is there (not its connection string: each invocation reads that
 * itself). Equal fingerprints, equal configuration (docs/design.md#workers-lifecycle).
 */
export function bindingsFingerprint(bindings: WorkerBindings): string {
  const names = Object.keys(bindings).filter((name) => typeof bindings[name] === 'string').sort();
  let fingerprint = bindings.HYPERDRIVE ? 'hyperdrive' : '';
  for (const name of names) fingerprint += `\u0000${name}\u0000${bindings[name] as string}`;
  return fingerprint;
}

/** The invocation's database: the Hyperdrive binding's connection string, else DATABASE_URL. */
export function databaseUrlOf(bindings: WorkerBindings): string | undefined {
  const url = bindings.HYPERDRIVE?.connectionString ?? bindings.DATABASE_URL;
  return typeof url === 'string' && url !== '' ? url : undefined;
}

/** Vars and secrets are strings; bindings (Hyperdrive, services) are objects and are left out. */
export function stringBindings(bindings: WorkerBindings): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(bindings)) if (typeof value === 'string') out[name] = value;
  return out;
}

/**
 * Parses the invocation's configuration (docs/design.md#configuration) from its bindings. The Hyperdrive
 * binding wins over `DATABASE_URL`; one of them is required (no embedded database here).
 * Throws ConfigError listing every problem.
 */
export function readWorkerConfig(bindings: WorkerBindings): WorkerConfig {
  const rawEnv = stringBindings(bindings);
  const hyperdrive = bindings.HYPERDRIVE?.connectionString;
  const env = parseEnv(hyperdrive ? { ...rawEnv, DATABASE_URL: hyperdrive } : rawEnv);
  if (!env.DATABASE_URL) {
    throw new ConfigError([
      'DATABASE_URL: required on Workers (or a HYPERDRIVE binding); there is no embedded database there',
    ]);
  }
  return { env, rawEnv, databaseUrl: env.DATABASE_URL, database: hyperdrive ? 'hyperdrive' : 'DATABASE_URL' };
}
