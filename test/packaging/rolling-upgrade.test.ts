/**
 * A rolling upgrade (docs/upgrading.md#rolling-upgrades): the database is migrated by this
 * release while processes of the previous release (previous-release.json, checked out and
 * installed as its users run it) keep serving it; then old and new `colt-relay serve` run side
 * by side on that one Postgres database, each with the same webhook rule to one loopback
 * receiver that verifies signatures; then the old one stops mid-way and the new one finishes.
 * Every callback answered 200 must be delivered exactly once, no process may log an error, and
 * nothing may be left in the outboxes.
 *
 * Slow (≈ 45 s on a busy 2-core machine, most of it the release's `npm ci`), so it runs apart
 * from `npm test`: `npm run test:upgrade` (CI runs it). Needs TEST_DATABASE_URL: PGlite
 * serves one process, so there is nothing to roll there.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../src/store/migrate.js';
import { BIN, runCli } from '../support/cli.js';
import { journalTags, type PreviousRelease } from '../support/migration-policy.js';
import { ensureCommit, type InstalledRelease, installPreviousRelease, ROOT, runCommand } from '../support/previous-release.js';
import { type RelayProcess, startRelayProcess } from '../support/relay-process.js';
import { dropDatabase, uniqueDatabaseName, withDatabase } from '../support/template-db.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';
import previousRelease from './previous-release.json' with { type: 'json' };

const PREVIOUS: PreviousRelease = previousRelease;
const ADMIN_URL = process.env.TEST_DATABASE_URL;
const TOKEN = 'rolling-upgrade-callback-token-0123456789';
const SECRET = `whsec_${Buffer.from('rolling-upgrade-webhook-secret-0123456789').toString('base64')}`;
const RELEASES = { old: PREVIOUS.version, new: 'new' } as const;

/** The same rule for both releases; the header tells the receiver which release sent each webhook. */
const rulesFor = (url: string, release: string) => `
channels:
  downstream:
    type: webhook
    url: ${url}
    secret: ${SECRET}
    headers: { x-relay-release: "${release}" }
rules:
  - name: everything-downstream
    notify: [downstream]
`;

const callback = (orderId: string) => ({
  orderId,
  orderType: 'Number Activation',
  orderStatus: 'Completed',
  timestamp: new Date().toISOString(),
});

/** A TMF621 trouble-ticket notification about `orderId` (POST /callbacks/colt/tickets). */
const ticketNotification = (orderId: string) => ({
  eventId: `evt-${orderId}`,
  eventTime: new Date().toISOString(),
  eventType: 'TroubleTicketStateChangeEvent',
  event: { troubleTicket: { id: `TT-${orderId}`, status: 'inProgress', relatedEntity: [{ id: orderId, role: 'order', '@referredType': 'ProductOrder' }] } },
});

