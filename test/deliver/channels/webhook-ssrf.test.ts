import type { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/lib/logger.js';
import type { DeliveryJob } from '../../../src/deliver/channel.js';
import { ALLOW_PRIVATE_HINT } from '../../../src/deliver/channels/webhook/ssrf.js';
import { createWebhookChannel } from '../../../src/deliver/channels/webhook/webhook.channel.js';
import { createSsrfSafeAgent } from '../../../src/runtime/node/ssrf-agent.js';
import { startWebhookPeer, type WebhookPeer } from '../../support/webhook-peer.js';
import { sampleEvent, TEST_WEBHOOK_SECRET } from './sample-event.js';

let peer: WebhookPeer;
const agents: Agent[] = [];

beforeAll(async () => {
  peer = await startWebhookPeer(TEST_WEBHOOK_SECRET);
});
afterAll(async () => {
  await peer.close();
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

const job: DeliveryJob = { id: 'dlv_ssrf', channelName: 'oss', attempt: 1, event: sampleEvent() };

function send(url: string, options: { allowPrivate: boolean; dispatcher?: Agent }) {
  const { dispatcher, allowPrivate } = options;
  const channel = createWebhookChannel(
    'oss',
    { type: 'webhook', url, secret: TEST_WEBHOOK_SECRET, timeoutMs: 5_000 },
    { logger: createSilentLogger(), version: 'test', allowPrivate, ...(dispatcher && { webhookAgent: async () => dispatcher }) },
  );
  return channel.send(job);
}

function agent(resolve?: Parameters<typeof createSsrfSafeAgent>[0]): Agent {
  const created = createSsrfSafeAgent(resolve);
  agents.push(created);
  return created;
}

describe('webhook SSRF guard', () => {
  // Every URL points at the live loopback peer, so a slip would show up as a connection.
  const refused = (port: number) => [
    `http://127.0.0.1:${port}/hook`,
    `http://localhost:${port}/hook`,
    `http://[::1]:${port}/hook`,
    `http://10.0.0.1:${port}/hook`,
    `http://169.254.169.254/latest/meta-data/`,
    `http://[::ffff:127.0.0.1]:${port}/hook`,
    `http://0x7f000001:${port}/hook`,
    `http://2130706433:${port}/hook`,
    `http://0177.0.0.1:${port}/hook`,
  ];

  it('refuses private and loopback URLs without connecting', async () => {
    for (const url of refused(peer.port)) {
      const result = await send(url, { allowPrivate: false });
      expect(result, url).toMatchObject({ ok: false, retryable: false, reason: expect.stringMatching(/^ssrf: .*; WEBHOOK_ALLOW_PRIVATE=true allows private, loopback and local-network receivers/) });
    }
    expect(peer.connections).toBe(0);
    expect(peer.requests).toHaveLength(0);
  });

  it('lets WEBHOOK_ALLOW_PRIVATE reach the same loopback receiver', async () => {
    const result = await send(`http://0x7f000001:${peer.port}/hook`, { allowPrivate: true });
    expect(result).toMatchObject({ ok: true, code: '200' });
    expect(peer.requests.at(-1)?.verified).toBe(true);
  });

  it('refuses a public-looking name that resolves to loopback, at connect time', async () => {
    const before = peer.connections;
    const dispatcher = agent({ resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    const result = await send(`http://hooks.example.com:${peer.port}/hook`, { allowPrivate: false, dispatcher });

    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      reason: `ssrf: hooks.example.com resolves to private address 127.0.0.1; ${ALLOW_PRIVATE_HINT}`,
    });
    expect(peer.connections).toBe(before);
  });

  it('refuses a name with one public and one private address', async () => {
    const dispatcher = agent({
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '::1', family: 6 },
      ],
    });
    const result = await send(`http://mixed.example.com:${peer.port}/hook`, { allowPrivate: false, dispatcher });
    expect(result).toMatchObject({ ok: false, retryable: false, reason: expect.stringContaining('::1') });
  });

  it('refuses a /etc/hosts name through the system resolver', async () => {
    const before = peer.connections;
    // checkWebhookUrl would already refuse "localhost", so call fetch with the agent directly.
    const response = fetch(`http://localhost:${peer.port}/hook`, { dispatcher: agent() } as RequestInit);
    await expect(response).rejects.toMatchObject({ cause: { code: 'ERR_SSRF_BLOCKED' } });
    expect(peer.connections).toBe(before);
  });

  it('refuses IP literals in the agent too, before connecting', async () => {
    const before = peer.connections;
    for (const host of ['127.0.0.1', '[::ffff:7f00:1]', '0x7f000001']) {
      const response = fetch(`http://${host}:${peer.port}/hook`, { dispatcher: agent() } as RequestInit);
      await expect(response, host).rejects.toMatchObject({ cause: { code: 'ERR_SSRF_BLOCKED' } });
    }
    expect(peer.connections).toBe(before);
  });

  it('reports an unresolvable name as a retryable network error', async () => {
    const dispatcher = agent({
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' });
      },
    });
    const result = await send('http://nowhere.example/hook', { allowPrivate: false, dispatcher });
    expect(result).toMatchObject({ ok: false, retryable: true, reason: expect.stringContaining('ENOTFOUND') });
  });
});
