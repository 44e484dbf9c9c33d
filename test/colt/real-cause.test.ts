/**
 * Errors name the real cause (docs/colt.md#api-errors, #token-errors): a token URL that answers
 * an HTML page, a redirect or JSON without access_token names COLT_TOKEN_URL (in the result
 * and in the log, also through the relay's enrichment); 401 from every pair names it first;
 * 404/405 name the order id only for GET /order/{id} and the base URL setting elsewhere; the
 * 400-004 advice names the header actually sent; a 401 from Colt's sandbox host says the
 * sandbox may be the wrong environment.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createColtClient } from '../../src/colt/colt.client.js';
import { createOrderingClient } from '../../src/colt/ordering.client.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { CLIENT_ID, CLIENT_SECRET, useHarness } from './colt-harness.js';

const setup = useHarness();

/** A web server where a token endpoint is not: a portal page, a redirect, some JSON. */
async function startNotATokenEndpoint(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (req.url === '/html') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html><body>Colt developer portal</body></html>');
    else if (req.url === '/redirect') res.writeHead(302, { location: 'https://portal.example.net/login?next=/token' }).end();
    else if (req.url === '/json') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    else res.writeHead(401, { 'content-type': 'text/html' }).end('<html>Unauthorized</html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let closeAfter: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closeAfter) await close();
  closeAfter = [];
});

describe('a token URL that is not a token endpoint names COLT_TOKEN_URL', () => {
  it.each([
    ['/html', 200, /an HTML page \(text\/html\), not JSON with an access_token/],
    ['/redirect', 302, /a redirect to portal\.example\.net\/login, not followed/],
    ['/json', 200, /JSON without an access_token/],
  ])('%s: the failure and the warn line say Check COLT_TOKEN_URL; not retried in the call', async (path, status, meaning) => {
    const page = await startNotATokenEndpoint();
    closeAfter.push(page.close);
    const h = await setup({ client: { tokenUrl: page.url + path } });
    const result = await h.client.getOrder('IN-ORD-1');
    expect(result).toMatchObject({ ok: false, status, tokenProblem: true, permanentToken: true });
    const reason = result.ok ? '' : result.reason;
    expect(reason).toMatch(meaning);
    expect(reason).toMatch(/Check COLT_TOKEN_URL/);
    expect(reason).not.toMatch(/order id|COLT_CLIENT_SECRET/);
    expect(reason).not.toContain('next=');
    expect(page.hits).toHaveLength(1);
    const warns = h.logLines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
    expect(warns.map((w) => w.msg)).toEqual([expect.stringMatching(/Check COLT_TOKEN_URL/)]);
    // The same cause again is not warned again.
    await h.client.getOrder('IN-ORD-2');
    expect(h.logLines.map((l) => JSON.parse(l) as { level: number }).filter((l) => l.level === 40)).toHaveLength(1);
  });

  it('401 from every pair before any token: COLT_TOKEN_URL first, then COLT_ENV, then the credentials; no pair marked refused', async () => {
    const page = await startNotATokenEndpoint();
    closeAfter.push(page.close);
    const h = await setup({
      client: { credentials: [{ clientId: 'a-1', clientSecret: 's-1' }, { clientId: 'b-2', clientSecret: 's-2' }], tokenUrl: `${page.url}/token` },
    });
    const result = await h.client.getOrder('IN-ORD-1');
    const reason = result.ok ? '' : result.reason;
    expect(reason.indexOf('COLT_TOKEN_URL')).toBeGreaterThan(-1);
    expect(reason.indexOf('COLT_TOKEN_URL')).toBeLessThan(reason.indexOf('COLT_ENV'));
    expect(reason.indexOf('COLT_ENV')).toBeLessThan(reason.indexOf('COLT_CLIENT_ID'));
    expect(h.client.credentials().pairs.map((p) => p.state)).toEqual(['standby', 'standby']);
  });

  it('through the relay: an enrichment against a token URL answering HTML logs a warning naming COLT_TOKEN_URL', async () => {
    const page = await startNotATokenEndpoint();
    closeAfter.push(page.close);
    const h = await setup();
    const lines: string[] = [];
    const relay: TestPipeline = await createTestPipeline(
      'pglite',
      {
        COLT_CLIENT_ID: CLIENT_ID,
        COLT_CLIENT_SECRET: CLIENT_SECRET,
        COLT_API_BASE_URL: h.running.apiBaseUrl,
        COLT_TOKEN_URL: `${page.url}/html`,
        ENRICH: 'always',
        RULES: 'channels: { console: { type: log } }\nrules: [ { name: all, notify: [console] } ]\n',
      },
      { logger: createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } }) },
    );
    closeAfter.push(() => relay.close());
    expect((await relay.post({ orderId: 'IN-ORD-HTML', orderStatus: 'Completed' })).http).toBe(200);
    await relay.pipeline.dispatcher.tick();
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; reason?: string });
    expect(warnings.some((w) => w.msg.includes('Check COLT_TOKEN_URL'))).toBe(true);
    const enrichment = warnings.find((w) => w.msg.startsWith('enrichment failed'));
    expect(enrichment?.reason).toMatch(/an HTML page .* Check COLT_TOKEN_URL/);
  });
});

