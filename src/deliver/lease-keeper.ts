/**
 * The dispatcher's heartbeat: while it holds claimed work (events being enriched and routed,
 * deliveries queued or being sent), their leases are renewed every `renewMs`. The lease
 * can then be short, so the work of a dispatcher that died (kill -9, lost machine) comes back
 * within one lease, while a dispatcher keeps what it holds however slow a peer is.
 * The timer runs only while something is held.
 */
import type { DeliveryLease } from '../store/deliveries.repo.js';
import { renewDeliveryLeases, renewEventLeases, renewGroupLeases, type EventLease, type GroupLease } from '../store/lease-renewal.repo.js';
import type { DispatcherContext } from './dispatcher-deps.js';

export interface LeaseKeeper {
  holdDelivery(lease: DeliveryLease): void;
  releaseDelivery(lease: DeliveryLease): void;
  holdEvents(leases: readonly EventLease[]): void;
  releaseEvents(leases: readonly EventLease[]): void;
  holdGroup(lease: GroupLease): void;
  releaseGroup(lease: GroupLease): void;
  /** Renews every held lease now; resolves with how many were renewed. */
  renew(): Promise<number>;
}

export function createLeaseKeeper<R>(ctx: DispatcherContext<R>): LeaseKeeper {
  const deliveries = new Set<DeliveryLease>();
  const events = new Set<EventLease>();
  const groups = new Set<GroupLease>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let renewing: Promise<number> | null = null;

  const renewNow = async (): Promise<number> => {
    const options = { now: new Date(ctx.clock.now()), leaseMs: ctx.leaseMs };
    const [d, e, g] = await Promise.all([
      renewDeliveryLeases(ctx.store.db, [...deliveries], options),
      renewEventLeases(ctx.store.db, [...events], options),
      renewGroupLeases(ctx.store.db, [...groups], options),
    ]);
    return d.length + e.length + g.length;
  };
  // One renewal at a time: a slow database must not pile statements up.
  const renew = () =>
    (renewing ??= renewNow().finally(() => {
      renewing = null;
    }));

  const heartbeat = () => {
    renew().catch((err: unknown) => {
      // The next beat tries again; only a lease that runs out meanwhile is lost.
      ctx.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not renew work leases');
    });
  };
  const update = () => {
    const holding = deliveries.size + events.size + groups.size > 0;
    if (holding && timer === null && ctx.leaseRenewMs > 0) {
      timer = setInterval(heartbeat, ctx.leaseRenewMs);
      // Node: a heartbeat alone must not keep the process alive (Workers have no unref).
      (timer as { unref?: () => void }).unref?.();
    } else if (!holding && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };

  return {
    holdDelivery(lease) {
      deliveries.add(lease);
      update();
    },
    releaseDelivery(lease) {
      deliveries.delete(lease);
      update();
    },
    holdEvents(leases) {
      for (const l of leases) events.add(l);
      update();
    },
    releaseEvents(leases) {
      for (const l of leases) events.delete(l);
      update();
    },
    holdGroup(lease) {
      groups.add(lease);
      update();
    },
    releaseGroup(lease) {
      groups.delete(lease);
      update();
    },
    renew,
  };
}
