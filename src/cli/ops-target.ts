/**
 * Where an operator command writes. Postgres: directly (a dispatcher sees the rows).
 * PGlite: directly only when no relay holds DATA_DIR; otherwise through the running relay's
 * admin API on this machine, or not at all — a write into a folder another process owns
 * would be lost, and the command must not report it as done.
 */
import type { Env } from '../config/env.js';
import { DataDirHeldError, describeHolder, type LockHolder } from '../runtime/node/data-dir-lock.js';
import { openOwnedStore } from '../runtime/node/owned-store.js';
import type { Store } from '../store/db.js';
import { openStore } from '../store/open.js';
import { CannotReachHolderError, createRelayApi, type RelayApi } from './relay-api.js';

export { apiErrorMessage, CannotReachHolderError, type ApiAnswer, type RelayApi } from './relay-api.js';

export type OpsTarget =
  | { kind: 'store'; store: Store; pglite: boolean; close(): Promise<void> }
  | { kind: 'api'; api: RelayApi; holder: LockHolder; close(): Promise<void> };

/** Opens the store, or finds the running relay that holds it. */
export async function openOpsTarget(env: Env, command: string): Promise<OpsTarget> {
  if (env.DATABASE_URL) {
    const store = await openStore({ databaseUrl: env.DATABASE_URL, poolSize: 2 });
    return { kind: 'store', store, pglite: false, close: () => store.close() };
  }
  try {
    const owned = await openOwnedStore(env, { command: `colt-relay ${command}` }, { poolSize: 1 });
    return { kind: 'store', store: owned.store, pglite: true, close: () => owned.close() };
  } catch (error) {
    if (!(error instanceof DataDirHeldError)) throw error;
    return { kind: 'api', api: apiOfHolder(env, error), holder: error.holder, close: async () => {} };
  }
}

function apiOfHolder(env: Env, held: DataDirHeldError): RelayApi {
  const holder = held.holder;
  const prefix = `DATA_DIR ${held.dataDir} is held by ${describeHolder(holder)}`;
  if (!holder.api) {
    throw new CannotReachHolderError(`${prefix}, which has no admin API: stop it and run the command again, or run it against the serve process`);
  }
  if (!holder.api.adminToken) {
    throw new CannotReachHolderError(
      `${prefix}, whose admin API is off: restart it with ADMIN_TOKEN set and retry with the same ADMIN_TOKEN, or stop it and run the command again`,
    );
  }
  if (!env.ADMIN_TOKEN) {
    throw new CannotReachHolderError(
      `${prefix}: set ADMIN_TOKEN (the relay's) and retry so the command goes through its admin API at ${holder.api.url}/api, or stop it`,
    );
  }
  return createRelayApi(holder.api.url, env.ADMIN_TOKEN);
}