describe('404 and 405 advice per endpoint', () => {
  it('the order id only for GET /order/{id}; the base URL setting for ordering and numbers', async () => {
    const h = await setup();
    const missing = await h.client.getOrder('IN-ORD-404');
    expect(missing.ok ? '' : missing.reason).toMatch(/HTTP 404, order not found.*Check the order id/);

    const wrongBase = await setup({ client: { apiBaseUrl: `${h.running.url}/numberManagement/inbound/v2` } });
    const ordering = createOrderingClient(wrongBase.client);
    for (const result of [
      await ordering.submit('activate', { country: 'FR', numberType: 'IN Geo', customerReference: 'C-1' }),
      await ordering.listNumbers({ country: 'FR' }),
    ]) {
      expect(result).toMatchObject({ ok: false, status: 404, retryable: false });
      expect(result.ok ? '' : result.reason).toMatch(/nothing at this URL.*Check COLT_API_BASE_URL/);
      expect(result.ok ? '' : result.reason).not.toMatch(/order id/);
    }
    const wrongMethod = await h.client.call({ method: 'GET', path: '/numberCollectionActivation' });
    expect(wrongMethod.ok ? '' : wrongMethod.reason).toMatch(/HTTP 405, this URL does not take this method.*Check COLT_API_BASE_URL/);
  });
});

describe('the tracking header named as sent', () => {
  it('400-004 names COLT_TRACKING_HEADER and the header the relay sent, never a header Colt does not name', async () => {
    const h = await setup({ mock: { trackingHeader: 'APIGWTrackingId' }, client: { trackingHeader: 'X-Request-Id' } });
    const result = await h.client.getOrder('IN-ORD-1');
    const reason = result.ok ? '' : result.reason;
    expect(reason).toMatch(/HTTP 400 code 004: missing tracking header/);
    expect(reason).toContain("Check COLT_TRACKING_HEADER (now X-Request-Id; Colt's portal names APIGWTrackingId)");
    expect(reason.toLowerCase()).not.toContain('x-tracking-id');
  });
});

describe("a 401 from Colt's sandbox host", () => {
  it('says the sandbox may be the wrong environment; the call went to sandbox.apis.colt.net only', async () => {
    const calls: string[] = [];
    const client = createColtClient({
      clientId: 'prod-client',
      clientSecret: 'prod-secret-never-shown',
      environment: 'sandbox',
      // Colt's sandbox refusing production credentials, without the network.
      fetch: async (url, init) => {
        calls.push(`${init.method} ${url}`);
        return new Response(JSON.stringify({ code: 'invalid_client', message: 'client authentication failed' }), { status: 401, headers: { 'content-type': 'application/json' } });
      },
      sleep: async () => {},
    });
    const result = await client.getOrder('IN-ORD-1');
    expect(calls).toEqual(['POST https://sandbox.apis.colt.net/authentication/v1/oauth/token']);
    const reason = result.ok ? '' : result.reason;
    expect(reason).toMatch(/SANDBOX \(sandbox\.apis\.colt\.net\).*the sandbox may be the wrong environment \(set COLT_ENV=production\)/);
    expect(reason).not.toContain('prod-secret-never-shown');
  });
});
