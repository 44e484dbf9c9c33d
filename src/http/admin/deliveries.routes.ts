/** GET /api/deliveries, GET /api/deliveries/{id}, POST /api/deliveries/{id}/retry, POST /api/deliveries/retry (bulk). */
import { createRoute, z } from '@hono/zod-openapi';
import { retryDead, SINCE_HELP } from '../../deliver/recover.js';
import { parseSince } from '../../lib/duration.js';
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

export const BulkRetryRequestSchema = z
  .object({
    status: z.literal('dead').openapi({ description: 'Only dead deliveries are retried in bulk.' }),
    channel: z.string().min(1).max(200).optional().openapi({ description: 'Only this channel’s. Default: every channel.' }),
    since: z
      .string()
      .max(64)
      .refine((s) => parseSince(s, 0) !== null, { message: `must be ${SINCE_HELP}` })
      .openapi({ example: '2h', description: 'Deliveries that died at or after this time: ISO 8601, or a duration back from now.' }),
  })
  .strict()
  .openapi('BulkRetryRequest');

export const BulkRetryResultSchema = z
  .object({
    retried: z.number().int().openapi({ description: 'Dead deliveries made due now.' }),
    status: z.literal('dead'),
    channel: z.string().nullable(),
    since: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('BulkRetryResult');

const bulkRetryRoute = createRoute({
  method: 'post',
  path: '/api/deliveries/retry',
  tags: ['deliveries'],
  summary: 'Retry every dead delivery (of a channel) since a time',
  description:
    'Each matching dead delivery becomes pending and due now, keeping its id and attempt history, as the single retry does. ' +
    'They go out through the normal claim, so each channel’s pacing and rate limit hold: no burst beyond them. ' +
    'A delivery is matched by when it died (its last update). An unknown channel answers 404.',
  security: SECURED,
  request: { body: { content: { 'application/json': { schema: BulkRetryRequestSchema } }, required: true } },
  responses: { 202: json(BulkRetryResultSchema, 'Queued: how many.'), ...COMMON_ERRORS, ...NOT_FOUND },
});

export function registerDeliveryRoutes(app: AdminApp, deps: AdminDeps): void {
  app.openapi(bulkRetryRoute, async (c) => {
    const body = c.req.valid('json');
    const knownChannels = deps.pipeline ? Object.keys(deps.pipeline.rules().channels) : null;
    const result = await retryDead(deps.store.db, { since: body.since, channel: body.channel, nowMs: deps.clock.now(), knownChannels });
    if (!result.ok) {
      if (result.field === 'channel') throw new ApiError('not_found', result.message);
      throw new ApiError('bad_request', result.message, { issues: [{ path: result.field, message: result.message }] });
    }
    if (result.retried > 0) deps.pipeline?.dispatcher.wake();
    deps.logger.info({ channel: result.channel, since: result.since.toISOString(), retried: result.retried }, 'dead deliveries retried in bulk (admin API)');
    return c.json({ retried: result.retried, status: 'dead' as const, channel: result.channel, since: result.since.toISOString() }, 202);
  });

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
    deps.pipeline?.dispatcher.wake();
    deps.logger.info({ deliveryId: id, from: before.status }, 'delivery retry requested (admin API)');
    const after = await getDelivery(deps.store.db, id);
    return c.json(after!, 202);
  });
}
