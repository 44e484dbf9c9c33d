/**
 * Trouble tickets against a TMF621 stand-in that behaves as published (tmf621-stand-in.ts):
 * a list that ignores every filter and already holds another reseller's ticket about the
 * same order, and PATCH as a JSON Merge Patch. The answer to the ticket POST is lost: the
 * relay finds its own ticket by its external id, never adopts the foreign one, opens at most
 * one ticket per order, and every later failure becomes a note that keeps all earlier notes
 * (Colt's included), also when a PATCH answer is lost or two failures are sent at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMockColt, type RunningMockColt } from '../../src/colt/mock/mock-colt.server.js';
import { deliveries } from '../../src/store/schema.js';
import { getOrderTicket } from '../../src/store/tickets.repo.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { STORE_KINDS } from '../support/store.js';
import { CLIENT_ID, CLIENT_SECRET, immediateScheduler } from './colt-harness.js';
import { startTmf621StandIn, type Ticket, type Tmf621StandIn } from './tmf621-stand-in.js';

const ORDER = 'IN-ORD-T24';
const OURS = `colt-relay:order:${ORDER}`;
/** Another reseller's ticket about the same order id (order ids are Colt's, not ours). */
const FOREIGN: Ticket = {
  id: 'TT-FOREIGN-1',
  externalId: 'other-reseller-4711',
  description: 'their own problem',
  status: 'inProgress',
  relatedEntity: [{ id: ORDER, role: 'order', '@referredType': 'ProductOrder' }],
  note: [{ text: 'a note of theirs', author: 'other-reseller' }],
};
const RULES = `
channels:
  colt-tickets: { type: colt-ticket, severity: Major, ticketType: Order Failure }
rules:
  - name: failures-to-colt
    match: { status: failed }
    notify: [colt-tickets]
`;

const failure = (at: string, code: string) => ({ orderId: ORDER, orderType: 'Number Activation', orderStatus: 'Failed', timestamp: at, code, reason: `reason ${code}` });

describe.each(STORE_KINDS)('colt-ticket against a TMF621 stand-in as published (%s)', { timeout: 120_000 }, (kind) => {
  let mock: RunningMockColt | undefined;
  let standIn: Tmf621StandIn | undefined;
  let relay: TestPipeline | undefined;
  afterEach(async () => {
    await relay?.close();
    await mock?.close();
    await standIn?.close();
    [relay, mock, standIn] = [undefined, undefined, undefined];
  });

  async function start(): Promise<{ relay: TestPipeline; standIn: Tmf621StandIn }> {
    mock = await startMockColt({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, schedule: immediateScheduler });
    standIn = await startTmf621StandIn([FOREIGN]);
    relay = await createTestPipeline(kind, {
      COLT_CLIENT_ID: CLIENT_ID,
      COLT_CLIENT_SECRET: CLIENT_SECRET,
      COLT_API_BASE_URL: mock.apiBaseUrl,
      COLT_TOKEN_URL: mock.tokenUrl,
      COLT_TICKET_API_BASE_URL: standIn.baseUrl,
      ENRICH: 'never',
      RULES,
    });
    return { relay, standIn };
  }

  /** Dispatcher ticks with the clock moved past the retry delay between them. */
  async function work(r: TestPipeline, ticks: number): Promise<void> {
    for (let i = 0; i < ticks; i++) {
      if (i > 0) r.clock.advance(70_000);
      await r.pipeline.dispatcher.tick();
    }
  }

  const ours = (s: Tmf621StandIn) => [...s.tickets.values()].filter((t) => t.id !== FOREIGN.id);

  it('lost POST answer + a foreign ticket in an unfiltered list: one ticket for the order, every later failure a note, all notes kept', async () => {
    const { relay: r, standIn: s } = await start();
    s.loseAnswers('POST');
    expect((await r.post(failure('2026-12-01T10:00:00Z', 'E-1'))).http).toBe(200);
    await work(r, 2);

    // The first try created the ticket but never heard back; the retry found it by our external id.
    expect(s.requests.filter((q) => q.method === 'POST').map((q) => q.outcome)).toEqual(['lost']);
    expect(ours(s)).toHaveLength(1);
    const ticket = ours(s)[0]!;
    expect(ticket).toMatchObject({ externalId: OURS, externalIdentifier: [{ id: OURS, owner: 'colt-relay' }] });
    expect(await getOrderTicket(r.store.db, ORDER)).toEqual({ ticketId: ticket.id, status: 'acknowledged' });
    // Each try looked before creating, with the filter the stand-in ignores.
    expect(s.requests.filter((q) => q.method === 'GET' && q.path === '/troubleTicket').map((q) => q.query)).toEqual([
      `?externalId=${encodeURIComponent(OURS)}`,
      `?externalId=${encodeURIComponent(OURS)}`,
    ]);

    // Colt's agent writes a note of its own between the relay's.
    s.tickets.set(ticket.id, { ...s.tickets.get(ticket.id)!, note: [{ text: 'Colt: looking into it', author: 'Colt NOC' }] });
    expect((await r.post(failure('2026-12-01T11:00:00Z', 'E-2'))).http).toBe(200);
    await work(r, 1);
    // A lost PATCH answer: the retry reads the ticket, sees its note there, and adds nothing twice.
    s.loseAnswers('PATCH');
    expect((await r.post(failure('2026-12-01T12:00:00Z', 'E-3'))).http).toBe(200);
    await work(r, 2);

    expect(ours(s)).toHaveLength(1);
    const notes = s.tickets.get(ticket.id)!.note!;
    expect(notes.map((n) => n.text.match(/^Colt: looking into it|reason (E-\d)/)![0])).toEqual(['Colt: looking into it', 'reason E-2', 'reason E-3']);
    const patches = s.requests.filter((q) => q.method === 'PATCH');
    expect(patches.map((q) => [q.contentType, q.outcome])).toEqual([
      ['application/merge-patch+json', 200],
      ['application/merge-patch+json', 'lost'],
    ]);
    // The foreign ticket was never touched.
    expect(s.tickets.get(FOREIGN.id)).toEqual(FOREIGN);
    expect(s.requests.some((q) => q.path.includes(FOREIGN.id))).toBe(false);
  });

  it('two failures of one order sent in the same tick: one ticket and one note, not two tickets', async () => {
    const { relay: r, standIn: s } = await start();
    await r.post(failure('2026-12-01T10:00:00Z', 'E-1'));
    await r.post(failure('2026-12-01T10:00:01Z', 'E-2'));
    await work(r, 1);
    expect(ours(s)).toHaveLength(1);
    expect(s.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
    expect(s.tickets.get(ours(s)[0]!.id)!.note).toHaveLength(1);
  });

  it('a list the server does not offer: the first try creates; after a lost answer the retry refuses to guess, naming the external id', async () => {
    const { relay: r, standIn: s } = await start();
    s.listStatus = 404;
    s.loseAnswers('POST');
    await r.post(failure('2026-12-01T10:00:00Z', 'E-1'));
    await work(r, 3);
    expect(ours(s)).toHaveLength(1);
    expect(s.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
    const [delivery] = await r.store.db.select({ status: deliveries.status, lastError: deliveries.lastError }).from(deliveries);
    expect(delivery!.status).toBe('dead');
    expect(delivery!.lastError).toContain(`Look for externalId ${OURS} at Colt`);
    expect(delivery!.lastError).toContain('COLT_TICKET_API_BASE_URL');
  });
});
