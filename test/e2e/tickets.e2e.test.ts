/**
 * Trouble tickets end to end over real HTTP: a failed activation opens exactly one ticket
 * at mock-colt even when the ticket POST times out once and is retried; a second failure
 * of the same order adds a note, not a ticket; the simulator's ticket notifications become
 * ticket.in_progress / ticket.resolved events delivered to a webhook that verifies them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMockColt, type RunningMockColt } from '../../src/colt/mock/mock-colt.server.js';
import type { MockScheduler } from '../../src/colt/mock/mock-colt.types.js';
import { getOrderTicket } from '../../src/store/tickets.repo.js';
import { CLIENT_ID, CLIENT_SECRET } from '../colt/colt-harness.js';
import { PIPELINE_TOKEN, createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { STORE_KINDS } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const OSS_SECRET = `whsec_${Buffer.from('ticket-webhook-signing-key-32by').toString('base64')}`;
const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const ORDER = 'IN-ORD-T100';

const RULES = (peerUrl: string) => `
channels:
  colt-tickets: { type: colt-ticket, severity: Major, ticketType: Order Failure }
  oss: { type: webhook, url: "${peerUrl}", secret: \${OSS_SECRET} }
rules:
  - name: failed-activation-to-ticket
    match: { status: failed, orderType: activation }
    notify: [colt-tickets]
  - name: tickets-to-oss
    match: { type: { prefix: "ticket." } }
    notify: [oss]
`;

function failedCallback(at: string) {
  return { orderId: ORDER, orderType: 'Number Activation', orderStatus: 'Failed', timestamp: at, code: 'E-4021', reason: 'Address validation failed' };
}

describe.each(STORE_KINDS)('colt-ticket channel and ticket notifications (%s)', { timeout: 120_000 }, (kind) => {
  let mock: RunningMockColt | undefined;
  let relay: TestPipeline | undefined;
  let peer: WebhookPeer | undefined;
  afterEach(async () => {
    await relay?.close();
    await mock?.close();
    await peer?.close();
    [relay, mock, peer] = [undefined, undefined, undefined];
  });

  it('one ticket per order across a timed-out POST, a note for the second failure, notifications routed as ticket.*', async () => {
    // Ticket progress runs only when the test says so.
    const scheduled: (() => void)[] = [];
    const schedule: MockScheduler = (run) => {
      scheduled.push(run);
      return () => {};
    };
    mock = await startMockColt({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, schedule, callbackToken: PIPELINE_TOKEN });
    peer = await startWebhookPeer(OSS_SECRET);
    // Colt creates the first ticket but its answer arrives after the client's timeout.
    let delayed = 0;
    const slowFirstTicket = async (url: string | URL | Request, init?: RequestInit) => {
      const response = await fetch(url, init);
      if (init?.method === 'POST' && String(url).endsWith('/troubleTicket') && delayed++ === 0) {
        await new Promise((resolve) => setTimeout(resolve, 600));
      }
      return response;
    };
    relay = await createTestPipeline(
      kind,
      {
        COLT_CLIENT_ID: CLIENT_ID,
        COLT_CLIENT_SECRET: CLIENT_SECRET,
        COLT_API_BASE_URL: mock.apiBaseUrl,
        COLT_TOKEN_URL: mock.tokenUrl,
        COLT_TICKET_API_BASE_URL: mock.ticketApiBaseUrl,
        ENRICH: 'never',
        ADMIN_TOKEN,
        OSS_SECRET,
        RULES: RULES(peer.url),
      },
      { fetch: slowFirstTicket as typeof fetch, coltTimeoutMs: 200 },
    );
    mock.mock.setTicketCallbackUrl(`${relay.url}/callbacks/colt/tickets`);
    const { clock, pipeline, store } = relay;
    const ticketCalls = (method: string) => mock!.mock.state.calls.filter((c) => c.method === method && c.path.includes('/troubleTicket'));
    // Between ticks, move past the retry delay after a timeout (at least 60 s); no further,
    // so the webhook's signed timestamp stays within the receiver's tolerance.
    const work = async (ticks: number) => {
      for (let i = 0; i < ticks; i++) {
        if (i > 0) clock.advance(70_000);
        await pipeline.dispatcher.tick();
      }
    };

    expect((await relay.post(failedCallback('2026-11-27T10:00:00Z'))).http).toBe(200);
    await work(2);
    expect(ticketCalls('POST')).toHaveLength(1);
    expect(mock.mock.state.tickets.size).toBe(1);
    const [ticket] = [...mock.mock.state.tickets.values()];
    expect(ticket).toMatchObject({
      severity: 'Major',
      ticketType: 'Order Failure',
      relatedEntity: [{ id: ORDER, role: 'order', '@referredType': 'ProductOrder' }],
    });
    expect(String(ticket!.description)).toMatch(/IN-ORD-T100.*failed.*E-4021 · Address validation failed/);
    // Each try looked for the order's ticket by its external id before creating one: the retry found it.
    const lookups = ticketCalls('GET');
    expect(lookups).toHaveLength(2);
    expect(ticket!.externalId).toBe(`colt-relay:order:${ORDER}`);
    for (const call of [...ticketCalls('POST'), ...lookups]) expect(call.trackingId).toEqual(expect.any(String));
    expect(await getOrderTicket(store.db, ORDER)).toEqual({ ticketId: ticket!.id, status: 'acknowledged' });

    expect((await relay.post(failedCallback('2026-11-27T11:00:00Z'))).http).toBe(200);
    await work(1);
    expect(mock.mock.state.tickets.size).toBe(1);
    expect(ticketCalls('PATCH')).toHaveLength(1);
    // The note went in as a merge patch of the whole list, after reading the ticket.
    expect(ticketCalls('GET').at(-1)!.path).toBe(`/tmf-api/troubleTicket/v4/troubleTicket/${ticket!.id}`);
    expect(ticket!.note).toHaveLength(1);
    expect(String((ticket!.note as { text: string }[])[0]!.text)).toMatch(/E-4021/);

    // Colt works on the ticket, then resolves it: two notifications to the relay.
    while (mock.mock.state.ticketNotifications.length < 2) {
      for (const run of scheduled.splice(0)) run();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await mock.mock.idle();
    expect(mock.mock.state.ticketNotifications.map((n) => [n.eventType, n.httpStatus])).toEqual([
      ['TroubleTicketStateChangeEvent', 200],
      ['TroubleTicketResolvedEvent', 200],
    ]);
    await relay.drain();
    const delivered = peer.requests.filter((r) => r.verified);
    expect(delivered).toHaveLength(2);
    expect(peer.requests.every((r) => r.verified)).toBe(true);
    const payloads = delivered.map((r) => r.payload as { type: string; data: { orderId: string; source: string; type: string } });
    expect(payloads.map((p) => p.type).sort()).toEqual(['ticket.in_progress', 'ticket.resolved']); // one dispatcher tick may send them in either order
    for (const p of payloads) expect(p.data).toMatchObject({ orderId: ORDER, source: 'ticket', type: p.type });
    // No third ticket: ticket events are not order failures.
    expect(mock.mock.state.tickets.size).toBe(1);

    const res = await relay.app.request(`/api/orders/${ORDER}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const body = (await res.json()) as { order: { ticketId: string; ticketStatus: string; status: string } };
    expect(body.order).toMatchObject({ ticketId: ticket!.id, ticketStatus: 'resolved', status: 'failed' });
  });

  it('the same ticket notification twice is stored once; one naming no order is refused with 400', async () => {
    relay = await createTestPipeline(kind, { RULES: 'channels: { console: { type: log } }\nrules: [ { name: all, notify: [console] } ]\n' });
    const post = (body: unknown) =>
      relay!.app.request('/callbacks/colt/tickets', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${PIPELINE_TOKEN}` },
        body: JSON.stringify(body),
      });
    const notification = {
      eventId: 'tt-evt-1',
      eventTime: '2026-11-27T10:00:00Z',
      eventType: 'TroubleTicketStateChangeEvent',
      event: { troubleTicket: { id: 'TT-1', status: 'inProgress', relatedEntity: [{ id: ORDER, role: 'order', '@referredType': 'ProductOrder' }] } },
    };
    const first = (await (await post(notification)).json()) as { id: string; duplicate: boolean };
    const second = (await (await post(notification)).json()) as { id: string; duplicate: boolean };
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ status: 'accepted', id: first.id, duplicate: true });
    const refused = await post({ eventId: 'x', event: { troubleTicket: { id: 'TT-2', status: 'resolved', relatedEntity: [] } } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_payload');
    const unauthenticated = await relay.app.request('/callbacks/colt/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unauthenticated.status).toBe(401);
    const viaToken = await relay.app.request(`/callbacks/colt/tickets/${PIPELINE_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...notification, eventId: 'tt-evt-2' }),
    });
    expect(viaToken.status).toBe(200);
  });
});
