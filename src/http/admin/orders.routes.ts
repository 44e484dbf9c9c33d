/** GET /api/orders, GET /api/orders/open, GET /api/orders/{orderId}, GET /api/rejected. */
import { createRoute } from '@hono/zod-openapi';
import { getOrderTimeline, listOrders, listRejected } from '../../store/admin.repo.js';
import { ApiError } from '../errors.js';
import { COMMON_ERRORS, NOT_FOUND, SECURED, json, withCursor, type AdminApp, type AdminDeps } from './openapi-helpers.js';
import { OpenOrdersQuerySchema, OrderIdParamSchema, OrdersQuerySchema, RejectedQuerySchema } from './queries.js';
import { OpenOrderSchema, OrderSchema, OrderTimelineSchema, RejectedSchema, pageOf } from './schemas.js';
import { listOpenOrders, openOrderStanding } from '../../store/open-orders.repo.js';

const listRoute = createRoute({
  method: 'get',
  path: '/api/orders',
  tags: ['orders'],
  summary: 'Orders, most recently updated first',
  security: SECURED,
  request: { query: OrdersQuerySchema },
  responses: { 200: json(pageOf(OrderSchema, 'OrderPage'), 'One page of orders.'), ...COMMON_ERRORS },
});

const openRoute = createRoute({
  method: 'get',
  path: '/api/orders/open',
  tags: ['orders'],
  summary: 'Open orders (not completed, failed or cancelled), oldest first, with their age against ORDER_SLA',
  security: SECURED,
  request: { query: OpenOrdersQuerySchema },
  responses: { 200: json(pageOf(OpenOrderSchema, 'OpenOrderPage'), 'One page of open orders.'), ...COMMON_ERRORS },
});

const timelineRoute = createRoute({
  method: 'get',
  path: '/api/orders/{orderId}',
  tags: ['orders'],
  summary: 'One order with its events and deliveries, oldest first',
  security: SECURED,
  request: { params: OrderIdParamSchema },
  responses: { 200: json(OrderTimelineSchema, 'The order timeline.'), ...COMMON_ERRORS, ...NOT_FOUND },
});

const rejectedRoute = createRoute({
  method: 'get',
  path: '/api/rejected',
  tags: ['rejected'],
  summary: 'Callbacks the receiver refused: one row per client address and reason, with a count, most recently seen first',
  security: SECURED,
  request: { query: RejectedQuerySchema },
  responses: { 200: json(pageOf(RejectedSchema, 'RejectedPage'), 'One page of refused callbacks.'), ...COMMON_ERRORS },
});

export function registerOrderRoutes(app: AdminApp, deps: AdminDeps): void {
  app.openapi(listRoute, async (c) => c.json(await withCursor(() => listOrders(deps.store.db, c.req.valid('query'))), 200));

  // Before {orderId}, which would take "open" for an order id.
  app.openapi(openRoute, async (c) => {
    const page = await withCursor(() => listOpenOrders(deps.store.db, c.req.valid('query')));
    const afterMs = deps.env.RECONCILE ? deps.env.RECONCILE_AFTER : null;
    const now = deps.clock.now();
    const items = page.items.map((o) => ({ ...o, ...openOrderStanding(o, now, deps.env.ORDER_SLA, afterMs) }));
    return c.json({ items, nextCursor: page.nextCursor }, 200);
  });

  app.openapi(timelineRoute, async (c) => {
    const { orderId } = c.req.valid('param');
    const timeline = await getOrderTimeline(deps.store.db, orderId);
    if (!timeline) throw new ApiError('not_found', `no order ${orderId}`);
    return c.json(timeline, 200);
  });

  app.openapi(rejectedRoute, async (c) =>
    c.json(await withCursor(() => listRejected(deps.store.db, c.req.valid('query'))), 200),
  );
}
