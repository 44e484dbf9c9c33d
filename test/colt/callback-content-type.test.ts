/**
 * Colt publishes nothing about its callbacks' headers (docs/colt.md#callbacks): a body that
 * parses as JSON is stored whatever its content type says (or without one), the content
 * type kept with the raw bytes, on the order callback and the ticket notification routes;
 * only a body that is not JSON is refused (415 when it was not labelled JSON either, else 400).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackEvents } from '../../src/store/schema.js';
import { PIPELINE_TOKEN, createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { STORE_KINDS } from '../support/store.js';

describe.each(STORE_KINDS)('callback content types (%s)', { timeout: 120_000 }, (kind) => {
  let relay: TestPipeline;
  beforeAll(async () => {
    relay = await createTestPipeline(kind, { RULES: 'channels: { console: { type: log } }\nrules: [ { name: all, notify: [console] } ]\n' });
  });
  afterAll(async () => {
    await relay.close();
  });

  /** Over the socket, so the bytes and headers are exactly what a sender sends. */
  const post = (path: string, body: string, contentType: string | null) =>
    fetch(relay.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${PIPELINE_TOKEN}`, ...(contentType !== null && { 'content-type': contentType }) },
      body: new TextEncoder().encode(body),
    });

  const stored = async (id: string) => (await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.id, id)))[0]!;

  it.each([
    ['text/plain', 'text/plain'],
    ['text/plain; charset=utf-8', 'text/plain; charset=utf-8'],
    ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'],
    ['application/octet-stream', 'application/octet-stream'],
    ['no content type', null],
  ])('a JSON body sent as %s → 200, stored with its raw bytes and content type', async (name, contentType) => {
    const body = `{"orderId":"IN-ORD-CT-${name.replace(/\W/g, '')}","orderStatus":"Raised"}`;
    const res = await post('/callbacks/colt', body, contentType);
    expect(res.status).toBe(200);
    const { id, duplicate } = (await res.json()) as { id: string; duplicate: boolean };
    expect(duplicate).toBe(false);
    const row = await stored(id);
    expect(row.rawBody).toBe(body);
    expect(row.headers['content-type']).toBe(contentType ?? undefined);
  });

  it('a ticket notification with a JSON body sent as text/plain → 200 stored', async () => {
    const body = JSON.stringify({
      eventId: 'tt-ct-1',
      eventTime: '2026-12-01T10:00:00Z',
      eventType: 'TroubleTicketStateChangeEvent',
      event: { troubleTicket: { id: 'TT-CT-1', status: 'inProgress', relatedEntity: [{ id: 'IN-ORD-CT-T', role: 'order', '@referredType': 'ProductOrder' }] } },
    });
    const res = await post('/callbacks/colt/tickets', body, 'text/plain');
    expect(res.status).toBe(200);
    const row = await stored(((await res.json()) as { id: string }).id);
    expect(row.rawBody).toBe(body);
    expect(row.headers['content-type']).toBe('text/plain');
  });

  it('only a body that is not JSON is refused: 415 when not labelled JSON, 400 when labelled JSON', async () => {
    const form = await post('/callbacks/colt', 'orderId=IN-ORD-1&status=raised', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    expect(await form.json()).toEqual({
      error: { code: 'unsupported_media_type', message: expect.stringMatching(/^the body is not JSON \(malformed JSON: .*\) and its content type is application\/x-www-form-urlencoded: send a JSON object$/) },
    });
    const broken = await post('/callbacks/colt', '{"orderId":', 'application/json');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('invalid_payload');
    // JSON, but not an object: the content type is not the problem.
    const array = await post('/callbacks/colt', '[{"orderId":"IN-ORD-1"}]', 'text/plain');
    expect(array.status).toBe(400);
  });
});
