/**
 * Channel-scoped silences (docs/design.md#silences) through the admin API, with the real Slack
 * channel talking to the Slack stand-in and the real webhook channel to the loopback receiver:
 * a silence with `channels: [ops-slack]` holds the Slack message back while the webhook of the
 * same event is delivered; a name the rules do not define is a 400 naming it and the known ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackPeer, type SlackPeer } from '../../support/slack-peer.js';
import { STORE_KINDS } from '../../support/store.js';
import { createAdminHarness, flatCallback, SECRETS, type AdminHarness } from './support.js';

type Delivery = { channel: string; status: string; silenceId: string | null; lastError: string | null };
type Silence = { id: string; channels: string[] | null; state: string; suppressed: number };
type ApiError = { error: { code: string; issues: { path: string; message: string }[] } };

const rules = (peerUrl: string) => `
channels:
  ops-slack: { type: slack, channel: C0SILENCE }
  oss: { type: webhook, url: "${peerUrl}", secret: \${OSS_SECRET} }
rules:
  - name: failures
    match: { status: failed }
    notify: [ops-slack, oss]
`;

describe.each(STORE_KINDS)('channel-scoped silences through the admin API (%s)', (kind) => {
  let h: AdminHarness;
  let slack: SlackPeer;
  let n = 0;

  beforeAll(async () => {
    slack = await startSlackPeer({ token: SECRETS.slackToken });
    h = await createAdminHarness(kind, { rules, env: { SLACK_API_URL: slack.url } });
  });
  afterAll(async () => {
    await h?.close();
    await slack?.close();
  });

  /** A failure for ACME, routed and sent; its deliveries by channel. */
  async function failure(): Promise<{ orderId: string; deliveries: Record<string, Delivery> }> {
    const orderId = `IN-SIL-CH-${++n}`;
    const res = await h.callback(flatCallback(orderId, 'Failed', { customerRef: 'ACME' }));
    expect(res.status).toBe(200);
    const eventId = ((await res.json()) as { id: string }).id;
    // Slack is paced at one message a second (the manual clock stands still otherwise).
    h.clock.advance(1_100);
    for (let i = 0; i < 5 && !(await h.pipeline!.dispatcher.tick()).idle; i++);
    const detail = await h.json(`/api/events/${eventId}`);
    return { orderId, deliveries: Object.fromEntries((detail.deliveries as Delivery[]).map((d) => [d.channel, d])) };
  }
  const slackGot = (orderId: string) => [...slack.messages.values()].filter((m) => m.text.includes(orderId)).length;
  const webhookGot = (orderId: string) => h.peer.requests.filter((r) => r.verified && JSON.stringify(r.payload).includes(orderId)).length;
  const create = async (body: Record<string, unknown>) => {
    const res = await h.api('/api/silences', { body: { match: { customerRef: 'ACME' }, duration: '1h', comment: 'Slack noise', createdBy: 'alice', ...body } });
    return { status: res.status, body: (await res.json()) as Silence & ApiError };
  };

  it('without a silence, a failure reaches Slack and the webhook', async () => {
    const { orderId, deliveries } = await failure();
    expect([deliveries['ops-slack']?.status, deliveries.oss?.status]).toEqual(['delivered', 'delivered']);
    expect([slackGot(orderId), webhookGot(orderId)]).toEqual([1, 1]);
  });

  it('refuses a channel the rules do not define, naming it and the channels they do', async () => {
    const typo = await create({ channels: ['ops-slak', 'pager'] });
    expect(typo.status).toBe(400);
    expect(typo.body.error.issues).toEqual([
      { path: 'channels', message: 'unknown channels "ops-slak" (did you mean "ops-slack"?), "pager"; the rules define: ops-slack, oss' },
    ]);
    for (const [channels, message] of [
      [[], /names no channel/],
      ['ops-slack', /must be a list of channel names/],
      [['ops slack'], /is not a channel name/],
    ] as const) {
      const res = await create({ channels });
      expect(res.status).toBe(400);
      expect(res.body.error.issues).toContainEqual({ path: 'channels', message: expect.stringMatching(message) });
    }
    expect(((await h.json('/api/silences')).items as Silence[])).toEqual([]);
  });

  it('a silence with channels [ops-slack] mutes Slack only: the webhook of the same event is delivered', async () => {
    const created = await create({ channels: ['ops-slack', 'ops-slack'] });
    expect(created.status).toBe(201);
    const silence = created.body;
    expect(silence).toMatchObject({ state: 'active', channels: ['ops-slack'] });

    const { orderId, deliveries } = await failure();
    expect(deliveries['ops-slack']).toMatchObject({
      status: 'suppressed',
      silenceId: silence.id,
      lastError: `silenced by ${silence.id} (channels ops-slack): Slack noise`,
    });
    expect(deliveries.oss).toMatchObject({ status: 'delivered', silenceId: null });
    expect(slackGot(orderId)).toBe(0);
    expect(webhookGot(orderId)).toBe(1);

    const listed = ((await h.json('/api/silences')).items as Silence[]).find((s) => s.id === silence.id);
    expect(listed).toMatchObject({ channels: ['ops-slack'], suppressed: 1 });

    expect((await h.api(`/api/silences/${silence.id}`, { method: 'DELETE' })).status).toBe(200);
    const after = await failure();
    expect([slackGot(after.orderId), webhookGot(after.orderId)]).toEqual([1, 1]);
  });

  it('a silence without channels mutes every channel, and says so (channels: null)', async () => {
    const created = await create({});
    expect(created.body).toMatchObject({ state: 'active', channels: null });
    const { orderId, deliveries } = await failure();
    expect([deliveries['ops-slack']?.status, deliveries.oss?.status]).toEqual(['suppressed', 'suppressed']);
    expect(deliveries.oss?.lastError).toBe(`silenced by ${created.body.id}: Slack noise`);
    expect([slackGot(orderId), webhookGot(orderId)]).toEqual([0, 0]);
    await h.api(`/api/silences/${created.body.id}`, { method: 'DELETE' });
  });

  it('documents channels in the OpenAPI document', async () => {
    const doc = await h.json('/openapi.json');
    expect(doc.components.schemas.Silence.properties.channels).toBeDefined();
    expect(doc.components.schemas.CreateSilence.properties.channels).toMatchObject({ type: 'array', description: expect.stringContaining('naming it and the channels they do define') });
  });
});
