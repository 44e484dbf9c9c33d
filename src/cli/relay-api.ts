/**
 * The CLI's client of a running relay's admin API (/api, bearer ADMIN_TOKEN): operator
 * commands that write through the relay holding DATA_DIR, and `colt … --wait` reading an order.
 */

/** The running relay's admin API, as the CLI calls it. */
export interface RelayApi {
  url: string;
  /** POSTs JSON; resolves with the status and the parsed answer. */
  post(path: string, body?: unknown): Promise<{ status: number; body: ApiAnswer }>;
  /** Any method (GET, DELETE, …); resolves with the status and the parsed answer. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: ApiAnswer }>;
}

export type ApiAnswer = Record<string, unknown> & { error?: { code?: string; message?: string } };

/** The running relay cannot be asked (unreachable, token refused, no admin API): says what to do. */
export class CannotReachHolderError extends Error {
  override name = 'CannotReachHolderError';
}

/**
 * A small client of the relay's /api with the bearer token. An unreachable relay or a refused
 * token throws CannotReachHolderError; the message ends with `consequence` (what did not
 * happen because of it).
 */
export function createRelayApi(url: string, token: string, options: { consequence?: string } = {}): RelayApi {
  const consequence = options.consequence ?? 'nothing was changed';
  const request: RelayApi['request'] = async (method, path, body) => {
    let res: Response;
    try {
      res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CannotReachHolderError(
        `cannot reach the running relay's admin API at ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}; ${consequence}`,
      );
    }
    const answer = (await res.json().catch(() => ({}))) as ApiAnswer;
    if (res.status === 401) {
      throw new CannotReachHolderError(`the running relay at ${url} refused ADMIN_TOKEN (401): use the relay's ADMIN_TOKEN; ${consequence}`);
    }
    return { status: res.status, body: answer };
  };
  return { url, request, post: (path, body) => request('POST', path, body) };
}

/** The error message of an API answer, or a generic one with the status. */
export function apiErrorMessage(answer: { status: number; body: ApiAnswer }): string {
  return answer.body.error?.message ?? `the admin API answered ${answer.status}`;
}
