/**
 * `colt-relay silence add | list | expire` as an operator runs them, real processes against
 * a running `serve` process: on Postgres the command writes the database itself and the
 * relay applies the silence within a second; on a PGlite DATA_DIR the relay holds the
 * folder and the command goes through its admin API (ADMIN_TOKEN), or refuses without it.
 * The silence really holds back the webhook to the loopback receiver, and expiring it lets
 * the next one through.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StoreKind } from '../../src/store/db.js';
import { runCli, startCli, waitForRelay, type RunningCli } from '../support/cli.js';
import { createPgliteDataDir, createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const SECRET = `whsec_${Buffer.from('colt-relay-silence-cli-secret!!!').toString('base64')}`;
const ADMIN_TOKEN = 'silence-cli-admin-token-0123456789';
const CALLBACK_TOKEN = 'silence-cli-callback-token-0123456';
const rules = (url: string) => `channels:\n  oss: { type: webhook, url: "${url}", secret: "\${HOOK_SECRET}" }\nrules:\n  - name: all\n    notify: [oss]\n`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls another process: there is no clock to drive. */
async function waitForReady(url: string, relay: RunningCli): Promise<void> {
  await vi.waitFor(
    async () => {
      if (relay.child.exitCode !== null) throw new Error(`relay exited:\n${relay.output()}`);
      expect(await fetch(`${url}/readyz`).then((r) => r.status, () => 0)).toBe(200);
    },
    { timeout: 120_000, interval: 200 },
  );
}

