/**
 * The simulator's numbers API under /numberManagement/inbound/v1: fault injection,
 * rate limiting and token checks first, then orders and the number inventory. As strict as
 * Colt's published text: a missing or unknown body parameter is a 400 with a TMF error body,
 * a 429 carries no Retry-After unless configured (Colt does not promise one), and random
 * faults are the published 500, 503 and 504.
 */
import type { Context, Hono, Next } from 'hono';
import { extractOrderDetails, mapNumberType } from '../order-details.js';
import { toColtCountry } from '../numbers.js';
import { COLT_API_PATH } from '../endpoints.js';
import { numberBody, orderBody } from './mock-colt.bodies.js';
import type { MockColtContext } from './mock-colt.context.js';
import { errorResponse } from './mock-colt.context.js';
import { MockRequestError } from './mock-colt.inventory.js';
import { orderingBodyProblem } from './mock-colt.ordering-body.js';
import type { MockOrderRequest, MockOrderType, MockPlaceResult } from './mock-colt.types.js';

/** The ordering endpoints and the order type each places. */
export const ORDERING_PATHS: Record<string, MockOrderType> = {
  '/numberCollectionReservation': 'reservation',
  '/numberCollectionReservationCancellation': 'reservation_cancellation',
  '/numberCollectionActivation': 'activation',
  '/numberCollectionUpdateCustomerDetails': 'address_update',
};

/** Injected faults, then the rate limit, then random failures: what a flaky gateway does first. */
function faultsMiddleware(ctx: MockColtContext) {
  let window = -1;
  let callsInWindow = 0;
  return async (c: Context, next: Next) => {
    const fault = ctx.takeFault('api');
    if (fault) return errorResponse(c, fault.status, 'Injected fault', 'simulated failure', fault.retryAfter);
    if (ctx.rateLimit > 0) {
      const now = ctx.clock.now();
      const current = Math.floor(now / 1000);
      if (current !== window) [window, callsInWindow] = [current, 0];
      if (++callsInWindow > ctx.rateLimit) {
        const retryAfterS = Math.max(1, Math.ceil(((current + 1) * 1000 - now) / 1000));
        const message = `more than ${ctx.rateLimit} calls per second: wait max ${retryAfterS} secs`;
        return errorResponse(c, 429, 'Too Many Requests', message, ctx.rateLimitRetryAfter ? String(retryAfterS) : undefined);
      }
    }
    if (ctx.failRate > 0 && ctx.random() < ctx.failRate) {
      const pick = ctx.random();
      const status = pick < 1 / 3 ? 500 : pick < 2 / 3 ? 503 : 504;
      return errorResponse(c, status, 'Injected fault', 'simulated failure');
    }
    return next();
  };
}

/** Tracking header, consumer key and a live Bearer token, as the real gateway asks. */
export function authMiddleware(ctx: MockColtContext) {
  return async (c: Context, next: Next) => {
    if (!c.req.header(ctx.trackingHeader)) return errorResponse(c, 400, 'Bad Request', `missing tracking header ${ctx.trackingHeader}`);
    if (ctx.apiKey !== undefined && c.req.header(ctx.apiKeyHeader) !== ctx.apiKey) {
      return errorResponse(c, 401, 'Unauthorized', 'invalid or missing consumer key');
    }
    const token = /^bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1]?.trim();
    const expiresAt = token === undefined ? undefined : ctx.state.tokens.get(token);
    if (expiresAt === undefined || ctx.clock.now() >= expiresAt) {
      return errorResponse(c, 401, 'Unauthorized', 'access token invalid or expired');
    }
    return next();
  };
}

/** A JSON ordering body, read as tolerantly as an order: numbers, customer, type, country. */
function orderRequest(type: MockOrderType, body: Record<string, unknown>): MockOrderRequest {
  const details = extractOrderDetails(body);
  const first = details.numbers[0];
  const country = typeof body.country === 'string' ? body.country : undefined;
  return {
    type,
    ...(country !== undefined && { country }),
    ...(details.rawNumberType !== null && { numberType: details.rawNumberType }),
    ...(first && { startFullNumber: first.start }),
    ...(details.customerRef !== null && { customerReference: details.customerRef }),
    ...(details.customerName !== null && { customerName: details.customerName }),
    ...(body.address !== undefined && { address: body.address }),
  };
}

