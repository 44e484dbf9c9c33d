/**
 * Crash recovery as an operator would see it: the real CLI (`colt-relay serve`) on Postgres,
 * killed with SIGKILL in the middle of a burst of callbacks while its webhook sends are in
 * flight, then started again. Every callback it acknowledged (200) reaches the webhook
 * receiver, within 30 s of the restarted relay listening: the work the dead process held comes back when
 * its short lease ends (live dispatchers renew theirs), not after minutes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_CWD } from '../support/cli.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const BIN = fileURLToPath(new URL('../../bin/colt-relay.mjs', import.meta.url));
const TOKEN = 'crash-recovery-token-0123456789';
const SECRET = `whsec_${Buffer.from('colt-relay-crash-recovery-secret').toString('base64')}`;
const BURST = 300;
const KILL_AFTER_ACKS = 150;
const RECOVERY_LIMIT_S = 30;

interface Relay {
  child: ChildProcess;
  port: number;
  startedAt: number;
  listeningAt: number;
}

/** Starts `colt-relay serve` on an ephemeral port; resolves once it logs the port it listens on. */
function startRelay(env: Record<string, string>): Promise<Relay> {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { PATH: process.env.PATH!, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    cwd: EMPTY_CWD,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`relay did not start in 120 s\n${out}\n${err}`)), 120_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const port = /"port":(\d+).*"msg":"listening"|"msg":"listening".*"port":(\d+)/.exec(out);
      if (port) {
        clearTimeout(timer);
        resolve({ child, port: Number(port[1] ?? port[2]), startedAt, listeningAt: Date.now() });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited with ${code} before listening\n${out}\n${err}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

describe.runIf(STORE_KINDS.includes('postgres'))('kill -9 mid-burst (postgres)', () => {
  let store: TestStore;
  let hook: WebhookPeer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    [store, hook] = await Promise.all([createTestStore('postgres', { poolSize: 2 }), startWebhookPeer(SECRET)]);
  });
  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await exited(c);
    }
    await hook?.close();
    await store?.close();
  });

  it(`every acknowledged callback is delivered within ${RECOVERY_LIMIT_S} s of the restarted relay listening`, async () => {
    // Slow answers keep many sends in flight, so the dead process holds claimed work.
    hook.setDefault({ status: 200, body: '{}', delayMs: 400 });
    const rules = `channels:\n  oss: { type: webhook, url: "${hook.url}", secret: "${SECRET}" }\nrules:\n  - name: all\n    notify: [oss]\n`;
    const env = { DATABASE_URL: store.url!, RULES: rules, WEBHOOK_ALLOW_PRIVATE: 'true', CALLBACK_TOKEN: TOKEN };
    const first = await startRelay(env);
    children.push(first.child);

    const acked = new Set<string>();
    let next = 0;
    let killed = false;
    const post = async (port: number, orderId: string) =>
      fetch(`http://127.0.0.1:${port}/callbacks/colt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ orderId, status: 'completed', orderType: 'Number Activation' }),
      });
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (!killed && next < BURST) {
          const orderId = `CRASH-${next++}`;
          try {
            const res = await post(first.port, orderId);
            if (res.status === 200) acked.add(orderId);
          } catch {
            // In flight when the process died: never acknowledged, so Colt would send it again.
          }
          if (acked.size >= KILL_AFTER_ACKS && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        }
      }),
    );
    await exited(first.child);
    expect(first.child.signalCode).toBe('SIGKILL');
    const deliveredBeforeKill = new Set(hook.requests.filter((r) => r.verified).map((r) => (r.payload as { data: { orderId: string } }).data.orderId));
    const missing = () => [...acked].filter((id) => !seen.has(id));
    const seen = new Set(deliveredBeforeKill);
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(missing().length, 'the kill left acknowledged work undelivered').toBeGreaterThan(0);

    hook.setDefault({ status: 200, body: '{}' });
    const second = await startRelay(env);
    children.push(second.child);
    let lastAt = second.listeningAt;
    let read = 0;
    while (missing().length > 0 && Date.now() - second.listeningAt < (RECOVERY_LIMIT_S + 10) * 1000) {
      for (; read < hook.requests.length; read++) {
        const r = hook.requests[read]!;
        const orderId = r.verified ? (r.payload as { data: { orderId: string } }).data.orderId : null;
        if (orderId && !seen.has(orderId)) {
          seen.add(orderId);
          lastAt = Date.now();
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const fromSpawnS = (lastAt - second.startedAt) / 1000;
    // What the lease governs: how long work waits once a relay is back. Start-up time (tsx,
    // migrations) is the machine's, and on a loaded runner it alone can exceed the lease.
    const fromListeningS = (lastAt - second.listeningAt) / 1000;
    console.log(
      `[crash-recovery] acknowledged ${acked.size}, delivered before the kill ${deliveredBeforeKill.size}; ` +
        `restart → listening ${((second.listeningAt - second.startedAt) / 1000).toFixed(1)} s, ` +
        `restart → last delivery ${fromSpawnS.toFixed(1)} s (${fromListeningS.toFixed(1)} s after listening)`,
    );
    expect(missing()).toEqual([]);
    expect(fromListeningS).toBeLessThanOrEqual(RECOVERY_LIMIT_S);
    // At least once: a send the dead process had made may be made again, always with the same webhook-id.
    const idsByOrder = new Map<string, Set<string>>();
    for (const r of hook.requests.filter((q) => q.verified)) {
      const orderId = (r.payload as { data: { orderId: string } }).data.orderId;
      idsByOrder.set(orderId, (idsByOrder.get(orderId) ?? new Set()).add(r.webhookId!));
    }
    expect([...idsByOrder.values()].filter((ids) => ids.size > 1)).toEqual([]);
  }, 360_000);
});
