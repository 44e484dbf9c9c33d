/**
 * `colt-relay replay | deliveries retry | prune` as an operator runs them: real processes
 * through the CLI (test/support/cli.ts: the compiled command, or the sources when not yet built) against a Postgres database (DATABASE_URL) and a PGlite DATA_DIR.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store, StoreKind } from '../../../src/store/db.js';
import { insertDeliveries } from '../../../src/store/deliveries.repo.js';
import { openStore } from '../../../src/store/open.js';
import { callbackEvents, deliveries, orders } from '../../../src/store/schema.js';
import { insertTestEvent } from '../../deliver/support.js';
import { runCli } from '../../support/cli.js';
import { createPgliteDataDir, createTestStore, STORE_KINDS, type TestStore } from '../../support/store.js';

const RULES = 'channels:\n  console: { type: log }\n  audit: { type: log }\nrules:\n  - name: all\n    notify: [console, audit]\n';
const DAY = 86_400_000;

const run = (args: string[], env: Record<string, string>) => runCli(args, { LOG_LEVEL: 'silent', ...env });

interface Target {
  env: Record<string, string>;
  /** A connection for seeding and checking; PGlite allows one process, so it is closed around each command. */
  open(): Promise<Store>;
  done(store: Store): Promise<void>;
  close(): Promise<void>;
}

async function target(kind: StoreKind): Promise<Target> {
  if (kind === 'postgres') {
    const store: TestStore = await createTestStore('postgres', { poolSize: 2 });
    return { env: { DATABASE_URL: store.url! }, open: async () => store, done: async () => {}, close: () => store.close() };
  }
  const parent = await mkdtemp(join(tmpdir(), 'colt-relay-ops-'));
  const dir = await createPgliteDataDir(parent);
  return {
    env: { DATA_DIR: dir },
    open: () => openStore({ dataDir: dir }),
    done: (store) => store.close(),
    close: () => rm(parent, { recursive: true, force: true }),
  };
}

