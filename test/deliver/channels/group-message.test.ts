/** The grouped Slack and email messages (docs/design.md#grouping): counts, the first ten orders, links, escaping. */
import { describe, expect, it } from 'vitest';
import type { GroupJob } from '../../../src/deliver/channel.js';
import { buildEmailGroupMessage, buildSlackGroupMessage, summariseGroup } from '../../../src/deliver/channels/group-message.js';
import { sampleEvent } from './sample-event.js';

function job(events: GroupJob['events'], values: GroupJob['values'] = { customerRef: 'ACME' }): GroupJob {
  return { id: 'grp-1', channelName: 'ops-slack', attempt: 1, rule: 'failures-to-ops', values, events };
}

const failed = (n: number) => Array.from({ length: n }, (_, i) => sampleEvent({ orderId: `IN-ORD-${i}`, eventId: `evt-${i}` }));

describe('grouped messages', () => {
  it('counts orders by status (an order once, at its latest event) and lists the first ten, then "and M more"', () => {
    const events = [
      ...failed(12),
      sampleEvent({ orderId: 'IN-ORD-0', eventId: 'evt-late', status: 'completed', rawStatus: 'Completed' }),
    ];
    const summary = summariseGroup(job(events));
    expect(summary.orders).toBe(12);
    expect(summary.byStatus).toEqual([
      { status: 'failed', count: 11 },
      { status: 'completed', count: 1 },
    ]);
    expect(summary.listed).toHaveLength(10);
    expect(summary.more).toBe(2);

    const slack = buildSlackGroupMessage(job(events));
    expect(slack.text.split('\n')[0]).toBe('❌ 12 orders: 11 failed, 1 completed · failures-to-ops (customerRef: ACME)');
    expect(slack.text).toContain('…and 2 more');
    const email = buildEmailGroupMessage(job(events));
    expect(email.subject).toBe('[colt-relay] 12 orders: 11 failed, 1 completed · failures-to-ops (customerRef: ACME)');
    expect(email.text).toContain('…and 2 more');
    expect(email.html).toContain('<p>…and 2 more</p>');
  });

  it('links orders to the dashboard only when PUBLIC_URL is set', () => {
    const withUrl = buildSlackGroupMessage(job(failed(1)), 'https://relay.example.com/');
    expect(JSON.stringify(withUrl.blocks)).toContain('<https://relay.example.com/orders/IN-ORD-0|IN-ORD-0>');
    expect(JSON.stringify(buildSlackGroupMessage(job(failed(1))).blocks)).not.toContain('https://');
    const email = buildEmailGroupMessage(job(failed(1)), 'https://relay.example.com');
    expect(email.html).toContain('<a href="https://relay.example.com/orders/IN-ORD-0">IN-ORD-0</a>');
    expect(email.text).toContain('https://relay.example.com/orders/IN-ORD-0');
  });

  it('escapes event values for each target: no mrkdwn links or mentions, no HTML, no header injection', () => {
    const odd = sampleEvent({ orderId: 'IN-<!channel>&1', customerRef: '<b>x</b>' });
    const values = { customerRef: 'A\r\nBcc: evil@example.com' };
    const slack = buildSlackGroupMessage(job([odd], values), 'https://relay.example.com');
    const blocks = JSON.stringify(slack.blocks);
    expect(blocks).not.toContain('<!channel>');
    expect(blocks).toContain('IN-&lt;!channel&gt;&amp;1');
    expect(blocks).toContain('/orders/IN-%3C!channel%3E%261|');
    const email = buildEmailGroupMessage(job([odd], values));
    expect(email.html).not.toContain('<b>x</b>');
    expect(email.html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it('without `by` the heading is the rule alone', () => {
    expect(buildEmailGroupMessage(job(failed(2), {})).subject).toBe('[colt-relay] 2 orders: 2 failed · failures-to-ops');
  });
});
