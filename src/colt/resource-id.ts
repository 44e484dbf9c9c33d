/**
 * Ids that become one segment of a Colt API path: `/order/{orderId}` and the TMF621
 * `/troubleTicket/{ticketId}`. Both come from outside (a callback, a ticket notification, an
 * API answer), so each is checked here before it is put in a URL, and ticket ids once more
 * at intake (receive/ticket-notification.ts).
 *
 * encodeURIComponent keeps `/`, `?`, `#` and `%` inside the segment (so `../x` and `%2e%2e`
 * stay one harmless segment), but `.` and `..` survive it and a URL parser resolves them as
 * dot segments (`/troubleTicket/..` is the API root); an empty id names the collection
 * itself; a lone UTF-16 surrogate makes encodeURIComponent throw.
 */

/** A permanent failure: the id can never be sent, however often the call is retried. */
export interface PathRefusal {
  ok: false;
  retryable: false;
  reason: string;
}

/** Why `id` cannot be one path segment, or null when it can. */
export function pathSegmentProblem(id: unknown): 'empty' | 'dot segment' | 'unpaired surrogate' | null {
  if (typeof id !== 'string' || id.trim() === '') return 'empty';
  if (id === '.' || id === '..') return 'dot segment';
  if (!id.isWellFormed()) return 'unpaired surrogate';
  return null;
}

/**
 * `{collection}/{id}` with the id as one encoded path segment, or why it cannot be.
 * @param call names the request in the reason (`GET /order`), `what` the id (`order id`).
 */
export function resourcePath(collection: '/order' | '/troubleTicket', id: unknown, call: string, what: string): string | PathRefusal {
  const problem = pathSegmentProblem(id);
  if (problem === null) return `${collection}/${encodeURIComponent(id as string)}`;
  const reason =
    problem === 'empty'
      ? `${call}: empty ${what}`
      : problem === 'dot segment'
        ? `${call}: ${what} "${id as string}" cannot be used (a path segment "${id as string}" would leave ${collection}/)`
        : `${call}: ${what} ${JSON.stringify(id)} holds an unpaired UTF-16 surrogate and cannot be put in a URL`;
  return { ok: false, retryable: false, reason };
}

/** `/troubleTicket/{ticketId}` for `call` (`PATCH /troubleTicket`), or the permanent refusal. */
export function ticketPath(ticketId: unknown, call = 'PATCH /troubleTicket'): string | PathRefusal {
  return resourcePath('/troubleTicket', ticketId, call, 'ticket id');
}
