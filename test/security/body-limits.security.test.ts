/**
 * Finding 3: every route that reads a body has a limit, enforced while the body streams
 * in, so a huge post (declared or chunked) is answered 413 without being buffered.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/store.js';
import { ADMIN_TOKEN, startSecurityRelay, type SecurityRelay } from './support.js';

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'a');

/** 64 KiB chunks of a form field, `total` bytes in all. */
function* formBody(total: number): Generator<Buffer> {
  yield Buffer.from('token=');
  for (let sent = 0; sent < total; sent += CHUNK.length) yield CHUNK;
}

interface Streamed {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  /** Bytes written before the answer came. */
  sent: number;
}

/**
 * POSTs the generator's chunks over a real socket, chunked (no Content-Length) unless
 * `declared` is given, honouring back-pressure, and stops writing once the answer arrives.
 */
function streamPost(url: string, chunks: Iterable<Buffer>, headers: Record<string, string>, declared?: number): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(url, {
      method: 'POST',
      headers: { ...headers, ...(declared !== undefined && { 'content-length': String(declared) }) },
    });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode!, body, headers: res.headers, sent });
        req.destroy();
      });
    });
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const iterator = chunks[Symbol.iterator]();
    const pump = () => {
      for (;;) {
        if (answered) return;
        const next = iterator.next();
        if (next.done) return void req.end();
        sent += next.value.length;
        if (!req.write(next.value)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe.each(STORE_KINDS)('body limits on %s', (kind) => {
  let relay: SecurityRelay;
  beforeAll(async () => {
    // A small API limit keeps an over-limit body inside the socket buffers: the answer is read
    // before the server drops the rest of a connection it will not read (node-server drains 500 ms).
    relay = await startSecurityRelay(kind, { MAX_BODY_BYTES: '4096' });
  });
  afterAll(async () => relay?.close());

  it('POST /login with a 50 MB chunked body: 413, and RSS grows by less than 20 MB', async () => {
    const before = process.memoryUsage().rss;
    const res = await streamPost(`${relay.url}/login`, formBody(50 * MB), FORM);
    const growth = process.memoryUsage().rss - before;
    expect(res.status).toBe(413);
    expect(res.body).toContain('This form is too large');
    // The server answered long before the 50 MB were sent: it stopped reading at the limit.
    expect(res.sent).toBeLessThan(50 * MB);
    expect(growth).toBeLessThan(20 * MB);
  });

  it('POST /login declaring 50 MB: 413 at once, from the Content-Length', async () => {
    const before = process.memoryUsage().rss;
    const res = await streamPost(`${relay.url}/login`, formBody(50 * MB), FORM, 50 * MB + 6);
    expect(res.status).toBe(413);
    expect(process.memoryUsage().rss - before).toBeLessThan(20 * MB);
  });

  it('every /api body is limited: 413 payload_too_large as JSON, for declared and chunked bodies', async () => {
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const over = relay.env.MAX_BODY_BYTES + 1;
    for (const path of ['/api/rules/dry-run', '/api/events/01900000-0000-7000-8000-000000000000/replay', '/api/channels/oss/enable']) {
      for (const declared of [undefined, over]) {
        const res = await streamPost(`${relay.url}${path}`, [Buffer.alloc(over, ' ')], headers, declared);
        expect(res.status, `${path} ${declared}`).toBe(413);
        expect(JSON.parse(res.body)).toEqual({ error: { code: 'payload_too_large', message: expect.stringContaining('limit of 4096 bytes (MAX_BODY_BYTES)') } });
      }
    }
  });

  it('dashboard form posts are limited too (413 before the session is even looked at)', async () => {
    const res = await streamPost(`${relay.url}/rules/dry-run`, formBody(8 * MB), FORM);
    expect(res.status).toBe(413);
    const logout = await streamPost(`${relay.url}/logout`, formBody(8 * MB), FORM);
    expect(logout.status).toBe(413);
  });

  it('a body under the limit is read and judged as usual (403 for a login without its form cookie, not 413)', async () => {
    const res = await streamPost(`${relay.url}/login`, [Buffer.from('token=wrong')], FORM);
    expect(res.status).toBe(403);
    expect(res.body).toContain('The login form expired');
  });
});
