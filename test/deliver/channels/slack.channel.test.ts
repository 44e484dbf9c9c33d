import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/lib/logger.js';
import type { NormalisedEvent } from '../../../src/event/event.js';
import type { DeliveryJob } from '../../../src/deliver/channel.js';
import type { SlackChannelConfig } from '../../../src/config/channel-config.js';
import { createSlackChannel, type SlackChannelDeps } from '../../../src/deliver/channels/slack/slack.channel.js';
import { createMemorySlackThreadStore, type SlackThreadStore } from '../../../src/deliver/channels/slack/threads.js';
import { startSlackPeer, type SlackPeer } from '../../support/slack-peer.js';
import { sampleEvent } from './sample-event.js';

let peer: SlackPeer;
let threads: ReturnType<typeof createMemorySlackThreadStore>;
let jobs = 0;

beforeAll(async () => {
  peer = await startSlackPeer();
});
afterAll(async () => {
  await peer.close();
});
beforeEach(() => {
  peer.calls.length = 0;
  peer.messages.clear();
  threads = createMemorySlackThreadStore();
});

function job(event: Partial<NormalisedEvent>): DeliveryJob {
  jobs++;
  return { id: `dlv_${jobs}`, channelName: 'ops-slack', attempt: 1, event: sampleEvent({ eventId: `evt_${jobs}`, ...event }) };
}

function slack(config: Partial<SlackChannelConfig> = {}, deps: Partial<SlackChannelDeps> = {}) {
  return createSlackChannel(
    'ops-slack',
    { type: 'slack', channel: 'C0123456789', ...config },
    { token: peer.token, slackApiUrl: peer.url, threads, logger: createSilentLogger(), ...deps },
  );
}

const header = (blocks: unknown[]) => (blocks[0] as { text: { text: string } }).text.text;
const fieldTexts = (blocks: unknown[]) =>
  (blocks.find((b) => (b as { fields?: unknown }).fields) as { fields: Array<{ text: string }> }).fields.map((f) => f.text);

