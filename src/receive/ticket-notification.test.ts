import { describe, expect, it } from 'vitest';
import { normaliseTicketStatus } from '../event/ticket-status.js';
import { extractTicketNotification } from './ticket-notification.js';

describe('normaliseTicketStatus', () => {
  it.each([
    ['inProgress', 'in_progress'],
    ['IN_PROGRESS', 'in_progress'],
    ['in progress', 'in_progress'],
    ['resolved', 'resolved'],
    ['Closed', 'closed'],
    ['canceled', 'cancelled'],
    ['acknowledged', 'acknowledged'],
    ['whatever', 'unknown'],
    [null, 'unknown'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseTicketStatus(raw)).toBe(expected);
  });
});

describe('extractTicketNotification', () => {
  const ticket = (relatedEntity: unknown, status = 'inProgress') => ({
    eventId: 'e1',
    eventTime: '2026-11-27T10:00:00Z',
    eventType: 'TroubleTicketStateChangeEvent',
    event: { troubleTicket: { id: 'TT-9', status, relatedEntity } },
  });

  it('takes the order from the relatedEntity of role order, not the first entity', () => {
    const result = extractTicketNotification(
      ticket([
        { id: 'SITE-1', role: 'site', '@referredType': 'GeographicSite' },
        { id: 'IN-ORD-5', role: 'order', '@referredType': 'ProductOrder' },
      ]),
    );
    expect(result).toMatchObject({ ok: true, fields: { orderId: 'IN-ORD-5', status: 'unknown', rawStatus: 'inProgress', source: 'ticket', occurredAt: '2026-11-27T10:00:00.000Z' } });
    expect(result.ticket?.ticketId).toBe('TT-9');
  });

  it('refuses a notification that names no order, pointing at relatedEntity', () => {
    const result = extractTicketNotification(ticket([]));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues[0]!.path).toBe('event.troubleTicket.relatedEntity');
    expect(extractTicketNotification({ hello: 'world' }).ok).toBe(false);
  });
});
