/**
 * The simulator's token endpoint, enforcing Colt's documented rules in a fixed order
 * so each documented error can be provoked (docs/colt.md#token-errors).
 */
import type { Context, Hono } from 'hono';
import { COLT_TOKEN_PATH } from '../endpoints.js';
import type { MockColtContext } from './mock-colt.context.js';

type TokenError = [status: 400 | 401 | 415 | 500 | 503, code: string, reason: string, message: string];

/** Client id and secret from an HTTP Basic header, or null when it does not decode. */
function decodeBasic(header: string): { id: string; secret: string } | null {
  try {
    const binary = atob(header.slice('basic '.length).trim());
    const text = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    const at = text.indexOf(':');
    if (at <= 0) return null;
    return { id: text.slice(0, at), secret: text.slice(at + 1) };
  } catch {
    return null;
  }
}

const ALLOWED_PARAMS = new Set(['grant_type', 'scope']);

/** The first rule the request breaks, or null when it may have a token. */
function checkTokenRequest(c: Context, form: URLSearchParams, ctx: MockColtContext): TokenError | null {
  const contentType = c.req.header('content-type');
  if (!contentType) return [400, '003', 'Bad Request', 'missing content_type header'];
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) return [415, '001', 'Unsupported Media Type', 'body must be application/x-www-form-urlencoded'];
  if (!c.req.header(ctx.trackingHeader)) return [400, '004', 'Bad Request', `missing tracking header ${ctx.trackingHeader}`];
  const auth = c.req.header('authorization');
  if (!auth) return [401, '001', 'Unauthorized', 'no client authentication in the request'];
  if (!/^basic\s/i.test(auth)) return [401, '002', 'Unauthorized', 'only HTTP Basic client authentication is supported'];
  if (form.has('client_id') || form.has('client_secret')) return [400, '005', 'Bad Request', 'multiple client credentials'];
  // Colt: "more than one mechanism for authenticating" — a consumer key beside Basic is one too many.
  if (c.req.header(ctx.apiKeyHeader)) return [400, '005', 'Bad Request', 'more than one mechanism for authenticating'];
  const unsupported = [...form.keys()].filter((k) => !ALLOWED_PARAMS.has(k));
  if (unsupported.length > 0) return [400, '005', 'Bad Request', `unsupported parameters: ${unsupported.join(', ')}`];
  const grantType = form.get('grant_type');
  if (!grantType) return [400, '002', 'Bad Request', 'missing grant_type'];
  if (grantType !== 'client_credentials') return [400, '006', 'Bad Request', 'grant type not supported'];
  const credentials = decodeBasic(auth);
  if (!credentials) return [400, '001', 'Bad Request', 'missing authorization parameter'];
  if (!ctx.accepts(credentials.id, credentials.secret)) {
    // Colt documents no code for wrong credentials; this one is the simulator's own.
    return [401, 'invalid_client', 'Unauthorized', 'client authentication failed'];
  }
  return null;
}

export function registerTokenRoutes(app: Hono, ctx: MockColtContext): void {
  app.post(COLT_TOKEN_PATH, async (c) => {
    ctx.state.tokenRequests++;
    const fault = ctx.takeFault('token');
    if (fault) {
      if (fault.retryAfter) c.header('retry-after', fault.retryAfter);
      return c.json({ code: '001', reason: 'Injected fault', message: 'simulated token failure' }, fault.status as 500);
    }
    const form = new URLSearchParams(await c.req.text());
    const error = checkTokenRequest(c, form, ctx);
    if (error) {
      const [status, code, reason, message] = error;
      return c.json({ code, reason, message, details: '' }, status);
    }
    const token = `mock-${crypto.randomUUID()}`;
    ctx.state.tokens.set(token, ctx.clock.now() + ctx.tokenLifetimeS * 1000);
    ctx.state.tokensIssued++;
    return c.json({ access_token: token, token_type: 'Bearer', ...(ctx.sendExpiresIn && { expires_in: ctx.tokenLifetimeS }) });
  });
}
