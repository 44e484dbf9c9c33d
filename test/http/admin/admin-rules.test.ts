/**
 * Rules, dry-run and secrets: the rules and channels are shown redacted, dry-run renders
 * what each channel would get, and no configured secret appears in any /api answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../support/fixtures.js';
import { STORE_KINDS } from '../../support/store.js';
import { ADMIN_TOKEN, CALLBACK_TOKEN, SECRETS, createAdminHarness, flatCallback, type AdminHarness } from './support.js';

describe.each(STORE_KINDS)('admin API rules and secrets (%s)', (kind) => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await createAdminHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('shows the rules in force with webhook secrets, header values and URL credentials redacted', async () => {
    const rules = await h.json('/api/rules');
    expect(Object.keys(rules.channels)).toEqual(['oss', 'legacy', 'console', 'ops-slack', 'noc-email']);
    expect(rules.channels.oss).toEqual({
      type: 'webhook',
      url: new URL(h.peer.url).origin,
      secret: '[redacted]',
      headers: { 'x-api-key': '[redacted]' },
    });
    expect(rules.channels.legacy.url).toBe('https://legacy.example.com');
    expect(rules.channels['noc-email']).toEqual({ type: 'email', to: ['noc@example.com'], subject: '{{orderId}} {{status}}' });
    expect(rules.rules).toEqual([
      { name: 'failures-to-ops', match: [{ status: { eq: 'failed' } }], notify: ['ops-slack', 'noc-email'], stop: false, stale: false },
      { name: 'cancelled-to-legacy', match: [{ status: { eq: 'cancelled' } }], notify: ['legacy'], stop: false, stale: false },
      { name: 'completed-to-oss', match: [{ status: { eq: 'completed' } }], notify: ['oss', 'console'], stop: false, stale: false },
    ]);
  });

  it('dry-runs a callback: matched rules, channels and rendered messages, nothing stored or sent', async () => {
    const res = await h.api('/api/rules/dry-run', { body: fixture('flat-activation-failed.json') });
    expect(res.status).toBe(200);
    const out = (await res.json()) as any;
    expect(out.event).toMatchObject({ orderId: 'IN-ORD-100235', status: 'failed', orderType: 'activation' });
    expect(out.matched).toEqual([{ rule: 'failures-to-ops', channels: ['ops-slack', 'noc-email'] }]);
    expect(out.deliveries.map((d: { channel: string }) => d.channel)).toEqual(['ops-slack', 'noc-email']);
    const email = out.deliveries.find((d: { channel: string }) => d.channel === 'noc-email');
    expect(email.message.subject).toBe('IN-ORD-100235 failed');
    expect(email.message.text).toContain('IN-ORD-100235');
    expect((await h.json('/api/events')).items).toEqual([]);
    expect(h.peer.requests).toHaveLength(0);
  });

  it('dry-runs a wrapped case ({event, stale}) and a TMF envelope', async () => {
    const stale = (await (await h.api('/api/rules/dry-run', { body: { event: flatCallback('IN-1', 'Completed'), stale: true } })).json()) as any;
    expect(stale).toMatchObject({ event: { stale: true }, matched: [], deliveries: [], skippedStale: true });
    const tmf = (await (await h.api('/api/rules/dry-run', { body: fixture('tmf-product-order-completed.json') })).json()) as any;
    expect(tmf.event).toMatchObject({ orderId: 'IN-ORD-100234', status: 'completed' });
    expect(tmf.deliveries.map((d: { channel: string }) => d.channel)).toEqual(['oss', 'console']);
    const webhook = tmf.deliveries[0].message;
    expect(webhook.body).toMatchObject({ type: 'order.completed', data: { orderId: 'IN-ORD-100234' } });
    // The rendered line names the URL, without its query secret.
    expect(webhook.text).toBe(`POST ${new URL(h.peer.url).origin} order.completed IN-ORD-100234`);
  });

  it('dry-run says, per delivery, the grouping, quiet-hours and rate-limit decisions at `at`; a bad `at` is a 400 naming it', async () => {
    const body = { event: fixture('flat-activation-failed.json'), at: '2026-03-29T00:30:00Z' };
    const out = (await (await h.api('/api/rules/dry-run', { body })).json()) as any;
    expect(out.deliveries.map((d: any) => [d.channel, d.heldUntil, d.decisions, d.group])).toEqual([
      ['ops-slack', null, [], undefined],
      ['noc-email', null, [], undefined],
    ]);
    const bad = await h.api('/api/rules/dry-run', { body: { ...body, at: 'tonight' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error).toMatchObject({ code: 'invalid_payload', issues: [{ path: 'at' }] });
  });

  it('dry-run says when a channel would be held and why: disabled, silenced; nothing held otherwise', async () => {
    const body = fixture('flat-activation-failed.json');
    const held = async () => {
      const out = (await (await h.api('/api/rules/dry-run', { body })).json()) as { deliveries: { channel: string; held: unknown[] }[] };
      return Object.fromEntries(out.deliveries.map((d) => [d.channel, d.held]));
    };
    expect(await held()).toEqual({ 'ops-slack': [], 'noc-email': [] });

    expect((await h.api('/api/channels/noc-email/disable', { body: { reason: 'mail relay migration' } })).status).toBe(200);
    const silence = (await (
      await h.api('/api/silences', { body: { match: { orderId: 'IN-ORD-100235' }, duration: '1h', comment: 'Colt incident 4711', createdBy: 'alice', channels: ['ops-slack'] } })
    ).json()) as { id: string; endsAt: string };
    expect(await held()).toEqual({
      'ops-slack': [
        {
          reason: 'silenced',
          until: null,
          text: `silenced by "Colt incident 4711" (on ops-slack) until ${silence.endsAt.replace(/\.\d+Z$/, 'Z')}: recorded as suppressed, not sent`,
        },
      ],
      'noc-email': [{ reason: 'disabled', until: null, text: 'channel disabled by an operator: mail relay migration; held until it is enabled' }],
    });
    await h.api(`/api/silences/${silence.id}`, { method: 'DELETE' });
    await h.api('/api/channels/noc-email/enable', { method: 'POST' });
    expect(await held()).toEqual({ 'ops-slack': [], 'noc-email': [] });
  });

  it('refuses a body that is not a callback with 400 invalid_payload and issues', async () => {
    for (const body of [{ hello: 'world' }, '{not json', '[1,2]']) {
      const res = await h.api('/api/rules/dry-run', { body });
      expect(res.status, String(body)).toBe(400);
      const error = ((await res.json()) as { error: { code: string; issues?: unknown[] } }).error;
      expect(error.code).toBe('invalid_payload');
    }
    const noBody = await h.app.request('/api/rules/dry-run', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(noBody.status).toBe(400);
    const huge = await h.api('/api/rules/dry-run', { body: { orderId: 'X', pad: 'x'.repeat(300_000) } });
    expect(huge.status).toBe(413);
  });

  it('never shows a configured secret in any /api answer', async () => {
    // Give every route something to show: a delivered event, a cancelled one, a refused callback.
    await h.callback(flatCallback('IN-ORD-9', 'Completed'));
    const cancelled = (await (await h.callback(flatCallback('IN-ORD-10', 'Cancelled'))).json()) as { id: string };
    await h.app.request('/callbacks/colt', { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': SECRETS.webhookHeader }, body: '{}' });
    await h.pipeline!.dispatcher.tick();
    const events = (await h.json('/api/events')).items as { id: string; orderId: string }[];
    const deliveries = (await h.json('/api/deliveries')).items as { id: string }[];
    const answers: [string, string][] = [];
    const record = async (label: string, res: Promise<Response>) => answers.push([label, await (await res).text()]);
    for (const path of ['/api/events', '/api/orders', '/api/deliveries', '/api/rejected', '/api/channels', '/api/rules', '/openapi.json', '/docs']) {
      await record(path, h.api(path));
    }
    for (const e of events) {
      await record(`event ${e.id}`, h.api(`/api/events/${e.id}`));
      await record(`order ${e.orderId}`, h.api(`/api/orders/${e.orderId}`));
    }
    for (const d of deliveries) await record(`delivery ${d.id}`, h.api(`/api/deliveries/${d.id}`));
    for (const name of ['oss', 'legacy']) await record(`enable ${name}`, h.api(`/api/channels/${name}/enable`, { method: 'POST' }));
    await record('replay', h.api(`/api/events/${cancelled.id}/replay`, { method: 'POST' }));
    await record('retry', h.api(`/api/deliveries/${deliveries[0]!.id}/retry`, { method: 'POST' }));
    for (const body of [flatCallback('A', 'Cancelled'), flatCallback('B', 'Completed'), flatCallback('C', 'Failed')]) {
      await record('dry-run', h.api('/api/rules/dry-run', { body }));
    }
    const secrets = [
      ...Object.values(SECRETS),
      SECRETS.webhookSecret.slice('whsec_'.length),
      ADMIN_TOKEN,
      CALLBACK_TOKEN,
    ];
    expect(answers.length).toBeGreaterThan(20);
    for (const [label, text] of answers) {
      for (const secret of secrets) expect(text.includes(secret), `${label} shows ${secret}`).toBe(false);
    }
    // The sweep looked at real content: the legacy channel was rendered (redacted) by the dry-run.
    expect(answers.some(([label, text]) => label === 'dry-run' && text.includes('legacy.example.com'))).toBe(true);
  });
});
