/**
 * Where an operator command writes. Postgres: directly (a running worker sees the rows).
 * PGlite: directly only when no relay holds DATA_DIR; otherwise through the running relay's
 * admin API on this machine, or not at all — a write into a folder another process owns
 * would be lost, and the command must not report it as done.
 */
import type { Env } from '../config/env.js';
import { DataDirHeldError, describeHolder, type LockHolder } from '../runtime/data-dir-lock.js';
import { openOwnedStore } from '../runtime/owned-store.js';
import type { Store } from '../store/db.js';
import { openStore } from '../store/open.js';

/** The running relay's admin API, as the CLI calls it. */
export interface RelayApi {
  url: string;
  /** POSTs JSON; resolves with the status and the parsed answer. */
  post(path: string, body?: unknown): Promise<{ status: number; body: ApiAnswer }>;
  /** Any method (GET, DELETE, …); resolves with the status and the parsed answer. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: ApiAnswer }>;
}

export type ApiAnswer = Record<string, unknown> & { error?: { code?: string; message?: string } };

export type OpsTarget =
  | { kind: 'store'; store: Store; pglite: boolean; close(): Promise<void> }
  | { kind: 'api'; api: RelayApi; holder: LockHolder; close(): Promise<void> };

/** The folder is held and the command cannot go through the holder: says what to do. */
export class CannotReachHolderError extends Error {
  override name = 'CannotReachHolderError';
}

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

/** A small client of the relay's /api with the bearer token. */
export function createRelayApi(url: string, token: string): RelayApi {
  const request: RelayApi['request'] = async (method, path, body) => {
    let res: Response;
    try {
      res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CannotReachHolderError(
        `cannot reach the running relay's admin API at ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}; nothing was changed`,
      );
    }
    const answer = (await res.json().catch(() => ({}))) as ApiAnswer;
    if (res.status === 401) {
      throw new CannotReachHolderError(`the running relay at ${url} refused ADMIN_TOKEN (401): use the relay's ADMIN_TOKEN; nothing was changed`);
    }
    return { status: res.status, body: answer };
  };
  return { url, request, post: (path, body) => request('POST', path, body) };
}

/** The error message of an API answer, or a generic one with the status. */
export function apiErrorMessage(answer: { status: number; body: ApiAnswer }): string {
  return answer.body.error?.message ?? `the admin API answered ${answer.status}`;
}