describe('slack channel against a local Web API', () => {
  it('posts the first event of an order as the parent of its thread', async () => {
    const result = await slack().send(job({ status: 'raised', rawStatus: 'acknowledged' }));

    expect(result).toMatchObject({ ok: true, code: 'ok' });
    expect(peer.calls).toHaveLength(1);
    const [call] = peer.calls;
    expect(call!.method).toBe('chat.postMessage');
    expect(call!.token).toBe(peer.token);
    expect(call!.args.thread_ts).toBeUndefined();
    expect(call!.args.text).toBe('🆕 Order IN-ORD-1 raised (activation)');
    const blocks = call!.args.blocks as unknown[];
    expect(header(blocks)).toBe('🆕 Order IN-ORD-1 raised');
    expect(fieldTexts(blocks)).toEqual([
      '*Order*\nIN-ORD-1',
      '*Type*\nactivation',
      '*Status*\nraised (acknowledged)',
      '*Numbers*\n+442071234560–+442071234569, +442071234599',
      '*Customer*\nACME-42',
      '*Occurred at*\n2026-11-26T09:58:00.000Z',
    ]);
    expect(JSON.stringify(blocks.at(-1))).toContain(`Event evt_${jobs}`);

    const [ts] = [...peer.messages.keys()];
    expect(await threads.get('IN-ORD-1', 'C0123456789')).toEqual({ threadTs: ts, lastStatus: 'raised' });
  });

  it('links the order to its dashboard page with PUBLIC_URL', async () => {
    await slack({}, { publicUrl: 'https://relay.example.com' }).send(job({ status: 'failed', orderId: 'IN-ORD-77' }));
    expect(JSON.stringify(peer.calls[0]!.args.blocks)).toContain('<https://relay.example.com/orders/IN-ORD-77|Open in colt-relay>');
  });

  it('replies in the thread for a later status and updates the parent', async () => {
    const channel = slack();
    await channel.send(job({ status: 'raised' }));
    const parentTs = [...peer.messages.keys()][0]!;
    const result = await channel.send(job({ status: 'completed', rawStatus: 'completed' }));

    expect(result.ok).toBe(true);
    expect(peer.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.postMessage', 'chat.update']);
    const reply = peer.calls[1]!.args;
    expect(reply.thread_ts).toBe(parentTs);
    expect(reply.reply_broadcast).toBeUndefined();
    const parent = peer.messages.get(parentTs)!;
    expect(parent.updates).toBe(1);
    expect(header(parent.blocks)).toBe('✅ Order IN-ORD-1 completed');
    expect(await threads.get('IN-ORD-1', 'C0123456789')).toEqual({ threadTs: parentTs, lastStatus: 'completed' });
  });

  it('broadcasts a failure reply to the channel', async () => {
    const channel = slack();
    await channel.send(job({ status: 'in_progress' }));
    await channel.send(job({ status: 'failed' }));
    const reply = [...peer.messages.values()][1]!;
    expect(reply.threadTs).toBeDefined();
    expect(reply.replyBroadcast).toBe(true);
    expect(header(reply.blocks)).toBe('❌ Order IN-ORD-1 failed');
  });

  it('never rolls the parent back for a late event', async () => {
    const channel = slack();
    await channel.send(job({ status: 'completed' }));
    await channel.send(job({ status: 'in_progress', stale: true }));
    expect(peer.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.postMessage']);
    expect((await threads.get('IN-ORD-1', 'C0123456789'))?.lastStatus).toBe('completed');
  });

  it('keeps one thread per Slack channel', async () => {
    await slack({ channel: 'C0000000001' }).send(job({ status: 'raised' }));
    await slack({ channel: 'C0000000002' }).send(job({ status: 'raised' }));
    expect(peer.calls.every((c) => c.args.thread_ts === undefined)).toBe(true);
    expect(threads.size).toBe(2);
  });

  it('still succeeds when the reply is posted but chat.update fails', async () => {
    const channel = slack();
    await channel.send(job({ status: 'raised' }));
    peer.failNext('chat.update', { error: 'message_not_found' });
    const result = await channel.send(job({ status: 'completed' }));

    expect(result.ok).toBe(true);
    expect(peer.messages.size).toBe(2);
    expect((await threads.get('IN-ORD-1', 'C0123456789'))?.lastStatus).toBe('raised');
  });

  it('treats channel_not_found and invalid_auth as permanent', async () => {
    peer.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect(await slack().send(job({}))).toMatchObject({ ok: false, retryable: false, code: 'channel_not_found' });
    expect(await slack({}, { token: 'xoxb-wrong' }).send(job({}))).toMatchObject({
      ok: false,
      retryable: false,
      code: 'invalid_auth',
    });
    expect(threads.size).toBe(0);
  });

  it('retries Slack internal errors and HTTP 5xx', async () => {
    peer.failNext('chat.postMessage', { error: 'internal_error' });
    peer.failNext('chat.postMessage', { status: 502, body: 'bad gateway' });
    expect(await slack().send(job({}))).toMatchObject({ ok: false, retryable: true, code: 'internal_error' });
    expect(await slack().send(job({}))).toMatchObject({ ok: false, retryable: true, code: '502' });
  });

  it('passes Retry-After of a 429 on and does not retry by itself', async () => {
    peer.failNext('chat.postMessage', { status: 429, retryAfter: '30' });
    const result = await slack().send(job({}));
    expect(result).toMatchObject({ ok: false, retryable: true, code: 'ratelimited', retryAfterMs: 30_000 });
    expect(peer.calls).toHaveLength(1);
  });

  it('waits a minute after a 429 without Retry-After', async () => {
    peer.failNext('chat.postMessage', { status: 429 });
    expect(await slack().send(job({}))).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000 });
    expect(peer.calls).toHaveLength(1);
  });

  it('reports a timeout as retryable', async () => {
    peer.failNext('chat.postMessage', { delayMs: 5_000 });
    const result = await slack({}, { timeoutMs: 200 }).send(job({}));
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000, reason: expect.stringContaining('timeout') });
  });

  it('reports a thread store failure as retryable without posting', async () => {
    const broken: SlackThreadStore = {
      get: async () => {
        throw new Error('store unavailable');
      },
      save: async () => undefined,
    };
    expect(await slack({}, { threads: broken }).send(job({}))).toMatchObject({ ok: false, retryable: true });
    expect(peer.calls).toHaveLength(0);
  });

  it('escapes event text for mrkdwn in blocks and the fallback text', async () => {
    const customerRef = '<script>&<!channel>';
    await slack({ text: 'Alert for {{customerRef}} on *{{orderId}}*' }).send(job({ customerRef }));
    const { args } = peer.calls[0]!;
    expect(args.text).toBe('Alert for &lt;script&gt;&amp;&lt;!channel&gt; on *IN-ORD-1*');
    const blocks = args.blocks as unknown[];
    expect(fieldTexts(blocks)).toContain('*Customer*\n&lt;script&gt;&amp;&lt;!channel&gt;');
    expect(JSON.stringify(blocks)).not.toContain('<script>');
    expect(JSON.stringify(blocks)).not.toContain('<!channel>');
  });

  it('accepts a Slack API URL without the trailing slash', async () => {
    const result = await slack({}, { slackApiUrl: peer.url.replace(/\/$/, '') }).send(job({}));
    expect(result.ok).toBe(true);
    expect(peer.calls[0]!.method).toBe('chat.postMessage');
  });
});
