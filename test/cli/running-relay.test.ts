/**
 * One process owns a PGlite DATA_DIR (docs/design.md#runtime-and-packaging), as an operator meets it: a `serve`
 * process holds the folder; a second server is refused with the holder named; `replay`,
 * `deliveries retry` and `prune` go through the running relay's admin API, and the
 * deliveries really reach the loopback webhook receiver; without ADMIN_TOKEN they refuse
 * and change nothing. Real processes through bin/colt-relay.mjs.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LockHolder } from '../../src/runtime/node/data-dir-lock.js';
import { insertDeliveries } from '../../src/store/deliveries.repo.js';
import { openPgliteStore } from '../../src/store/pglite.js';
import { deliveries } from '../../src/store/schema.js';
import { insertTestEvent } from '../deliver/support.js';
import { runCli, startCli, waitForRelay, type RunningCli } from '../support/cli.js';
import { createPgliteDataDir } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const SECRET = `whsec_${Buffer.from('colt-relay-running-relay-secret!').toString('base64')}`;
const ADMIN_TOKEN = 'running-relay-admin-token-0123456789';
const rules = (url: string) => `channels:\n  oss: { type: webhook, url: "${url}", secret: "\${HOOK_SECRET}" }\nrules:\n  - name: all\n    notify: [oss]\n`;

describe('a running relay on a PGlite DATA_DIR', () => {
  let parent: string;
  let dir: string;
  let hook: WebhookPeer;
  let relay: RunningCli;
  let holder: LockHolder;
  let eventId: string;
  let deadId: string;
  const bulkIds: string[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'colt-relay-running-'));
    dir = await createPgliteDataDir(parent);
    hook = await startWebhookPeer(SECRET);
    const store = await openPgliteStore({ dataDir: dir });
    eventId = await insertTestEvent(store.db, { receivedAt: new Date(), orderId: 'ORD-HELD', queue: false });
    [deadId = ''] = await insertDeliveries(store.db, [{ eventId, orderId: 'ORD-HELD', channel: 'oss', channelType: 'webhook', rules: ['all'] }], new Date());
    await store.db.update(deliveries).set({ status: 'dead', attempts: 9, lastError: 'gave up' }).where(eq(deliveries.id, deadId));
    for (let i = 0; i < 3; i++) {
      const orderId = `ORD-BULK-${i}`;
      const bulkEvent = await insertTestEvent(store.db, { receivedAt: new Date(), orderId, queue: false });
      bulkIds.push(...(await insertDeliveries(store.db, [{ eventId: bulkEvent, orderId, channel: 'oss', channelType: 'webhook', rules: ['all'] }], new Date())));
    }
    const hourAgo = new Date(Date.now() - 3_600_000);
    await store.db.update(deliveries).set({ status: 'dead', attempts: 9, lastError: 'gave up', updatedAt: hourAgo }).where(inArray(deliveries.id, bulkIds));
    await store.close();
    env = { DATA_DIR: dir, RULES: rules(hook.url), HOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE: 'true', LOG_LEVEL: 'warn' };
    relay = startCli(['serve'], { ...env, PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN, CALLBACK_TOKEN: 'running-relay-callback-token-0123' });
    holder = await waitForRelay(dir, relay, 240_000);
  }, 300_000);

  afterAll(async () => {
    await relay?.stop();
    await hook?.close();
    await rm(parent, { recursive: true, force: true });
  });

  it('records its pid, command and admin API in the lock', () => {
    expect(holder).toMatchObject({ pid: relay.child.pid, command: 'colt-relay serve', api: { adminToken: true } });
  });

  it('a second serve, a worker and migrate on the held folder exit 1 naming the holder', async () => {
    const others = await Promise.all([
      runCli(['serve'], { ...env, PORT: '0' }),
      runCli(['worker'], { ...env, PORT: '0' }),
      runCli(['migrate'], env),
    ]);
    for (const other of others) {
      expect(other.code).toBe(1);
      expect(other.stderr).toContain(`DATA_DIR ${dir} is held by colt-relay serve (pid ${relay.child.pid}`);
    }
    expect(relay.child.exitCode).toBeNull();
  }, 120_000);

  it('without ADMIN_TOKEN, replay, retry and prune exit 1 saying what to do, and change nothing', async () => {
    const before = hook.requests.length;
    const results = await Promise.all([
      runCli(['replay', eventId], env),
      runCli(['deliveries', 'retry', deadId], env),
      runCli(['prune', '--older-than', '1d'], env),
    ]);
    for (const result of results) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`is held by colt-relay serve (pid ${relay.child.pid}`);
      expect(result.stderr).toContain(`set ADMIN_TOKEN (the relay's) and retry so the command goes through its admin API at ${holder.api!.url}/api, or stop it`);
    }
    const detail = await fetch(`${holder.api!.url}/api/events/${eventId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const body = (await detail.json()) as { deliveries: { id: string; status: string }[] };
    expect(body.deliveries.map((d) => [d.id, d.status])).toEqual([[deadId, 'dead']]);
    expect(hook.requests.length).toBe(before);
  }, 120_000);

  it('a wrong ADMIN_TOKEN is named, not reported as success', async () => {
    const result = await runCli(['replay', eventId], { ...env, ADMIN_TOKEN: 'not-the-relays-token-0000000' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused ADMIN_TOKEN (401)');
  }, 60_000);

  it('deliveries list goes through the relay: --json is what GET /api/deliveries answers; without ADMIN_TOKEN it refuses', async () => {
    const refused = await runCli(['deliveries', 'list', '--json'], env);
    expect([refused.code, refused.stdout]).toEqual([1, '']);
    expect(refused.stderr).toContain('set ADMIN_TOKEN');
    const result = await runCli(['deliveries', 'list', '--status', 'dead', '--json'], { ...env, ADMIN_TOKEN });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`(through the running relay's admin API at ${holder.api!.url})\n`);
    const listed = JSON.parse(result.stdout) as { items: { id: string }[]; nextCursor: string | null };
    expect(listed.items.map((d) => d.id).sort()).toEqual([deadId, ...bulkIds].sort());
    const api = await fetch(`${holder.api!.url}/api/deliveries?status=dead`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(listed).toEqual(await api.json());
    const text = await runCli(['deliveries', 'list', '--channel', 'oss', '--limit', '1'], { ...env, ADMIN_TOKEN });
    expect(text.stdout).toMatch(/^\S+ {2}dead {8}oss \(webhook\) {2}order ORD-\S+ {2}9 attempts {2}updated \S+ {2}gave up\n$/);
    expect(text.stderr).toMatch(/^more: add --cursor \S+\n\(through the running relay's admin API/);
  }, 60_000);

  it('deliveries retry goes through the relay: the dead delivery reaches the webhook receiver with its id', async () => {
    const result = await runCli(['deliveries', 'retry', deadId], { ...env, ADMIN_TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`delivery ${deadId} (oss) is pending again: the relay sends it now (through the running relay's admin API at ${holder.api!.url})`);
    await vi.waitFor(() => expect(hook.requests.map((r) => r.webhookId)).toContain(deadId), { timeout: 30_000, interval: 100 });
    const sent = hook.requests.find((r) => r.webhookId === deadId)!;
    expect(sent.verified).toBe(true);
    expect(JSON.stringify(sent.payload)).toContain('ORD-HELD');
  }, 60_000);

  it('replay goes through the relay: the new generation reaches the webhook receiver', async () => {
    const result = await runCli(['replay', eventId], { ...env, ADMIN_TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [, newId] = /^\s+(\S+)$/m.exec(result.stdout) ?? [];
    expect(result.stdout).toContain(`event ${eventId}: generation 1, 1 deliveries queued`);
    expect(result.stdout).toContain('the relay is sending them now');
    expect(newId).toBeDefined();
    await vi.waitFor(() => expect(hook.requests.map((r) => r.webhookId)).toContain(newId), { timeout: 30_000, interval: 100 });
    expect(hook.requests.find((r) => r.webhookId === newId)!.verified).toBe(true);
    const missing = await runCli(['replay', '01900000-0000-7000-8000-000000000000'], { ...env, ADMIN_TOKEN });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no event 01900000-0000-7000-8000-000000000000');
  }, 60_000);

  it('replay --json goes through the relay: the result on stdout, the note on stderr', async () => {
    const result = await runCli(['replay', eventId, '--json'], { ...env, ADMIN_TOKEN });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`the relay is sending them now (through the running relay's admin API at ${holder.api!.url})\n`);
    const replayed = JSON.parse(result.stdout) as { deliveryIds: string[] };
    expect(replayed).toEqual({ eventId, generation: 2, deliveryIds: [expect.any(String)], skippedStale: false, through: 'admin-api' });
    // Sent before the next test counts what reaches the receiver.
    await vi.waitFor(() => expect(hook.requests.map((r) => r.webhookId)).toContain(replayed.deliveryIds[0]), { timeout: 30_000, interval: 100 });
  }, 60_000);

  it('deliveries retry --dead --since goes through the relay: each dead delivery reaches the receiver once', async () => {
    const unknown = await runCli(['deliveries', 'retry', '--dead', '--since', '2h', '--channel', 'nope'], { ...env, ADMIN_TOKEN });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no channel "nope"');
    const before = hook.requests.length;
    const result = await runCli(['deliveries', 'retry', '--dead', '--since', '2h', '--channel', 'oss'], { ...env, ADMIN_TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^3 dead deliveries of channel oss since \S+ are pending again; the relay sends them now, paced by each channel \(through the running relay's admin API/);
    await vi.waitFor(() => expect(hook.requests.length - before).toBe(3), { timeout: 30_000, interval: 100 });
    const sent = hook.requests.slice(before);
    expect(sent.map((r) => r.webhookId).sort()).toEqual([...bulkIds].sort());
    expect(sent.every((r) => r.verified)).toBe(true);
  }, 60_000);

  it('prune goes through the relay (POST /api/prune)', async () => {
    const result = await runCli(['prune', '--older-than', '1d'], { ...env, ADMIN_TOKEN });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pruned before \S+: 0 events, 0 attempts, 0 rejected callbacks \(orders are kept\)\n\(through the running relay's admin API/);
  }, 60_000);

  it('SIGTERM releases the folder: exit 0 and no lock left, so a command then opens it itself', async () => {
    expect(await relay.stop()).toBe(0);
    await expect(access(join(dir, 'colt-relay.lock'))).rejects.toThrow(/ENOENT/);
    const result = await runCli(['deliveries', 'retry', deadId], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`delivery ${deadId} is delivered: only dead or retrying deliveries can be retried`);
  }, 60_000);
});