/** POSTs a callback (or a ticket notification to `path`); the HTTP status, or 0 when the process did not answer (stopped). */
async function post(relay: RelayProcess, body: object, path = '/callbacks/colt'): Promise<number> {
  try {
    const res = await fetch(`${relay.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Runs `task` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
}

const cleanups: (() => Promise<unknown>)[] = [];
let release: InstalledRelease;
let sql: postgres.Sql;
let peer: WebhookPeer;
const relays = {} as Record<keyof typeof RELEASES, RelayProcess>;
/** Orders whose callback some process answered 200, and which process that was. */
const accepted = new Map<string, Set<keyof typeof RELEASES>>();
const timings: Record<string, number> = {};

/** Outbox rows still to do: events to route, deliveries to send. */
async function outbox(): Promise<{ events: number; work: number; open: number }> {
  const [row] = await sql<{ events: number; work: number; open: number }[]>`
    select (select count(*)::int from callback_events) as events,
           (select count(*)::int from event_work) as work,
           (select count(*)::int from deliveries where status not in ('delivered', 'dead', 'suppressed', 'grouped')) as open`;
  return row!;
}

/** A log line in a few hundred characters: its message and the end of its error, where Postgres says what failed. */
function summary(line: string): string {
  try {
    const { msg, err } = JSON.parse(line) as { msg?: string; err?: unknown };
    const error = typeof err === 'string' ? err : ((err as { message?: string } | undefined)?.message ?? JSON.stringify(err));
    return `${msg}: …${String(error).slice(-300)}`;
  } catch {
    return line.slice(0, 400);
  }
}

/** The first error lines each process logged, shortened: empty while all is well. */
function errorsLogged(): Record<string, string[]> {
  const shown = (relay: RelayProcess) => relay.errorLines().slice(0, 3).map(summary);
  return { [relays.old.name]: shown(relays.old), [relays.new.name]: shown(relays.new) };
}

const noErrors = () => ({ [relays.old.name]: [], [relays.new.name]: [] });

/**
 * Waits until every accepted callback is stored, routed and its delivery settled. Fails at
 * the first error a process logs: a release that cannot write keeps retrying, and the message
 * should name the failed statement, not a timeout.
 */
async function drained(timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await outbox();
  while (Date.now() < deadline) {
    expect(errorsLogged()).toEqual(noErrors());
    last = await outbox();
    // More events than accepted callbacks is a duplicate stored twice: expectExactlyOnce names it.
    if (last.events >= accepted.size && last.work === 0 && last.open === 0) return;
    await new Promise((r) => setTimeout(r, 200)); // other processes' work: no clock to drive
  }
  throw new Error(`outbox not drained after ${timeoutMs} ms: ${JSON.stringify(last)} for ${accepted.size} accepted callbacks`);
}

/** Posts one callback to `relay` and records it when answered 200. */
async function send(name: keyof typeof RELEASES, orderId: string, body: object = callback(orderId), path?: string): Promise<number> {
  const status = await post(relays[name], body, path);
  if (status === 200) accepted.set(orderId, (accepted.get(orderId) ?? new Set()).add(name));
  return status;
}

/** Each accepted order's webhooks as the receiver verified them, and who sent them. */
function received(): Map<string, { webhookId: string; release: string }[]> {
  const byOrder = new Map<string, { webhookId: string; release: string }[]>();
  for (const request of peer.requests) {
    const orderId = (request.payload as { data?: { orderId?: string } } | undefined)?.data?.orderId ?? `(unverified: ${request.verifyError})`;
    byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), { webhookId: request.webhookId ?? '', release: request.headers['x-relay-release'] ?? '' }]);
  }
  return byOrder;
}

/** Every accepted order stored once and delivered exactly once (by order id and by webhook-id), and nothing else delivered. */
async function expectExactlyOnce(): Promise<void> {
  const stored = await sql<{ order_id: string; n: number }[]>`
    select order_id, count(*)::int as n from callback_events group by order_id having count(*) > 1 order by order_id`;
  expect(stored.map((r) => `${r.order_id}: stored ${r.n} times`)).toEqual([]);
  const byOrder = received();
  const counts = (ids: Iterable<string>) => [...ids].filter((id) => byOrder.get(id)?.length !== 1).map((id) => `${id}: ${byOrder.get(id)?.length ?? 0}`);
  expect(counts(accepted.keys())).toEqual([]);
  expect([...byOrder.keys()].filter((id) => !accepted.has(id))).toEqual([]);
  const ids = peer.requests.map((r) => r.webhookId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(peer.requests.every((r) => r.verified)).toBe(true);
}

beforeAll(async () => {
  if (!ADMIN_URL) {
    throw new Error('TEST_DATABASE_URL is not set: the rolling-upgrade test needs Postgres (e.g. postgres://postgres@127.0.0.1:5432/test)');
  }
  release = await installPreviousRelease(PREVIOUS);
  cleanups.push(() => release.remove());
  timings.installMs = release.installMs;

  const name = uniqueDatabaseName('colt_upgrade');
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  cleanups.push(async () => {
    await sql?.end();
    await dropDatabase(admin, name);
    await admin.end();
  });
  const url = withDatabase(ADMIN_URL, name);
  sql = postgres(url, { max: 2, onnotice: () => {} });

  let started = Date.now();
  // Step 1 of a rolling upgrade: migrate once, with the new release.
  const migrated = await runCli(['migrate'], { DATABASE_URL: url });
  expect(migrated.stderr + migrated.stdout).toMatch(/migrations applied/);
  expect(migrated.code).toBe(0);
  timings.migrateMs = Date.now() - started;

  peer = await startWebhookPeer(SECRET);
  cleanups.push(() => peer.close());
  started = Date.now();
  for (const key of ['old', 'new'] as const) {
    const env = {
      DATABASE_URL: url,
      DATABASE_POOL_SIZE: '5',
      PORT: '0',
      HOST: '127.0.0.1',
      CALLBACK_TOKEN: TOKEN,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: 'info',
      RULES: rulesFor(peer.url, RELEASES[key]),
    };
    const bin = key === 'old' ? release.bin : BIN;
    relays[key] = await startRelayProcess(`${RELEASES[key]} serve`, bin, env);
    cleanups.push(() => relays[key].stop(5_000));
  }
  timings.startMs = Date.now() - started;
}, 600_000);

afterAll(async () => {
  const started = Date.now();
  const failures: unknown[] = [];
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => failures.push(error));
  timings.cleanupMs = Date.now() - started;
  console.info(`rolling upgrade ${PREVIOUS.version} → this checkout: ${JSON.stringify(timings)}`);
  if (failures.length > 0) throw new AggregateError(failures, 'rolling-upgrade cleanup failed');
}, 120_000);

describe(`rolling upgrade from ${PREVIOUS.version} (${PREVIOUS.commit.slice(0, 7)})`, () => {
  it(`the previous release's migrations are the first of this release's, unchanged`, () => {
    const old = journalTags(release.migrations);
    expect(old.at(-1)).toBe(PREVIOUS.lastMigration);
    expect(journalTags(MIGRATIONS_FOLDER).slice(0, old.length)).toEqual(old);
    const changed = old.filter((tag) => readFileSync(join(release.migrations, `${tag}.sql`), 'utf8') !== readFileSync(join(MIGRATIONS_FOLDER, `${tag}.sql`), 'utf8'));
    expect(changed).toEqual([]);
  });

  it('old and new serve one migrated database side by side: every callback delivered once, the same callback or ticket notification to both stored once', async () => {
    const started = Date.now();
    const orders = Array.from({ length: 300 }, (_, i) => `IN-ROLL-A-${i}`);
    const statuses: number[] = [];
    await inParallel(orders, 16, async (orderId, i) => {
      statuses.push(await send(i % 2 === 0 ? 'old' : 'new', orderId));
    });
    // The same callback, or ticket notification, to both releases at once: one event, one webhook.
    const shared = Array.from({ length: 30 }, (_, i) => `IN-ROLL-SHARED-${i}`);
    await inParallel(shared, 8, async (orderId) => {
      const body = callback(orderId);
      statuses.push(...(await Promise.all([send('old', orderId, body), send('new', orderId, body)])));
    });
    const tickets = Array.from({ length: 10 }, (_, i) => `IN-ROLL-TICKET-${i}`);
    await inParallel(tickets, 4, async (orderId) => {
      const body = ticketNotification(orderId);
      const path = '/callbacks/colt/tickets';
      statuses.push(...(await Promise.all([send('old', orderId, body, path), send('new', orderId, body, path)])));
    });
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await drained();
    timings.sideBySideMs = Date.now() - started;

    await expectExactlyOnce();
    const senders = [...received().values()].flat().map((r) => r.release);
    // Both releases routed and delivered: they really shared the outboxes.
    expect(senders.filter((r) => r === RELEASES.old).length).toBeGreaterThan(0);
    expect(senders.filter((r) => r === RELEASES.new).length).toBeGreaterThan(0);
    expect((await sql`select status, count(*)::int as n from deliveries group by status`).map((r) => `${r.status}: ${r.n}`)).toEqual([
      `delivered: ${accepted.size}`,
    ]);
    expect(errorsLogged()).toEqual(noErrors());
  });

  it('the old release stops mid-way (SIGTERM, as a rollout does) and the new one finishes its work', async () => {
    const started = Date.now();
    // A slower receiver keeps work in the outbox when the old process is told to stop.
    peer.setDefault({ status: 200, body: '{"received":true}', delayMs: 20 });
    const orders = Array.from({ length: 200 }, (_, i) => `IN-ROLL-B-${i}`);
    let stopping: Promise<number | null> | undefined;
    let leftAtStop: Awaited<ReturnType<typeof outbox>> | undefined;
    await inParallel(orders, 8, async (orderId, i) => {
      if (i === 100 && !stopping) {
        leftAtStop = await outbox();
        stopping = relays.old.stop();
      }
      // Refused by the stopping process: the sender tries again, and reaches the new one.
      if ((await send('old', orderId)) !== 200) expect(await send('new', orderId)).toBe(200);
    });
    expect(await stopping).toBe(0);
    expect(leftAtStop!.work + leftAtStop!.open).toBeGreaterThan(0);
    await drained();
    timings.stopMidwayMs = Date.now() - started;

    await expectExactlyOnce();
    const byOrder = received();
    const finishedByNew = orders.filter((id) => accepted.get(id)?.has('old') && byOrder.get(id)?.[0]?.release === RELEASES.new);
    expect(finishedByNew.length).toBeGreaterThan(0);
    expect(await relays.new.stop()).toBe(0);
    expect(await outbox()).toEqual({ events: accepted.size, work: 0, open: 0 });
    expect(errorsLogged()).toEqual(noErrors());
  });
});

describe('finding the previous release in a clone', () => {
  it('a shallow clone is deepened to reach the commit; a commit nowhere to be had fails, saying why', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'colt-relay-shallow-'));
    try {
      const cloned = await runCommand('git', ['clone', '--quiet', '--depth', '1', `file://${ROOT}`, clone]);
      expect(cloned).toMatchObject({ code: 0 });
      expect((await runCommand('git', ['-C', clone, 'rev-parse', '--is-shallow-repository'])).output.trim()).toBe('true');
      await ensureCommit(PREVIOUS, clone);
      expect((await runCommand('git', ['-C', clone, 'cat-file', '-t', PREVIOUS.commit])).output.trim()).toBe('commit');

      const missing = { ...PREVIOUS, commit: 'f'.repeat(40) };
      await expect(ensureCommit(missing, clone)).rejects.toThrow(/not in this clone and could not be fetched:\n {2}git fetch origin f{40}: /);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });
});
