/**
 * Trouble-ticket statuses (docs/design.md#trouble-tickets) as rules see them in `ticket.<status>`: the vocabulary the
 * receiver, the store and the colt-ticket channel share.
 */

/** Ticket statuses as rules see them in `ticket.<status>`. */
export const TICKET_STATUSES = ['acknowledged', 'rejected', 'pending', 'held', 'in_progress', 'cancelled', 'resolved', 'closed', 'unknown'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Statuses after which a ticket is no longer open: a new problem needs a new ticket. */
export const CLOSED_TICKET_STATUSES: ReadonlySet<TicketStatus> = new Set(['resolved', 'closed', 'cancelled', 'rejected']);

/** `inProgress`, `in progress`, `IN_PROGRESS` → `in_progress`; anything unknown → `unknown`. */
export function normaliseTicketStatus(raw: string | null | undefined): TicketStatus {
  const key = (raw ?? '').toLowerCase().replace(/[\s_-]+/g, '');
  const found = TICKET_STATUSES.find((s) => s.replace('_', '') === key);
  return found ?? (key === 'canceled' ? 'cancelled' : 'unknown');
}
