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

/** `env` of a Worker invocation: `[vars]`, secrets and the optional `HYPERDRIVE` binding. */
export interface WorkerBindings {
  HYPERDRIVE?: HyperdriveBinding;
  [name: string]: unknown;
}

/** The part of `ExecutionContext` the relay uses. */
export interface WorkerExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
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
