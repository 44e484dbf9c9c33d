/**
 * The email channel over the HTTP mail API transport (how Workers send email), against a
 * local Resend-shaped API: what is sent, and how each answer maps to a delivery result.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryJob } from '../../../src/deliver/channel.js';
import { createEmailChannel } from '../../../src/deliver/channels/email/email.channel.js';
import { createMailApiTransport } from '../../../src/deliver/channels/email/mail-api.transport.js';
import { createSilentLogger } from '../../../src/lib/logger.js';
import { sampleEvent } from './sample-event.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}
type Answer = { status: number; body?: string; delayMs?: number };

let server: Server;
let url: string;
const received: Received[] = [];
const answers: Answer[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
    const answer = answers.shift() ?? { status: 200, body: '{"id":"4ef9a417-02e9-4d39-ad75-9611e0fcc33c"}' };
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body ?? '{}');
    }, answer.delayMs ?? 0);
  });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/emails`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  received.length = 0;
  answers.length = 0;
});

function email(options: { timeoutMs?: number; apiUrl?: string } = {}) {
  const transport = createMailApiTransport({ apiKey: 're_test_key', url: options.apiUrl ?? url, timeoutMs: options.timeoutMs ?? 2_000 });
  return createEmailChannel(
    'noc-email',
    { type: 'email', to: ['noc@example.com'], cc: ['ops@example.com'] },
    { smtpUrl: '', from: 'relay@example.com', transport, logger: createSilentLogger() },
  );
}

const job = (id: string): DeliveryJob => ({ id, channelName: 'noc-email', attempt: 1, event: sampleEvent({ status: 'failed' }) });

describe('email channel over the HTTP mail API', () => {
  it('POSTs the rendered message as JSON with the API key and the delivery id as Idempotency-Key', async () => {
    const result = await email().send(job('dlv_mail_1'));
    expect(result).toMatchObject({ ok: true, code: '200', response: expect.stringContaining('4ef9a417') });
    expect(received).toHaveLength(1);
    const [{ headers, body }] = received as [Received];
    expect(headers.authorization).toBe('Bearer re_test_key');
    expect(headers['idempotency-key']).toBe('dlv_mail_1');
    expect(headers['content-type']).toBe('application/json');
    expect(body).toMatchObject({
      from: 'relay@example.com',
      to: ['noc@example.com'],
      cc: ['ops@example.com'],
      subject: '[colt-relay] Order IN-ORD-1 failed (activation)',
      headers: { 'X-Colt-Relay-Delivery': 'dlv_mail_1' },
    });
    expect(body.text).toEqual(expect.stringContaining('IN-ORD-1'));
    expect(body.html).toEqual(expect.stringContaining('<'));
  });

  it('fails permanently on a refused message or key (4xx) and retries 429, 409 and 5xx', async () => {
    answers.push(
      { status: 422, body: '{"name":"validation_error","message":"Invalid `to` field"}' },
      { status: 401, body: '{"name":"missing_api_key"}' },
      { status: 429, body: '{"name":"rate_limit_exceeded"}' },
      { status: 409, body: '{"name":"concurrent_idempotent_requests"}' },
      { status: 503, body: 'unavailable' },
    );
    const channel = email();
    expect(await channel.send(job('d1'))).toMatchObject({ ok: false, retryable: false, code: '554', reason: expect.stringContaining('mail API HTTP 422') });
    expect(await channel.send(job('d2'))).toMatchObject({ ok: false, retryable: false, reason: expect.stringContaining('missing_api_key') });
    expect(await channel.send(job('d3'))).toMatchObject({ ok: false, retryable: true, code: '451' });
    expect(await channel.send(job('d4'))).toMatchObject({ ok: false, retryable: true, code: '451' });
    expect(await channel.send(job('d5'))).toMatchObject({ ok: false, retryable: true, response: expect.stringContaining('503') });
  });

  it('retries a refused connection, and a timeout after at least a minute', async () => {
    expect(await email({ apiUrl: 'http://127.0.0.1:9/emails' }).send(job('d6'))).toMatchObject({ ok: false, retryable: true, code: 'ECONNECTION' });
    answers.push({ status: 200, delayMs: 1_000 });
    expect(await email({ timeoutMs: 100 }).send(job('d7'))).toMatchObject({
      ok: false,
      retryable: true,
      code: 'ETIMEDOUT',
      retryAfterMs: 60_000,
      reason: expect.stringContaining('timeout after 100 ms'),
    });
  });
});
