/**
 * A local simulator of Colt's IN number APIs for development, demos and tests:
 * token endpoint, GET /order, GET /numberCollection, the four ordering POSTs, order
 * callbacks, and fault injection. A plain Hono app; `startMockColt` serves it on Node.
 */
import { Hono } from 'hono';
import { createLifecycle } from './mock-colt.callbacks.js';
import { registerApiRoutes } from './mock-colt.api.routes.js';
import type { MockColtContext } from './mock-colt.context.js';
import { createMockColtContext } from './mock-colt.context.js';
import { cancelReservation, selectBlock } from './mock-colt.inventory.js';
import { registerTicketRoutes } from './mock-colt.tickets.js';
import { registerTokenRoutes } from './mock-colt.token.routes.js';
import type { MockColtOptions, MockColtState, MockFault, MockOrder, MockOrderRequest, MockPlaceResult } from './mock-colt.types.js';

export interface MockColt {
  app: Hono;
  state: MockColtState;
  /** Places an order as the ordering POSTs do; throws MockRequestError when it cannot. */
  placeOrder(request: MockOrderRequest): MockPlaceResult;
  /** Answers the next matching request(s) with a fault. */
  failNext(fault: MockFault): void;
  /** Forgets every issued token, so the next API call gets 401. */
  revokeTokens(): void;
  /** Refuses this client id at the token endpoint from now on (and forgets issued tokens). */
  revokeClient(clientId: string): void;
  /** Where ticket notifications go from now on (a receiver started after the simulator). */
  setTicketCallbackUrl(url: string | undefined): void;
  /** Resolves when every placed order has settled and its callbacks are done. */
  idle(): Promise<void>;
  /** Sends the dropped final callbacks now, late. */
  sendDropped(): Promise<void>;
  /** Cancels pending callback delays. */
  close(): void;
}

/** Records every call with its tracking id, after an optional latency. */
function recordCalls(app: Hono, ctx: MockColtContext): void {
  app.use('*', async (c, next) => {
    if (ctx.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, ctx.latencyMs));
    const at = ctx.nowIso();
    await next();
    ctx.state.calls.push({
      at,
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      trackingId: c.req.header(ctx.trackingHeader) ?? null,
      status: c.res.status,
    });
  });
}

/** Builds the simulator without listening: use `app.request()` or `startMockColt`. */
export function createMockColt(options: MockColtOptions = {}): MockColt {
  const ctx = createMockColtContext(options);
  const { state } = ctx;
  const lifecycle = createLifecycle({
    state,
    clock: ctx.clock,
    logger: ctx.logger,
    schedule: ctx.schedule,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    callbackUrl: options.callbackUrl,
    callbackToken: options.callbackToken,
    callbackBasic: options.callbackBasic,
    callbackShape: options.callbackShape ?? 'tmf',
    completeAfterMs: options.completeAfterMs ?? 2000,
    callbackAttempts: Math.max(1, options.callbackAttempts ?? 3),
    callbackRetryDelayMs: options.callbackRetryDelayMs ?? 1000,
    trackingHeader: ctx.trackingHeader,
    dropCallbacks: options.dropCallbacks ?? 0,
    random: ctx.random,
  });
  let orderSeq = 100_300;
  const orderIdPrefix = options.orderIdPrefix ?? `IN-ORD-${ctx.clock.now().toString(36).toUpperCase()}-`;

  function placeOrder(request: MockOrderRequest): MockPlaceResult {
    const block = selectBlock(state, request);
    if (request.type === 'reservation_cancellation') {
      cancelReservation(block);
      return { order: null, numbers: [block] };
    }
    const orderId = `${orderIdPrefix}${orderSeq++}`;
    // A reservation has no end customer; the other orders name one, so enrichment finds it.
    const named = request.type !== 'reservation';
    const order: MockOrder = {
      orderId,
      type: request.type,
      status: 'raised',
      outcome: request.outcome ?? (ctx.failOrders > 0 && ctx.random() < ctx.failOrders ? 'failed' : 'completed'),
      failureReasonIn: request.failureReasonIn ?? options.failureReasonIn ?? 'callback',
      numbers: [block],
      customerReference: request.customerReference ?? block.customerReference ?? (named ? `CUST-${orderSeq}` : null),
      customerName: request.customerName ?? block.customerName ?? (named ? 'Example Customer Ltd' : null),
      address: request.address ?? null,
      createdAt: ctx.nowIso(),
      updatedAt: ctx.nowIso(),
    };
    block.pendingOrderId = orderId;
    block.orders++;
    state.orders.set(orderId, order);
    ctx.logger.info({ orderId, type: order.type, number: block.startFullNumber }, 'mock-colt order placed');
    lifecycle.start(order);
    return { order, numbers: [block] };
  }

  const app = new Hono();
  recordCalls(app, ctx);
  registerTokenRoutes(app, ctx);
  registerApiRoutes(app, ctx, placeOrder);
  const tickets = registerTicketRoutes(app, ctx, {
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    callbackUrl: options.ticketCallbackUrl,
    callbackToken: options.callbackToken,
    callbackBasic: options.callbackBasic,
    progressAfterMs: options.ticketProgressAfterMs ?? 1000,
    resolveAfterMs: options.ticketResolveAfterMs ?? 5000,
    listFilters: options.ticketListFilters ?? false,
  });
  app.onError((error, c) => {
    ctx.logger.error({ err: error }, 'mock-colt error');
    return c.json({ code: '500', reason: 'Internal Server Error', message: 'simulator error' }, 500);
  });

  return {
    app,
    state,
    placeOrder,
    failNext: ctx.failNext,
    revokeTokens: () => state.tokens.clear(),
    setTicketCallbackUrl: (url) => tickets.setCallbackUrl(url),
    revokeClient: (clientId) => {
      state.revokedClientIds.add(clientId);
      state.tokens.clear();
    },
    sendDropped: () => lifecycle.sendDropped(),
    idle: async () => {
      await Promise.all([lifecycle.idle(), tickets.idle()]);
    },
    close: () => lifecycle.close(),
  };
}
