import { describe, expect, it } from 'vitest';
import { EVENT_STATUSES } from '../../../event/event.js';
import { sampleEvent } from '../../../../test/deliver/channels/sample-event.js';
import { buildSlackMessage, shouldUpdateParent, STATUS_EMOJI } from './message.js';
import { createMemorySlackThreadStore } from './threads.js';

const config = { type: 'slack' as const, channel: 'C1' };

describe('buildSlackMessage', () => {
  it.each(EVENT_STATUSES.map((s) => [s, STATUS_EMOJI[s]]))('puts the %s emoji in the header and fallback', (status, emoji) => {
    const message = buildSlackMessage(config, sampleEvent({ status }));
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
    expect(JSON.stringify(message.blocks[0])).toContain(emoji);
    expect(message.text.startsWith(emoji)).toBe(true);
  });

  it('links the order to its dashboard page when PUBLIC_URL is set, and only then', () => {
    const event = sampleEvent({ orderId: 'IN ORD/1' });
    const linked = JSON.stringify(buildSlackMessage(config, event, 'https://relay.example.com/').blocks);
    expect(linked).toContain('<https://relay.example.com/orders/IN%20ORD%2F1|Open in colt-relay>');
    expect(JSON.stringify(buildSlackMessage(config, event).blocks)).not.toContain('Open in colt-relay');
  });

  it('uses distinct emoji for every status', () => {
    expect(new Set(Object.values(STATUS_EMOJI)).size).toBe(EVENT_STATUSES.length);
  });

  it('escapes every event value in mrkdwn and the custom text', () => {
    const event = sampleEvent({ orderId: 'A<@U123>', customerRef: '<https://evil|click>', rawStatus: '<!here>' });
    const message = buildSlackMessage({ ...config, text: '{{orderId}}: {{customerRef}}' }, event);
    const mrkdwn = JSON.stringify(message.blocks.slice(1));
    expect(mrkdwn).not.toMatch(/<[@!h]/);
    expect(message.text).toBe('A&lt;@U123&gt;: &lt;https://evil|click&gt;');
  });

  it('cuts long values inside the Block Kit limits', () => {
    const numbers = Array.from({ length: 400 }, (_, i) => ({ start: `+4420${i}`, end: `+4420${i}`, country: 'GB' }));
    const message = buildSlackMessage(config, sampleEvent({ numbers, orderId: 'X'.repeat(400) }));
    const header = message.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    const fields = (message.blocks.find((b) => 'fields' in b) as { fields: Array<{ text: string }> }).fields;
    expect(fields.every((f) => f.text.length <= 2000)).toBe(true);
  });

  it('marks a late event in the context line', () => {
    const message = buildSlackMessage(config, sampleEvent({ stale: true }));
    expect(JSON.stringify(message.blocks.at(-1))).toContain('late event');
  });
});

describe('shouldUpdateParent', () => {
  it('moves the parent forward only', () => {
    expect(shouldUpdateParent('raised', sampleEvent({ status: 'in_progress' }))).toBe(true);
    expect(shouldUpdateParent('in_progress', sampleEvent({ status: 'completed' }))).toBe(true);
    expect(shouldUpdateParent('unknown', sampleEvent({ status: 'raised' }))).toBe(true);
    expect(shouldUpdateParent('completed', sampleEvent({ status: 'in_progress' }))).toBe(false);
    expect(shouldUpdateParent('failed', sampleEvent({ status: 'failed' }))).toBe(false);
    expect(shouldUpdateParent('failed', sampleEvent({ status: 'completed' }))).toBe(false);
    expect(shouldUpdateParent('raised', sampleEvent({ status: 'completed', stale: true }))).toBe(false);
  });
});

describe('memory Slack thread store', () => {
  it('keeps one thread per order and Slack channel', async () => {
    const store = createMemorySlackThreadStore();
    expect(await store.get('O1', 'C1')).toBeNull();
    await store.save('O1', 'C1', '1.1', 'raised');
    await store.save('O1', 'C2', '2.2', 'raised');
    await store.save('O1', 'C1', '1.1', 'completed');
    expect(await store.get('O1', 'C1')).toEqual({ threadTs: '1.1', lastStatus: 'completed' });
    expect(await store.get('O1', 'C2')).toEqual({ threadTs: '2.2', lastStatus: 'raised' });
    expect(store.size).toBe(2);
  });
});
