import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../lib/logger.js';
import type { DeliveryJob } from '../channel.js';
import type { ChannelConfig } from '../../config/channel-config.js';
import { sampleEvent, TEST_WEBHOOK_SECRET } from '../../../test/deliver/channels/sample-event.js';
import { closeChannels, createChannels, createMemorySlackThreadStore, renderMessage, type ChannelDeps } from './index.js';

const configs: Record<string, ChannelConfig> = {
  'ops-slack': { type: 'slack', channel: 'C0123456789' },
  'noc-email': { type: 'email', to: ['noc@example.com'] },
  oss: { type: 'webhook', url: 'https://oss.example.com/colt', secret: TEST_WEBHOOK_SECRET },
  console: { type: 'log' },
};

function deps(overrides: Partial<ChannelDeps> = {}): ChannelDeps {
  return {
    logger: createSilentLogger(),
    version: 'test',
    allowPrivate: false,
    slackThreads: createMemorySlackThreadStore(),
    ...overrides,
  };
}

const job = (channelName: string): DeliveryJob => ({ id: 'dlv_1', channelName, attempt: 1, event: sampleEvent() });

describe('createChannels', () => {
  it('creates every configured channel by name and type', async () => {
    const channels = createChannels(configs, deps({ smtpUrl: 'smtp://127.0.0.1:1', mailFrom: 'relay@example.com', slackToken: 'xoxb-1' }));
    expect([...channels].map(([name, c]) => [name, c.name, c.type])).toEqual([
      ['ops-slack', 'ops-slack', 'slack'],
      ['noc-email', 'noc-email', 'email'],
      ['oss', 'oss', 'webhook'],
      ['console', 'console', 'log'],
    ]);
    expect(channels.warnings).toEqual([]);
    await closeChannels(channels.values());
  });

  it('creates channels without a transport but makes them refuse to send, with warnings', async () => {
    const channels = createChannels(configs, deps());
    expect(channels.warnings).toEqual([
      'channel "ops-slack" (slack): SLACK_BOT_TOKEN is not set',
      'channel "noc-email" (email): SMTP_URL is not set',
    ]);
    expect(await channels.get('noc-email')!.send(job('noc-email'))).toEqual({ ok: false, retryable: false, reason: 'SMTP_URL is not set' });
    expect(await channels.get('ops-slack')!.send(job('ops-slack'))).toEqual({
      ok: false,
      retryable: false,
      reason: 'SLACK_BOT_TOKEN is not set',
    });
    // Rendering needs no transport.
    expect(channels.get('noc-email')!.render(sampleEvent()).subject).toBe('[colt-relay] Order IN-ORD-1 failed (activation)');
  });

  it('asks for a sender when neither MAIL_FROM nor the channel has one', async () => {
    const channels = createChannels({ mail: { type: 'email', to: ['a@example.com'] } }, deps({ smtpUrl: 'smtp://127.0.0.1:1' }));
    expect(channels.warnings).toEqual(['channel "mail" (email): MAIL_FROM is not set and the channel has no from']);
    const withFrom = createChannels({ mail: { type: 'email', to: ['a@example.com'], from: 'x@example.com' } }, deps({ smtpUrl: 'smtp://127.0.0.1:1' }));
    expect(withFrom.warnings).toEqual([]);
    await closeChannels(withFrom.values());
  });

  it('refuses a malformed webhook secret without echoing it', async () => {
    const secret = 'whsec_not*base64!';
    const channels = createChannels({ oss: { type: 'webhook', url: 'https://oss.example.com/', secret } }, deps());
    expect(channels.warnings).toHaveLength(1);
    expect(channels.warnings[0]).not.toContain('not*base64');
    expect(await channels.get('oss')!.send(job('oss'))).toMatchObject({ ok: false, retryable: false });
  });
});

describe('renderMessage', () => {
  const event = sampleEvent({ customerRef: '<b>&' });

  it('renders email with subject, text and escaped HTML', () => {
    const rendered = renderMessage('noc-email', configs['noc-email']!, event);
    expect(rendered.subject).toBe('[colt-relay] Order IN-ORD-1 failed (activation)');
    expect(rendered.text).toContain('<b>&');
    expect((rendered.body as { html: string }).html).toContain('&lt;b&gt;&amp;');
  });

  it('renders Slack blocks with mrkdwn escaping', () => {
    const rendered = renderMessage('ops-slack', configs['ops-slack']!, event);
    expect(rendered.text).toBe('❌ Order IN-ORD-1 failed (activation)');
    expect(JSON.stringify(rendered.body)).toContain('&lt;b&gt;&amp;');
  });

  it('renders the webhook body as sent', () => {
    const rendered = renderMessage('oss', configs.oss!, event, Date.parse('2026-11-26T10:00:00Z'));
    expect(rendered.body).toEqual({ type: 'order.failed', timestamp: '2026-11-26T10:00:00.000Z', data: event });
  });

  it('renders the log line text from the template', () => {
    expect(renderMessage('console', { type: 'log', text: '{{orderId}} → {{status}}' }, event)).toEqual({ text: 'IN-ORD-1 → failed' });
    expect(renderMessage('console', { type: 'log' }, event)).toEqual({ text: 'Order IN-ORD-1 failed (activation)' });
  });
});
