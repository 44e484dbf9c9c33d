/**
 * Finding 5: credentials are not kept at rest, and webhook URLs show as origins only.
 * - A callback's configured auth headers (token header, Authorization, HMAC signature) are
 *   never stored, so a token rotated away can never be read back from /api/events/{id}.
 * - Dry runs (admin API, dashboard, `rules test`) and the rules API show a webhook as
 *   scheme://host[:port], never its path or query, where hook tokens live.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRulesTest } from '../../src/cli/rules.command.js';
import { parseRules } from '../../src/config/rules/rules.js';
import { eventFromCallback, previewCallback, previewEvent } from '../../src/deliver/dry-run.js';
import { hmacSha256, toHex } from '../../src/lib/crypto.js';
import { callbackEvents } from '../../src/store/schema.js';
import { createAdminHarness, flatCallback, type AdminHarness } from '../http/admin/support.js';
import { fixtureText } from '../support/fixtures.js';
import { createTestRelay } from '../support/relay.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { captureIo, scratchDir, type Scratch } from '../cli/rules/cli-io.js';

const ADMIN = 'security-admin-token-0123456789';
const OLD_TOKEN = 'old-colt-pass-token-4b1d9e77';
const NEW_TOKEN = 'new-colt-pass-token-a9c3f021';
const HMAC_SECRET = 'hmac-secret-of-the-test-5e6f';

describe.each(STORE_KINDS)('callback credentials at rest on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => store.close());

  /** A relay with `token` in header `header`, HMAC in x-colt-sig, and the admin API. */
  const relayWith = (token: string, header: string) =>
    createTestRelay(
      kind,
      { CALLBACK_TOKEN: token, CALLBACK_TOKEN_HEADER: header, CALLBACK_HMAC_SECRET: HMAC_SECRET, CALLBACK_HMAC_HEADER: 'x-colt-sig', ADMIN_TOKEN: ADMIN },
      { store },
    );
  const apiEvent = async (relay: Awaited<ReturnType<typeof relayWith>>, id: string) => {
    const res = await relay.app.request(`/api/events/${id}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(200);
    return res.text();
  };

  it('a custom token header and the signature header are not stored; the rotated token is unreadable', async () => {
    const before = await relayWith(OLD_TOKEN, 'x-colt-pass');
    const body = fixtureText('flat-activation-failed.json').replace('IN-ORD-', 'SEC-ORD-');
    const signature = toHex(await hmacSha256(HMAC_SECRET, new TextEncoder().encode(body)));
    const res = await before.post(body, { headers: { authorization: '', 'x-colt-pass': OLD_TOKEN, 'x-colt-sig': signature, 'x-request-id': 'kept-1' } });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    await before.close();

    const [row] = await store.db.select({ headers: callbackEvents.headers }).from(callbackEvents).where(eq(callbackEvents.id, id));
    expect(row!.headers['x-request-id']).toBe('kept-1');
    expect(Object.keys(row!.headers)).not.toEqual(expect.arrayContaining(['x-colt-pass']));
    expect(JSON.stringify(row!.headers)).not.toContain(OLD_TOKEN);
    expect(JSON.stringify(row!.headers)).not.toContain(signature);

    // The token is rotated and the header renamed: the API's scrub no longer knows the old one.
    const after = await relayWith(NEW_TOKEN, 'x-relay-token');
    const text = await apiEvent(after, id);
    expect(text).toContain('kept-1');
    expect(text).not.toContain(OLD_TOKEN);
    expect(text).not.toContain(signature);
    await after.close();
  });

  it('a row stored before (header kept) is shown without the header configured today', async () => {
    const relay = await relayWith(OLD_TOKEN, 'x-colt-code');
    const res = await relay.post(fixtureText('flat-activation-failed.json').replace('IN-ORD-', 'OLD-ORD-'), {
      headers: { authorization: '', 'x-colt-code': OLD_TOKEN, 'x-colt-sig': toHex(await hmacSha256(HMAC_SECRET, new TextEncoder().encode(fixtureText('flat-activation-failed.json').replace('IN-ORD-', 'OLD-ORD-')))) },
    });
    const { id } = (await res.json()) as { id: string };
    await relay.close();
    // As an older version stored it.
    await store.db.update(callbackEvents).set({ headers: { 'x-colt-code': OLD_TOKEN, 'x-request-id': 'kept-2' } }).where(eq(callbackEvents.id, id));
    const rotated = await relayWith(NEW_TOKEN, 'x-colt-code');
    const text = await apiEvent(rotated, id);
    expect(text).toContain('kept-2');
    expect(text).not.toContain(OLD_TOKEN);
    await rotated.close();
  });
});

/** A Slack-style hook: the token is a path segment, and a signature sits in the query. */
const HOOK = 'https://hooks.example.com:8443/services/AbCdEf0123456789TokenSeg?sig=q-secret-99';
const HOOK_ORIGIN = 'https://hooks.example.com:8443';
const RULES = `channels:
  hook: { type: webhook, url: "${HOOK}", secret: "whsec_c2VjcmV0LXNpZ25pbmcta2V5" }
rules:
  - name: all
    notify: [hook]
`;

/** No part of the hook URL past its origin. */
function expectOriginOnly(text: string) {
  expect(text).toContain(HOOK_ORIGIN);
  for (const part of [`${HOOK_ORIGIN}/`, '/services', 'AbCdEf0123456789TokenSeg', '?sig', 'q-secret-99']) expect(text).not.toContain(part);
}

describe('webhook URLs show as origins only', () => {
  let scratch: Scratch;
  beforeAll(async () => {
    scratch = await scratchDir();
  });
  afterAll(() => scratch.remove());

  it('the dashboard dry run', () => {
    const loaded = parseRules(RULES, {});
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const result = previewCallback(loaded.rules, JSON.stringify(flatCallback('IN-9', 'Failed')), Date.now());
    expect(result.ok).toBe(true);
    expectOriginOnly(JSON.stringify(result));
  });

  it('`rules test --event`', async () => {
    const rulesFile = await scratch.write('rules.yaml', RULES);
    await scratch.write('event.json', JSON.stringify(flatCallback('IN-9', 'Failed')));
    const io = captureIo({}, scratch.dir);
    const deps = { normalise: eventFromCallback, preview: previewEvent };
    expect(await runRulesTest([rulesFile, '--event', 'event.json'], io, deps)).toBe(0);
    expectOriginOnly(io.out() + io.err());
  });

  describe.each(STORE_KINDS)('the admin API on %s', (kind) => {
    let h: AdminHarness;
    beforeAll(async () => {
      h = await createAdminHarness(kind);
    });
    afterAll(async () => h.close());

    it('dry-run and rules: webhook channels by origin, no path, query or credentials', async () => {
      // The harness's `legacy` channel: https://relay:<password>@legacy.example.com/in?token=<password>.
      const dry = await (await h.api('/api/rules/dry-run', { body: flatCallback('IN-10', 'Cancelled') })).text();
      const rules = await (await h.api('/api/rules')).text();
      for (const text of [dry, rules]) {
        expect(text).toContain('https://legacy.example.com');
        expect(text).not.toMatch(/legacy\.example\.com\/|relay@|token=/);
      }
      expect(dry).toContain('POST https://legacy.example.com order.cancelled IN-10');
    });
  });
});
