/**
 * The Slack channel over the fetch-based client that replaces @slack/web-api on Workers
 * (wrangler.toml [alias]): the same channel code, the same wire format, the same results
 * for every answer the web-api suite covers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSlackChannel, type SlackChannelDeps } from '../../../src/deliver/channels/slack/slack.channel.js';
import { createMemorySlackThreadStore } from '../../../src/deliver/channels/slack/threads.js';
import type { DeliveryJob } from '../../../src/deliver/channel.js';
import { createSilentLogger } from '../../../src/lib/logger.js';
import type { NormalisedEvent } from '../../../src/event/event.js';
import { startSlackPeer, type SlackPeer } from '../../support/slack-peer.js';
import { sampleEvent } from './sample-event.js';

// What the Workers bundle does at build time, done here for this file only.
vi.mock('@slack/web-api', () => import('../../../src/deliver/channels/slack/web-api-fetch.js'));

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
  return { id: `dlv_f${jobs}`, channelName: 'ops-slack', attempt: 1, event: sampleEvent({ eventId: `evt_f${jobs}`, ...event }) };
}

function slack(deps: Partial<SlackChannelDeps> = {}) {
  return createSlackChannel(
    'ops-slack',
    { type: 'slack', channel: 'C0123456789' },
    { token: peer.token, slackApiUrl: peer.url, threads, logger: createSilentLogger(), ...deps },
  );
}

describe('slack channel over the fetch-based client', () => {
  it('is really running on the fetch client', async () => {
    const webApi = await import('@slack/web-api');
    expect(webApi.WebClient.name).toBe('WebClient');
    expect('SlackFetchError' in webApi).toBe(true);
  });

  it('posts the parent with the token and blocks, then replies in its thread, broadcasts a failure and updates the parent', async () => {
    const channel = slack();
    expect(await channel.send(job({ status: 'in_progress' }))).toMatchObject({ ok: true, code: 'ok' });
    const parentTs = [...peer.messages.keys()][0]!;
    expect(peer.calls[0]).toMatchObject({ method: 'chat.postMessage', token: peer.token });
    expect(Array.isArray(peer.calls[0]!.args.blocks)).toBe(true);

    expect((await channel.send(job({ status: 'failed' }))).ok).toBe(true);
    expect(peer.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.postMessage', 'chat.update']);
    const reply = [...peer.messages.values()][1]!;
    expect(reply).toMatchObject({ threadTs: parentTs, replyBroadcast: true });
    expect(peer.messages.get(parentTs)!.updates).toBe(1);
    expect(await threads.get('IN-ORD-1', 'C0123456789')).toEqual({ threadTs: parentTs, lastStatus: 'failed' });
  });

  it('treats channel_not_found and invalid_auth as permanent', async () => {
    peer.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect(await slack().send(job({}))).toMatchObject({ ok: false, retryable: false, code: 'channel_not_found' });
    expect(await slack({ token: 'xoxb-wrong' }).send(job({}))).toMatchObject({ ok: false, retryable: false, code: 'invalid_auth' });
  });

  it('retries Slack internal errors and HTTP 5xx', async () => {
    peer.failNext('chat.postMessage', { error: 'internal_error' });
    peer.failNext('chat.postMessage', { status: 502, body: 'bad gateway' });
    expect(await slack().send(job({}))).toMatchObject({ ok: false, retryable: true, code: 'internal_error' });
    expect(await slack().send(job({}))).toMatchObject({ ok: false, retryable: true, code: '502', response: 'bad gateway' });
  });

  it('passes the Retry-After of a 429 on, and waits a minute without one, never retrying by itself', async () => {
    peer.failNext('chat.postMessage', { status: 429, retryAfter: '30' });
    expect(await slack().send(job({}))).toMatchObject({ ok: false, retryable: true, code: 'ratelimited', retryAfterMs: 30_000 });
    peer.failNext('chat.postMessage', { status: 429 });
    expect(await slack().send(job({}))).toMatchObject({ ok: false, retryable: true, code: '429', retryAfterMs: 60_000 });
    expect(peer.calls).toHaveLength(2);
  });

  it('reports a timeout and a refused connection as retryable', async () => {
    peer.failNext('chat.postMessage', { delayMs: 5_000 });
    const timedOut = await slack({ timeoutMs: 200 }).send(job({}));
    expect(timedOut).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000, reason: expect.stringContaining('timeout') });
    const refused = await slack({ slackApiUrl: 'http://127.0.0.1:9/api/' }).send(job({}));
    expect(refused).toMatchObject({ ok: false, retryable: true, reason: expect.stringContaining('slack: network error') });
  });
});
