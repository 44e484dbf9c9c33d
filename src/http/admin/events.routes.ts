/** GET /api/events, GET /api/events/{id}, POST /api/events/{id}/replay. */
import { createRoute } from '@hono/zod-openapi';
import { replayEvent } from '../../deliver/replay.js';
import { routeEvent } from '../../route/router.js';
import { getEventDetail, listEvents } from '../../store/admin.repo.js';
import { isUuid } from '../../store/cursor.js';
import { ApiError } from '../errors.js';
import { credentialHeaders, withStorableHeaders } from '../stored-headers.js';
import { COMMON_ERRORS, NOT_FOUND, SECURED, json, requirePipeline, withCursor, type AdminApp, type AdminDeps } from './openapi-helpers.js';
import { EventsQuerySchema, IdParamSchema } from './queries.js';
import { EventDetailSchema, EventSummarySchema, ReplaySchema, pageOf } from './schemas.js';

const listRoute = createRoute({
  method: 'get',
  path: '/api/events',
  tags: ['events'],
  summary: 'Stored callbacks, newest first',
  security: SECURED,
  request: { query: EventsQuerySchema },
  responses: { 200: json(pageOf(EventSummarySchema, 'EventPage'), 'One page of events.'), ...COMMON_ERRORS },
});

const detailRoute = createRoute({
  method: 'get',
  path: '/api/events/{id}',
  tags: ['events'],
  summary: 'One event: raw body, normalised event, deliveries with attempts',
  security: SECURED,
  request: { params: IdParamSchema },
  responses: { 200: json(EventDetailSchema, 'The event.'), ...COMMON_ERRORS, ...NOT_FOUND },
});

const replayRoute = createRoute({
  method: 'post',
  path: '/api/events/{id}/replay',
  tags: ['events'],
  summary: 'Route the event again with the rules in force: a new generation of deliveries',
  description:
    'Earlier deliveries stay as history. The new ones get new ids and a full retry schedule; the dispatcher is woken to send them.',
  security: SECURED,
  request: { params: IdParamSchema },
  responses: { 202: json(ReplaySchema, 'Deliveries queued.'), ...COMMON_ERRORS, ...NOT_FOUND },
});

export function registerEventRoutes(app: AdminApp, deps: AdminDeps): void {
  app.openapi(listRoute, async (c) => {
    const page = await withCursor(() => listEvents(deps.store.db, c.req.valid('query')));
    return c.json(page, 200);
  });

  app.openapi(detailRoute, async (c) => {
    const { id } = c.req.valid('param');
    const detail = await getEventDetail(deps.store.db, id);
    if (!detail) throw new ApiError('not_found', `no event ${id}`);
    return c.json(withStorableHeaders(detail, credentialHeaders(deps.env)), 200);
  });

  app.openapi(replayRoute, async (c) => {
    const { id } = c.req.valid('param');
    const pipeline = requirePipeline(deps);
    const result = isUuid(id)
      ? await replayEvent({ store: deps.store, clock: deps.clock, getRules: pipeline.rules, route: routeEvent }, id)
      : { found: false as const };
    if (!result.found) throw new ApiError('not_found', `no event ${id}`);
    if (result.deliveryIds.length > 0) pipeline.dispatcher.wake();
    deps.logger.info({ eventId: id, generation: result.generation, deliveries: result.deliveryIds.length }, 'event replayed (admin API)');
    const { found: _found, ...rest } = result;
    return c.json({ eventId: id, replay: true as const, ...rest }, 202);
  });
}
