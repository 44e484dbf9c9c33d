import { describe, expect, it } from 'vitest';
import { sampleEvent } from '../../../../test/deliver/channels/sample-event.js';
import { buildEmailMessage } from './message.js';

const config = { type: 'email' as const, to: ['noc@example.com'] };

describe('buildEmailMessage', () => {
  it('has a readable default subject and text', () => {
    const message = buildEmailMessage(config, sampleEvent({ status: 'in_progress' }));
    expect(message.subject).toBe('[colt-relay] Order IN-ORD-1 in progress (activation)');
    expect(message.text.split('\n')[0]).toBe('Order IN-ORD-1 in progress (activation)');
    expect(message.text).toMatch(/^Customer: +ACME-42$/m);
  });

  it('links the order to its dashboard page when PUBLIC_URL is set, and only then', () => {
    const linked = buildEmailMessage(config, sampleEvent({ orderId: 'IN-ORD-1' }), 'https://relay.example.com');
    expect(linked.text).toMatch(/^Link: +https:\/\/relay\.example\.com\/orders\/IN-ORD-1$/m);
    expect(linked.html).toContain('<a href="https://relay.example.com/orders/IN-ORD-1">Open in colt-relay</a>');
    const plain = buildEmailMessage(config, sampleEvent({ orderId: 'IN-ORD-1' }));
    expect(plain.text).not.toMatch(/^Link:/m);
    expect(plain.html).not.toContain('<a ');
  });

  it('escapes every value in the HTML table', () => {
    const message = buildEmailMessage(config, sampleEvent({ orderId: '"><img src=x>', customerRef: "O'Brien & <Co>" }));
    expect(message.html).not.toContain('<img');
    expect(message.html).toContain('&quot;&gt;&lt;img src=x&gt;');
    expect(message.html).toContain('O&#39;Brien &amp; &lt;Co&gt;');
  });

  it('renders templates unescaped in plain text and escaped in HTML', () => {
    const message = buildEmailMessage({ ...config, subject: '{{customerRef}}', text: 'Hi {{customerRef}}' }, sampleEvent({ customerRef: 'A&B' }));
    expect(message.subject).toBe('A&B');
    expect(message.text).toBe('Hi A&B');
    expect(message.html).toContain('<p>Hi A&amp;B</p>');
  });
});
