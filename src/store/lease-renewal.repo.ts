/**
 * Heartbeat for claimed work: a dispatcher renews the leases of the deliveries and events it
 * still holds, so a lease can be short (a dispatcher's work comes back within one lease)
 * without a slow send or enrichment losing its claim. One statement per kind of row.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import type { DeliveryLease } from './deliveries.repo.js';
import { rowsOf } from './rows.js';

/** A claimed outbox row: the event and the claim's attempt number. */
export interface EventLease {
  eventId: string;
  attempts: number;
}

export interface RenewOptions {
  now: Date;
  /** The renewed leases end this long after `now`. */
  leaseMs: number;
}

/**
 * Extends the leases of deliveries still `sending` under the same claim (its attempt
 * number: every claim adds one, so a row another dispatcher took over is left alone).
 * A claimed row's next_attempt_at is its lease end (see claimDueDeliveries), so both move.
 * Returns the ids renewed.
 */
export function renewDeliveryLeases(db: DbOrTx, held: readonly DeliveryLease[], options: RenewOptions): Promise<string[]> {
  return renewSending(db, sql`deliveries`, sql`next_attempt_at`, held, options);
}

/** A claimed delivery group (docs/design.md#grouping): its id and the claim's attempt number. */
export interface GroupLease {
  id: string;
  attempts: number;
}

/** Extends the leases of delivery groups still `sending` under the same claim (due_at is the lease end, like a delivery's). */
export function renewGroupLeases(db: DbOrTx, held: readonly GroupLease[], options: RenewOptions): Promise<string[]> {
  return renewSending(db, sql`delivery_groups`, sql`due_at`, held, options);
}

/** Deliveries and groups alike: rows `sending` under the claim `attempts`, whose lease ends at `due` too. */
async function renewSending(
  db: DbOrTx,
  table: SQL,
  due: SQL,
  held: readonly { id: string; attempts: number }[],
  options: RenewOptions,
): Promise<string[]> {
  if (held.length === 0) return [];
  const input = JSON.stringify(held.map((h) => ({ id: h.id, attempts: h.attempts })));
  const until = new Date(options.now.getTime() + options.leaseMs).toISOString();
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      update ${table} t set lease_until = ${until}::timestamptz, ${due} = ${until}::timestamptz
      from jsonb_to_recordset(${input}::jsonb) as i(id uuid, attempts int)
      where t.id = i.id and t.status = 'sending' and t.attempts = i.attempts and t.lease_until is not null
      returning t.id`),
  );
  return rows.map((r) => r.id);
}

/** Extends the leases of outbox rows still claimed under the same claim; returns the event ids renewed. */
export async function renewEventLeases(db: DbOrTx, held: readonly EventLease[], options: RenewOptions): Promise<string[]> {
  if (held.length === 0) return [];
  const input = JSON.stringify(held.map((e) => ({ event_id: e.eventId, attempts: e.attempts })));
  const until = new Date(options.now.getTime() + options.leaseMs).toISOString();
  const rows = rowsOf<{ event_id: string }>(
    await db.execute(sql`
      update event_work w set lease_until = ${until}::timestamptz
      from jsonb_to_recordset(${input}::jsonb) as i(event_id uuid, attempts int)
      where w.event_id = i.event_id and w.attempts = i.attempts and w.lease_until is not null
      returning w.event_id`),
  );
  return rows.map((r) => r.event_id);
}
