import { describe, expect, it } from 'vitest';
import { sampleEvent } from '../../../test/channels/sample-event.js';
import { buildEmailMessage } from './email-message.js';

const config = { type: 'email' as const, to: ['noc@example.com'] };

describe('buildEmailMessage', () => {
  it('has a readable default subject and text', () => {
    const message = buildEmailMessage(config, sampleEvent({ status: 'in_progress' }));
    expect(message.subject).toBe('[colt-relay] Order IN-ORD-1 in progress (activation)');
    expect(message.text.split('\n')[0]).toBe('Order IN-ORD-1 in progress (activation)');
    expect(message.text).toMatch(/^Customer: +ACME-42$/m);
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
