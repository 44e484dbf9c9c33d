import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/lib/logger.js';
import type { NormalisedEvent } from '../../../src/event/event.js';
import type { Channel, DeliveryJob } from '../../../src/deliver/channel.js';
import type { EmailChannelConfig } from '../../../src/config/channel-config.js';
import { createEmailChannel } from '../../../src/deliver/channels/email/email.channel.js';
import { startSmtpPeer, type SmtpPeer } from '../../support/smtp-peer.js';
import { sampleEvent } from './sample-event.js';

let peer: SmtpPeer;
const open: Channel[] = [];

beforeAll(async () => {
  peer = await startSmtpPeer();
});
afterAll(async () => {
  await peer.close();
});
beforeEach(() => {
  peer.messages.length = 0;
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close?.()));
});

function email(config: Partial<EmailChannelConfig> = {}, smtpUrl = peer.url): Channel {
  const channel = createEmailChannel(
    'noc-email',
    { type: 'email', to: ['noc@example.com'], ...config },
    { smtpUrl, from: 'relay@example.com', logger: createSilentLogger() },
  );
  open.push(channel);
  return channel;
}

function job(id: string, event: Partial<NormalisedEvent> = {}): DeliveryJob {
  return { id, channelName: 'noc-email', attempt: 1, event: sampleEvent(event) };
}

describe('email channel against an SMTP server', () => {
  it('delivers subject, text and HTML with the delivery id as Message-ID', async () => {
    const result = await email({ cc: ['ops@example.com'] }).send(job('dlv_mail_1'));

    expect(result).toMatchObject({ ok: true, code: '250', response: expect.stringContaining('Message queued') });
    expect(peer.messages).toHaveLength(1);
    const [message] = peer.messages;
    expect(message!.envelope).toEqual({ from: 'relay@example.com', to: ['noc@example.com', 'ops@example.com'] });
    expect(message!.subject).toBe('[colt-relay] Order IN-ORD-1 failed (activation)');
    expect(message!.messageId).toBe('<dlv_mail_1@colt-relay>');
    expect(message!.headers['x-colt-relay-delivery']).toBe('dlv_mail_1');
    expect(message!.text).toContain('Customer:');
    expect(message!.text).toContain('ACME-42');
    expect(message!.text).toContain('+442071234560–+442071234569, +442071234599');
    expect(message!.html).toContain('<th align="left" style="padding:2px 12px 2px 0">Order</th><td>IN-ORD-1</td>');
  });

  it('renders the channel templates', async () => {
    await email({ subject: 'Colt {{orderId}}: {{status}}', text: 'Order {{orderId}} for {{customerRef}}\nis {{status}}.' }).send(
      job('dlv_mail_2'),
    );
    const [message] = peer.messages;
    expect(message!.subject).toBe('Colt IN-ORD-1: failed');
    expect(message!.text).toBe('Order IN-ORD-1 for ACME-42\nis failed.');
    expect(message!.html).toContain('<p>Order IN-ORD-1 for ACME-42<br>\nis failed.</p>');
  });

  it('escapes event values in the HTML part only', async () => {
    const customerRef = '<script>alert(1)</script>&"';
    await email({ text: 'Customer {{customerRef}}' }).send(job('dlv_mail_3', { customerRef }));
    const [message] = peer.messages;
    expect(message!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;');
    expect(message!.html).not.toContain('<script>');
    expect(message!.text).toBe(`Customer ${customerRef}`);
  });

  it('keeps a subject on one line whatever the event contains', async () => {
    await email({ subject: 'Order {{customerRef}}' }).send(job('dlv_mail_4', { customerRef: 'x\r\nBcc: victim@example.com' }));
    const [message] = peer.messages;
    expect(message!.subject).toBe('Order x Bcc: victim@example.com');
    expect(message!.headers.bcc).toBeUndefined();
    expect(message!.envelope.to).toEqual(['noc@example.com']);
  });

  it('retries a 450 with the same Message-ID and gives up on a 550', async () => {
    const channel = email();
    peer.respondWith(450, 'Mailbox busy, try later');
    const busy = await channel.send(job('dlv_mail_5'));
    const retried = await channel.send({ ...job('dlv_mail_5'), attempt: 2 });
    peer.respondWith(550, 'Mailbox unavailable');
    const rejected = await channel.send(job('dlv_mail_6'));

    expect(busy).toMatchObject({ ok: false, retryable: true, code: '450', reason: expect.stringContaining('Mailbox busy') });
    expect(retried).toMatchObject({ ok: true, code: '250' });
    expect(rejected).toMatchObject({ ok: false, retryable: false, code: '550' });
    expect(peer.messages.map((m) => m.messageId)).toEqual(['<dlv_mail_5@colt-relay>']);
  });

  it('delivers to the accepted recipients when one is refused', async () => {
    peer.respondWith(550, 'No such user', { stage: 'rcpt' });
    const result = await email({ to: ['gone@example.com', 'noc@example.com'] }).send(job('dlv_mail_7'));
    expect(result).toMatchObject({ ok: true, response: expect.stringContaining('rejected: gone@example.com') });
    expect(peer.messages[0]!.envelope.to).toEqual(['noc@example.com']);
  });

  it('retries when the SMTP server cannot be reached', async () => {
    const gone = await startSmtpPeer();
    await gone.close();
    const result = await email({}, gone.url).send(job('dlv_mail_8'));
    expect(result).toMatchObject({ ok: false, retryable: true, reason: expect.stringContaining('ECONNREFUSED') });
  });
});