describe.each(STORE_KINDS)('colt-relay silence against a running relay (%s)', { timeout: 120_000 }, (kind: StoreKind) => {
  let parent: string;
  let store: TestStore | undefined;
  let hook: WebhookPeer;
  let relay: RunningCli;
  let url: string;
  /** What the CLI gets: the database (Postgres) or the folder (PGlite) and ADMIN_TOKEN. */
  let env: Record<string, string>;
  let silenceId: string;
  let n = 0;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'colt-relay-silence-'));
    hook = await startWebhookPeer(SECRET);
    const base = { RULES: rules(hook.url), HOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE: 'true', LOG_LEVEL: 'warn', ADMIN_TOKEN };
    const serveEnv = { ...base, HOST: '127.0.0.1', CALLBACK_TOKEN, ENRICH: 'never' };
    if (kind === 'postgres') {
      store = await createTestStore('postgres', { poolSize: 1 });
      env = { ...base, DATABASE_URL: store.url! };
      const port = await freePort();
      relay = startCli(['serve'], { ...serveEnv, DATABASE_URL: store.url!, PORT: String(port) });
      url = `http://127.0.0.1:${port}`;
      await waitForReady(url, relay);
    } else {
      const dir = await createPgliteDataDir(parent);
      env = { ...base, DATA_DIR: dir };
      relay = startCli(['serve'], { ...serveEnv, DATA_DIR: dir, PORT: '0' });
      url = (await waitForRelay(dir, relay, 240_000)).api!.url;
    }
  }, 300_000);

  afterAll(async () => {
    await relay?.stop();
    await hook?.close();
    await store?.close();
    await rm(parent, { recursive: true, force: true });
  });

  /** Posts a failed callback for ACME; resolves with its order id once the relay has routed and settled it. */
  async function failure(): Promise<{ orderId: string; statuses: () => Promise<string[]> }> {
    const orderId = `IN-SIL-CLI-${++n}`;
    const res = await fetch(`${url}/callbacks/colt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}` },
      body: JSON.stringify({ orderId, orderStatus: 'Failed', orderType: 'Number Activation', customerRef: 'ACME' }),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const statuses = async () => {
      const detail = await fetch(`${url}/api/events/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      return ((await detail.json()) as { deliveries: { status: string; silenceId: string | null }[] }).deliveries.map((d) =>
        d.silenceId ? `${d.status} by ${d.silenceId}` : d.status,
      );
    };
    return { orderId, statuses };
  }
  const peerGot = (orderId: string) => hook.requests.filter((r) => r.verified && JSON.stringify(r.payload).includes(orderId)).length;

  it('silence add: created, named on stdout; the relay suppresses the matching webhook', async () => {
    const res = await runCli(['silence', 'add', '--match', 'status=failed', '--match', 'customerRef=ACME', '--for', '2h', '--comment', 'Colt incident 4711', '--author', 'alice'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const [, id] = /^silence (\S+) created: status=failed customerRef=ACME until \S+Z$/m.exec(res.stdout) ?? [];
    expect(id).toBeDefined();
    silenceId = id!;
    if (kind === 'pglite') expect(res.stdout).toContain(`(through the running relay's admin API at ${url})`);
    else expect(res.stdout).toContain('running relays apply it within a second');

    // Another process wrote it (Postgres): the relay's list is at most a second old.
    if (kind === 'postgres') await new Promise((r) => setTimeout(r, 1_100));
    const held = await failure();
    await vi.waitFor(async () => expect(await held.statuses()).toEqual([`suppressed by ${silenceId}`]), { timeout: 30_000, interval: 100 });
    expect(peerGot(held.orderId)).toBe(0);
  });

  it('silence list shows it, active, with its count', async () => {
    const res = await runCli(['silence', 'list'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^${silenceId}  active   until \\S+  status=failed customerRef=ACME  "Colt incident 4711" by alice  \\(1 suppressed\\)$`, 'm'));
  });

  it('silence list --json: one JSON document, the shape GET /api/silences answers, read either way', async () => {
    const res = await runCli(['silence', 'list', '--json'], env);
    expect(res.code).toBe(0);
    // Postgres: read directly, nothing to say; PGlite: through the relay, said on stderr only.
    expect(res.stderr).toBe(kind === 'pglite' ? `(through the running relay's admin API at ${url})\n` : '');
    const listed = JSON.parse(res.stdout) as { items: Record<string, unknown>[] };
    expect(listed.items).toEqual([
      expect.objectContaining({ id: silenceId, state: 'active', comment: 'Colt incident 4711', createdBy: 'alice', suppressed: 1, expiredAt: null }),
    ]);
    const api = await fetch(`${url}/api/silences`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const fromApi = (await api.json()) as { items: Record<string, unknown>[] };
    expect(Object.keys(listed.items[0]!).sort()).toEqual(Object.keys(fromApi.items[0]!).sort());
    expect(listed.items[0]).toEqual(fromApi.items[0]);
  });

  it('silence expire: the next matching webhook reaches the receiver; a second expire exits 1', async () => {
    const res = await runCli(['silence', 'expire', silenceId], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`silence ${silenceId} expired`);
    if (kind === 'postgres') await new Promise((r) => setTimeout(r, 1_100));
    const sent = await failure();
    await vi.waitFor(() => expect(peerGot(sent.orderId)).toBe(1), { timeout: 30_000, interval: 100 });
    await vi.waitFor(async () => expect(await sent.statuses()).toEqual(['delivered']), { timeout: 30_000, interval: 100 });

    const again = await runCli(['silence', 'expire', silenceId], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`silence ${silenceId} was expired at \\S+: nothing to expire`));
    const missing = await runCli(['silence', 'expire', '01900000-0000-7000-8000-000000000000'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no silence 01900000-0000-7000-8000-000000000000');
  });

  it('without ADMIN_TOKEN: PGlite refuses, says what to do and creates nothing; Postgres needs no token', async () => {
    const { ADMIN_TOKEN: _token, ...without } = env;
    const res = await runCli(['silence', 'add', '--match', 'status=cancelled', '--for', '1h', '--comment', 'no token', '--author', 'bob'], without);
    if (kind === 'pglite') {
      expect(res.code).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toContain(`is held by colt-relay serve (pid ${relay.child.pid}`);
      expect(res.stderr).toContain('set ADMIN_TOKEN');
      expect((await runCli(['silence', 'list'], env)).stdout).not.toContain('no token');
    } else {
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect((await runCli(['silence', 'list'], without)).stdout).toMatch(/ active {3}until \S+ {2}status=cancelled {2}"no token" by bob {2}\(0 suppressed\)/);
    }
  });
});

describe('colt-relay silence: input problems', () => {
  it('exit 2 naming the flag and the problem, before touching any database', async () => {
    // DATABASE_URL points nowhere: a command that tried to connect would exit 1, not 2.
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', LOG_LEVEL: 'silent' };
    const cases: [string[], RegExp][] = [
      [['silence'], /missing subcommand/],
      [['silence', 'mute'], /unknown subcommand "mute"\n/],
      [['silence', 'lst'], /unknown subcommand "lst" \(did you mean "list"\?\)/],
      [['silence', 'list', '--jsn'], /unknown option --jsn \(did you mean "--json"\?\)/],
      [['silence', 'expire'], /expire takes one silence id/],
      [['silence', 'add', '--match', 'stauts=failed', '--for', '2h', '--comment', 'x', '--author', 'a'], /--match \(match\.stauts\): unknown field "stauts".*did you mean "status"/],
      [['silence', 'add', '--match', 'status', '--for', '2h', '--comment', 'x'], /"status" is not field=value/],
      [['silence', 'add', '--match', 'status=failed', '--for', '2 weeks', '--comment', 'x', '--author', 'a'], /--for \(duration\): "2 weeks" is not a duration/],
      [['silence', 'add', '--match', 'status=failed', '--comment', 'x', '--author', 'a'], /--for \(duration\): endsAt or duration is required/],
      [['silence', 'add', '--match', 'status=failed', '--for', '2h', '--author', 'a'], /--comment \(comment\): is required/],
      [['silence', 'add', '--match', 'status=failed', '--until', '2020-01-01T00:00:00Z', '--comment', 'x', '--author', 'a'], /--until \(endsAt\): is in the past/],
      [['silence', 'add', '--for', '2h', '--comment', 'x', '--author', 'a'], /--match \(match\): is required/],
      [['silence', 'add', '--match', 'status=failed', '--nope'], /unknown option --nope\n/],
      [['silence', 'add', '--match', 'status=failed', '--for', '2h', '--coment', 'x'], /unknown option --coment \(did you mean "--comment"\?\)/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, env)));
    results.forEach((res, i) => {
      const [args, message] = cases[i]!;
      expect({ args, code: res.code }).toEqual({ args, code: 2 });
      expect(res.stderr, args.join(' ')).toMatch(message);
      expect(res.stdout).toBe('');
    });
  }, 120_000);
});
