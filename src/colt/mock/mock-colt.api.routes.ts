/**
 * The simulator's numbers API under /numberManagement/inbound/v1: fault injection,
 * rate limiting and token checks first, then orders and the number inventory.
 */
import type { Context, Hono, Next } from 'hono';
import { extractOrderDetails, mapNumberType } from '../order-details.js';
import { toColtCountry } from '../numbers.js';
import { COLT_API_PATH } from '../endpoints.js';
import { numberBody, orderBody } from './mock-colt.bodies.js';
import type { MockColtContext } from './mock-colt.context.js';
import { errorResponse } from './mock-colt.context.js';
import { MockRequestError } from './mock-colt.inventory.js';
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
        return errorResponse(c, 429, 'Too Many Requests', `more than ${ctx.rateLimit} calls per second`, String(retryAfterS));
      }
    }
    if (ctx.failRate > 0 && ctx.random() < ctx.failRate) {
      const status = ctx.random() < 0.5 ? 500 : 503;
      return errorResponse(c, status, 'Injected fault', 'simulated failure', status === 503 ? '1' : undefined);
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
    const numbers = ctx.state.inventory.filter(
      (b) =>
        (country === undefined || b.country === toColtCountry(country)) &&
        (numberType === undefined || b.numberType === mapNumberType(numberType)) &&
        (status === undefined || b.status === status.toLowerCase()),
    );
    return c.json({ numbers: numbers.map(numberBody) });
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
      try {
        const { order, numbers } = placeOrder(orderRequest(type, body as Record<string, unknown>));
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