export function registerApiRoutes(app: Hono, ctx: MockColtContext, placeOrder: (request: MockOrderRequest) => MockPlaceResult): void {
  const api = `${COLT_API_PATH}/*`;
  app.use(api, faultsMiddleware(ctx));
  app.use(api, authMiddleware(ctx));

  app.get(`${COLT_API_PATH}/order/:orderId`, (c) => {
    const order = ctx.state.orders.get(c.req.param('orderId'));
    if (!order) return errorResponse(c, 404, 'Not Found', `order ${c.req.param('orderId')} not found`);
    return c.json(orderBody(order));
  });

  app.get(`${COLT_API_PATH}/numberCollection`, (c) => {
    const country = c.req.query('country');
    const numberType = c.req.query('numberType');
    const status = c.req.query('status');
    const page = pageOf(c);
    if (typeof page === 'string') return errorResponse(c, 400, 'Bad Request', page);
    const numbers = ctx.state.inventory.filter(
      (b) =>
        (country === undefined || b.country === toColtCountry(country)) &&
        (numberType === undefined || b.numberType === mapNumberType(numberType)) &&
        (status === undefined || b.status === status.toLowerCase()),
    );
    // TMF630 paging: the inventory holds 1,000 blocks per country and type.
    const shown = numbers.slice(page.offset, page.offset + page.limit);
    c.header('x-total-count', String(numbers.length));
    c.header('x-result-count', String(shown.length));
    return c.json({ numbers: shown.map(numberBody) });
  });

  for (const [path, type] of Object.entries(ORDERING_PATHS)) {
    app.post(COLT_API_PATH + path, async (c) => {
      if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
        return errorResponse(c, 415, 'Unsupported Media Type', 'send application/json');
      }
      const body: unknown = await c.req.json().catch(() => undefined);
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        return errorResponse(c, 400, 'Bad Request', 'the body must be a JSON object');
      }
      const problem = orderingBodyProblem(type, body as Record<string, unknown>);
      if (problem) return errorResponse(c, 400, 'Bad Request', problem);
      try {
        const { order, numbers } = placeOrder(orderRequest(type, body as Record<string, unknown>));
        // An intermittent error after the order was made: why a 500 here is not retried blindly.
        const late = ctx.takeFault('api', true);
        if (late) return errorResponse(c, late.status, 'Injected fault', 'simulated failure after the order was created', late.retryAfter);
        if (!order) return c.json({ status: 'Completed', numberRanges: numbers.map(numberBody) });
        // 200, not 201: the portal documents 200 "Order ID is successfully generated".
        return c.json({ orderId: order.orderId, orderType: orderBody(order).orderType, orderStatus: 'Raised' }, 200);
      } catch (error) {
        if (error instanceof MockRequestError) return errorResponse(c, 400, 'Bad Request', error.message);
        throw error;
      }
    });
  }
  registerWrongMethods(app);
}

const MAX_PAGE = 1000;

/** `offset` and `limit` (TMF630), or why they are unreadable. */
function pageOf(c: Context): { offset: number; limit: number } | string {
  const read = (name: string, fallback: number): number | string => {
    const raw = c.req.query(name);
    if (raw === undefined) return fallback;
    return /^\d+$/.test(raw) ? Number(raw) : `${name} must be a whole number, got "${raw}"`;
  };
  const offset = read('offset', 0);
  const limit = read('limit', MAX_PAGE);
  if (typeof offset === 'string') return offset;
  if (typeof limit === 'string') return limit;
  return { offset, limit: Math.min(limit, MAX_PAGE) };
}

/** Any other method on a known path: 405 with Allow, as the error table lists. */
function registerWrongMethods(app: Hono): void {
  const allowed: [string, string][] = [
    [`${COLT_API_PATH}/order/:orderId`, 'GET'],
    [`${COLT_API_PATH}/numberCollection`, 'GET'],
    ...Object.keys(ORDERING_PATHS).map((path): [string, string] => [COLT_API_PATH + path, 'POST']),
  ];
  for (const [path, method] of allowed) {
    app.all(path, (c) => {
      c.header('allow', method);
      return errorResponse(c, 405, 'Method Not Allowed', `${c.req.method} is not allowed here; use ${method}`);
    });
  }
}
