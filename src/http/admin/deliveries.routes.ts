/** GET /api/deliveries, GET /api/deliveries/{id}, POST /api/deliveries/{id}/retry. */
import { createRoute } from '@hono/zod-openapi';
import { getDelivery, listDeliveries } from '../../store/admin.repo.js';
import { retryDelivery } from '../../store/deliveries.repo.js';
import { ApiError } from '../errors.js';
import { COMMON_ERRORS, CONFLICT, NOT_FOUND, SECURED, json, withCursor, type AdminApp, type AdminDeps } from './openapi-helpers.js';
import { DeliveriesQuerySchema, IdParamSchema } from './queries.js';
import { DeliverySchema, DeliveryWithAttemptsSchema, pageOf } from './schemas.js';

const listRoute = createRoute({
  method: 'get',
  path: '/api/deliveries',
  tags: ['deliveries'],
  summary: 'Deliveries, newest first',
  security: SECURED,
  request: { query: DeliveriesQuerySchema },
  responses: { 200: json(pageOf(DeliverySchema, 'DeliveryPage'), 'One page of deliveries.'), ...COMMON_ERRORS },
});

const detailRoute = createRoute({
  method: 'get',
  path: '/api/deliveries/{id}',
  tags: ['deliveries'],
  summary: 'One delivery with its attempts',
  security: SECURED,
  request: { params: IdParamSchema },
  responses: { 200: json(DeliveryWithAttemptsSchema, 'The delivery.'), ...COMMON_ERRORS, ...NOT_FOUND },
});

const retryRoute = createRoute({
  method: 'post',
  path: '/api/deliveries/{id}/retry',
  tags: ['deliveries'],
  summary: 'Try a dead or retrying delivery again now',
  description:
    'The delivery becomes pending and due now, keeping its id (the webhook-id) and its attempt history. ' +
    'A delivered, pending or sending delivery answers 409.',
  security: SECURED,
  request: { params: IdParamSchema },
  responses: { 202: json(DeliveryWithAttemptsSchema, 'Queued: the delivery as it is now.'), ...COMMON_ERRORS, ...NOT_FOUND, ...CONFLICT },
});

export function registerDeliveryRoutes(app: AdminApp, deps: AdminDeps): void {
  app.openapi(listRoute, async (c) =>
    c.json(await withCursor(() => listDeliveries(deps.store.db, c.req.valid('query'))), 200),
  );

  app.openapi(detailRoute, async (c) => {
    const { id } = c.req.valid('param');
    const delivery = await getDelivery(deps.store.db, id);
    if (!delivery) throw new ApiError('not_found', `no delivery ${id}`);
    return c.json(delivery, 200);
  });

  app.openapi(retryRoute, async (c) => {
    const { id } = c.req.valid('param');
    const before = await getDelivery(deps.store.db, id);
    if (!before) throw new ApiError('not_found', `no delivery ${id}`);
    if (!(await retryDelivery(deps.store.db, id, new Date(deps.clock.now())))) {
      const status = (await getDelivery(deps.store.db, id))?.status ?? before.status;
      throw new ApiError('conflict', `delivery ${id} is ${status}: only dead or retrying deliveries can be retried`);
    }
    deps.pipeline?.worker.wake();
    deps.logger.info({ deliveryId: id, from: before.status }, 'delivery retry requested (admin API)');
    const after = await getDelivery(deps.store.db, id);
    return c.json(after!, 202);
  });
}
