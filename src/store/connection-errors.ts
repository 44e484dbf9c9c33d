/**
 * Why the database could not be used, in words an operator can act on. drizzle wraps the
 * driver's error (`Failed query: CREATE SCHEMA …`) and keeps the real one on `.cause`:
 * connection refused, unknown host, missing database, role or password.
 */

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  cause?: unknown;
}

/** The error and its causes, outermost first (bounded: causes can be cyclic). */
export function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current = error;
  while (current !== null && typeof current === 'object' && chain.length < 8 && !chain.includes(current as ErrorLike)) {
    chain.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

/** The URL without its password (`postgres://relay:***@db:5432/relay`). */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** `host:port` of a database URL, for messages that must say where. */
function target(url: string | undefined): string {
  if (!url) return 'the database';
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  } catch {
    return 'the database';
  }
}

const SOCKET_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
};

/** Postgres refusals whose own message already says it all (`database "x" does not exist`). */
const SELF_EXPLAINING_STATES = new Set(['3D000', '28000', '28P01', '42501', '53300', '57P03']);

/**
 * The cause of a database failure (`cannot connect to 127.0.0.1:1: connection refused`,
 * `database "x" does not exist`), or null when the error is not about the database.
 * Never includes a password.
 */
export function describeDatabaseFailure(error: unknown, databaseUrl?: string): string | null {
  for (const link of causeChain(error)) {
    const code = typeof link.code === 'string' ? link.code : undefined;
    const message = typeof link.message === 'string' ? link.message : '';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      const host = typeof link.hostname === 'string' ? link.hostname : target(databaseUrl).split(':')[0];
      return `cannot resolve host ${host}${code === 'EAI_AGAIN' ? ' (DNS lookup failed, try again later)' : ''}`;
    }
    if (code && SOCKET_CAUSES[code]) {
      const where = typeof link.address === 'string' && link.port !== undefined ? `${link.address}:${link.port}` : target(databaseUrl);
      return `cannot connect to ${where}: ${SOCKET_CAUSES[code]}`;
    }
    if (code === 'CONNECT_TIMEOUT') return `cannot connect to ${target(databaseUrl)}: no answer before the connect timeout`;
    if (code && SELF_EXPLAINING_STATES.has(code)) return message;
    if (code && /^[0-9A-Z]{5}$/.test(code) && message) return `${message} (SQLSTATE ${code})`;
  }
  return null;
}

/** The store could not be opened: the message names the setting and the cause. */
export class StoreOpenError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'StoreOpenError';
  }
}

/** `database at DATABASE_URL=postgres://relay:***@db:5432/relay: <cause>`. */
export function storeOpenError(error: unknown, where: { databaseUrl?: string; dataDir?: string }): StoreOpenError {
  const setting = where.databaseUrl ? `DATABASE_URL=${redactDatabaseUrl(where.databaseUrl)}` : `DATA_DIR=${where.dataDir ?? './data'} (PGlite)`;
  const cause = describeDatabaseFailure(error, where.databaseUrl) ?? lastMessage(error);
  return new StoreOpenError(`cannot open the database (${setting}): ${cause}`, { cause: error });
}

/** The innermost message: drizzle's outer one only repeats the query. */
function lastMessage(error: unknown): string {
  const chain = causeChain(error);
  for (let i = chain.length - 1; i >= 0; i--) {
    const message = chain[i]!.message;
    if (typeof message === 'string' && message) return message;
  }
  return String(error);
}