describe.each(STORE_KINDS)('operator commands (%s)', { timeout: 120_000 }, (kind) => {
  let t: Target;
  let eventId: string;
  let deadId: string;
  let env: Record<string, string>;
  const withStore = async <T>(fn: (store: Store) => Promise<T>): Promise<T> => {
    const store = await t.open();
    try {
      return await fn(store);
    } finally {
      await t.done(store);
    }
  };
  beforeAll(async () => {
    t = await target(kind);
    env = { ...t.env, RULES };
    await withStore(async (store) => {
      const old = new Date(Date.now() - 120 * DAY);
      eventId = await insertTestEvent(store.db, { receivedAt: new Date(), orderId: 'ORD-LIVE', queue: false });
      [deadId = ''] = await insertDeliveries(store.db, [{ eventId, orderId: 'ORD-LIVE', channel: 'console', channelType: 'log', rules: ['all'] }], new Date());
      await store.db.update(deliveries).set({ status: 'dead', attempts: 9, lastError: 'gave up' }).where(eq(deliveries.id, deadId!));
      await insertTestEvent(store.db, { receivedAt: old, orderId: 'ORD-OLD', queue: false });
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('deliveries list: newest first, filtered by status and channel, paged with --cursor; --json is the API page', async () => {
    const deliveredId = await withStore(async (store) => {
      const [id] = await insertDeliveries(store.db, [{ eventId, orderId: 'ORD-LIVE', channel: 'audit', channelType: 'log', rules: ['all'] }], new Date(Date.now() + 1_000));
      await store.db.update(deliveries).set({ status: 'delivered', attempts: 1 }).where(eq(deliveries.id, id!));
      return id!;
    });
    const all = await run(['deliveries', 'list', '--json'], env);
    expect([all.code, all.stderr]).toEqual([0, '']);
    const page = JSON.parse(all.stdout) as { items: Record<string, unknown>[]; nextCursor: string | null };
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((d) => [d.id, d.status, d.channel])).toEqual([
      [deliveredId, 'delivered', 'audit'],
      [deadId, 'dead', 'console'],
    ]);
    expect(page.items[1]).toMatchObject({ orderId: 'ORD-LIVE', channelType: 'log', attempts: 9, lastError: 'gave up', eventId, generation: 0 });
    expect(page.items[1]!.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);

    const dead = await run(['deliveries', 'list', '--status', 'dead', '--channel', 'console'], env);
    expect([dead.code, dead.stderr]).toEqual([0, '']);
    expect(dead.stdout).toMatch(new RegExp(`^${deadId}  dead        console \\(log\\)  order ORD-LIVE  9 attempts  updated \\S+Z  gave up\n$`));
    const none = await run(['deliveries', 'list', '--status', 'pending'], env);
    expect([none.code, none.stdout]).toEqual([0, 'no deliveries\n']);

    const first = await run(['deliveries', 'list', '--limit', '1', '--json'], env);
    const firstPage = JSON.parse(first.stdout) as { items: { id: string }[]; nextCursor: string };
    expect(firstPage.items.map((d) => d.id)).toEqual([deliveredId]);
    expect(first.stderr).toBe(`more: add --cursor ${firstPage.nextCursor}\n`);
    const second = await run(['deliveries', 'list', '--limit', '1', '--cursor', firstPage.nextCursor, '--json'], env);
    expect(JSON.parse(second.stdout)).toMatchObject({ items: [{ id: deadId }], nextCursor: null });
    const forged = await run(['deliveries', 'list', '--cursor', 'not-a-cursor'], env);
    expect([forged.code, forged.stdout]).toEqual([2, '']);
    expect(forged.stderr).toContain('--cursor: not a cursor this list printed');
  });

  it('deliveries retry: a dead delivery is pending again; retrying it twice is refused', async () => {
    const first = await run(['deliveries', 'retry', deadId], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`delivery ${deadId} (console, was dead) is pending again`);
    const row = await withStore(async (s) => (await s.db.select().from(deliveries).where(eq(deliveries.id, deadId)))[0]);
    expect(row).toMatchObject({ status: 'pending', attempts: 9 });
    const second = await run(['deliveries', 'retry', deadId], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('is pending: only dead or retrying deliveries can be retried');
    const missing = await run(['deliveries', 'retry', '01900000-0000-7000-8000-000000000000'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no delivery');
  });

  it('deliveries retry --dead --since [--channel]: every delivery that died since then is pending again', async () => {
    const HOUR = 3_600_000;
    const seeded = await withStore(async (store) => {
      const ids: Record<string, string[]> = { recent: [], old: [], audit: [] };
      for (const [group, channel, ago] of [['recent', 'console', HOUR], ['recent', 'console', HOUR], ['old', 'console', 5 * HOUR], ['audit', 'audit', HOUR]] as const) {
        const ev = await insertTestEvent(store.db, { receivedAt: new Date(), orderId: `ORD-BULK-${group}`, queue: false });
        const [id] = await insertDeliveries(store.db, [{ eventId: ev, orderId: `ORD-BULK-${group}`, channel, channelType: 'log', rules: ['all'] }], new Date());
        await store.db.update(deliveries).set({ status: 'dead', attempts: 9, updatedAt: new Date(Date.now() - ago) }).where(eq(deliveries.id, id!));
        ids[group]!.push(id!);
      }
      return ids;
    });
    const res = await run(['deliveries', 'retry', '--dead', '--since', '2h', '--channel', 'console'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^2 dead deliveries of channel console since \S+ are pending again/);
    const statuses = await withStore(async (s) => {
      const rows = await s.db.select().from(deliveries).where(inArray(deliveries.id, Object.values(seeded).flat()));
      return Object.fromEntries(Object.entries(seeded).map(([g, ids]) => [g, rows.filter((r) => ids.includes(r.id)).map((r) => r.status)]));
    });
    expect(statuses).toEqual({ recent: ['pending', 'pending'], old: ['dead'], audit: ['dead'] });
    const unknown = await run(['deliveries', 'retry', '--dead', '--since', '2h', '--channel', 'nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no channel "nope"');
    // The prune test below counts events: these are not its business.
    await withStore(async (store) => {
      await store.db.delete(callbackEvents).where(like(callbackEvents.orderId, 'ORD-BULK-%'));
      await store.db.delete(orders).where(like(orders.orderId, 'ORD-BULK-%'));
    });
  });

  it('replay: queues a new generation under the rules from RULES; an unknown event exits 1', async () => {
    const res = await run(['replay', eventId], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`event ${eventId}: generation 1, 2 deliveries queued`);
    const rows = await withStore((s) => s.db.select().from(deliveries).where(eq(deliveries.eventId, eventId)));
    expect(rows.filter((r) => r.generation === 1).map((r) => [r.channel, r.status]).sort()).toEqual([
      ['audit', 'pending'],
      ['console', 'pending'],
    ]);
    const unknown = await run(['replay', '01900000-0000-7000-8000-000000000000'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no event 01900000-0000-7000-8000-000000000000');
  });

  it('replay --json: the result as one JSON document, the note on stderr', async () => {
    const res = await run(['replay', eventId, '--json'], env);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe(kind === 'pglite' ? 'no relay runs on DATA_DIR: they are sent when it starts\n' : 'a running relay sends them at its next poll\n');
    const result = JSON.parse(res.stdout) as { deliveryIds: string[] };
    expect(result).toEqual({ eventId, generation: 2, deliveryIds: expect.any(Array), skippedStale: false, through: 'database' });
    const rows = await withStore((s) => s.db.select().from(deliveries).where(eq(deliveries.generation, 2)));
    expect(rows.map((r) => r.id).sort()).toEqual([...result.deliveryIds].sort());
    expect(result.deliveryIds).toHaveLength(2);
  });

  it('prune --older-than 90d: deletes the old finished event, keeps orders and the live one', async () => {
    const res = await run(['prune', '--older-than', '90d'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/pruned before \S+: 1 events, 0 attempts, 0 rejected callbacks/);
    const left = await withStore(async (s) => ({
      events: (await s.db.select({ orderId: callbackEvents.orderId }).from(callbackEvents)).map((e) => e.orderId),
      orders: (await s.db.select({ orderId: orders.orderId }).from(orders)).map((o) => o.orderId).sort(),
    }));
    expect(left).toEqual({ events: ['ORD-LIVE'], orders: ['ORD-LIVE', 'ORD-OLD'] });
    const hours = await run(['prune', '--older-than', '48h'], env);
    expect(hours.code).toBe(0);
    expect(hours.stdout).toContain('0 events');
  });

});

describe('operator commands: usage', () => {
  it('exit 2 with usage on wrong arguments, before touching any database', async () => {
    const cases = [
      ['prune'],
      ['prune', '--older-than', '90'],
      ['prune', '--older-than', '3w'],
      ['prune', '--nope', '1d'],
      ['replay'],
      ['replay', 'x', '--jsn'],
      ['deliveries', 'redo', 'x'],
      ['deliveries', 'lst'],
      ['deliveries', 'list', '--status', 'ded'],
      ['deliveries', 'list', '--limit', '500'],
      ['deliveries', 'list', '--chanel', 'x'],
    ];
    // DATABASE_URL points nowhere: a command that tried to connect would exit 1, not 2.
    const results = await Promise.all(cases.map((args) => run(args, { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' })));
    results.forEach((res, i) => {
      expect(res.code, cases[i]!.join(' ')).toBe(2);
      expect(res.stderr, cases[i]!.join(' ')).toMatch(/usage: colt-relay/);
      expect(res.stdout, cases[i]!.join(' ')).toBe('');
    });
    const said = (args: string) => results[cases.findIndex((c) => c.join(' ') === args)]!.stderr;
    expect(said('replay x --jsn')).toContain('unknown option --jsn (did you mean "--json"?)');
    expect(said('deliveries lst')).toContain('unknown subcommand "lst" (did you mean "list"?)');
    expect(said('deliveries list --status ded')).toContain('--status: unknown status "ded" (did you mean "dead"?)');
    expect(said('deliveries list --limit 500')).toContain('--limit: "500" is not a whole number from 1 to 200');
    expect(said('deliveries list --chanel x')).toContain('unknown option --chanel (did you mean "--channel"?)');
  });

  it('bulk retry: exit 2 with usage unless --dead and a valid --since are given', { timeout: 60_000 }, async () => {
    const cases = [
      ['deliveries', 'retry', '--dead'],
      ['deliveries', 'retry', '--since', '2h'],
      ['deliveries', 'retry', '--dead', '--since', 'soon'],
      ['deliveries', 'retry', '--dead', '--since', '2h', '--nope'],
    ];
    const results = await Promise.all(cases.map((args) => run(args, { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' })));
    results.forEach((res, i) => {
      expect(res.code, cases[i]!.join(' ')).toBe(2);
      expect(res.stderr, cases[i]!.join(' ')).toMatch(/usage: colt-relay deliveries retry <deliveryId>\n\s+colt-relay deliveries retry --dead --since/);
    });
    expect(results[2]!.stderr).toContain('--since: "soon" is not an ISO 8601 time');
  });
});
