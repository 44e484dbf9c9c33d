/**
 * The receiver, health and metrics routes, described for the OpenAPI document only: their
 * implementations live in callbacks.routes.ts, health.routes.ts and metrics.routes.ts.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { ADMIN_SECURITY_SCHEME } from './admin-auth.js';
import { json } from './openapi-helpers.js';
import { ErrorSchema } from './schemas.js';

const AcceptedSchema = z
  .object({
    status: z.literal('accepted'),
    id: z.string().openapi({ format: 'uuid', description: 'The stored event id (the original one for a duplicate).' }),
    duplicate: z.boolean(),
  })
  .openapi('CallbackAccepted');

const CallbackBodySchema = z
  .record(z.string(), z.unknown())
  .openapi('Callback', {
    description:
      'A Colt order callback: a TMF-style event envelope or a flat Colt-style object. It must carry an order id ' +
      '(`orderId`, `orderID`, `event.productOrder.id`, `event.serviceOrder.id`, `event.order.id` or `id`).',
    example: { orderId: 'IN-ORD-100235', orderStatus: 'Failed', orderType: 'Number Activation' },
  });

const error = (description: string) => json(ErrorSchema, description);

const receiverResponses = {
  200: json(AcceptedSchema, 'Stored (or already stored: `duplicate: true`). Sent only once the callback is committed.'),
  400: error('`invalid_payload`: malformed JSON, not an object, or no order id; `issues` say where.'),
  401: error('`unauthorized`: missing or wrong credentials, or a bad body signature.'),
  405: error('`method_not_allowed`: use POST.'),
  413: error('`payload_too_large`: the body exceeds MAX_BODY_BYTES (default 256 KiB).'),
  415: error('`unsupported_media_type`: the body is not JSON and its content type does not say JSON either. A JSON body is accepted whatever its content type.'),
  503: error('`store_unavailable`: retry after `Retry-After` seconds.'),
} as const;

const receiverSecurity: Record<string, string[]>[] = [{ callbackToken: [] }, { callbackTokenHeader: [] }, { callbackBasic: [] }, {}];

const receiverDescription =
  'Authentication is whatever the server is configured with: `CALLBACK_TOKEN` (as a Bearer token, in ' +
  '`CALLBACK_TOKEN_HEADER`, or as the path token), `CALLBACK_BASIC_AUTH`, `CALLBACK_HMAC_SECRET` ' +
  '(HMAC-SHA256 of the raw body in `CALLBACK_HMAC_HEADER`, hex or base64) and `CALLBACK_ALLOWED_IPS`.';

const TicketNotificationSchema = z
  .record(z.string(), z.unknown())
  .openapi('TicketNotification', {
    description:
      'A TMF621 trouble-ticket notification: `{ eventId, eventTime, eventType, event: { troubleTicket } }`. The ticket must ' +
      'name the order in `relatedEntity` (role `order`). Routed as a `ticket.<status>` event.',
    example: {
      eventId: 'tt-1',
      eventTime: '2026-11-27T10:00:00Z',
      eventType: 'TroubleTicketResolvedEvent',
      event: { troubleTicket: { id: 'TT-7000', status: 'resolved', relatedEntity: [{ id: 'IN-ORD-100235', role: 'order', '@referredType': 'ProductOrder' }] } },
    },
  });

const ROUTES = [
  createRoute({
    method: 'post',
    path: '/callbacks/colt/tickets',
    tags: ['receiver'],
    summary: "Receive a Colt trouble-ticket notification (TMF621); also /callbacks/colt/tickets/{token}",
    description: receiverDescription,
    security: receiverSecurity,
    request: { body: { required: true, content: { 'application/json': { schema: TicketNotificationSchema } } } },
    responses: receiverResponses,
  }),
  createRoute({
    method: 'post',
    path: '/callbacks/colt',
    tags: ['receiver'],
    summary: 'Receive a Colt callback (the URL registered with Colt)',
    description: receiverDescription,
    security: receiverSecurity,
    request: { body: { required: true, content: { 'application/json': { schema: CallbackBodySchema } } } },
    responses: receiverResponses,
  }),
  createRoute({
    method: 'post',
    path: '/callbacks/colt/{token}',
    tags: ['receiver'],
    summary: 'Receive a Colt callback, the token in the path (for senders that cannot set headers)',
    description: receiverDescription,
    request: {
      params: z.object({ token: z.string().openapi({ param: { name: 'token', in: 'path' }, description: 'CALLBACK_TOKEN.' }) }),
      body: { required: true, content: { 'application/json': { schema: CallbackBodySchema } } },
    },
    responses: receiverResponses,
  }),
  createRoute({
    method: 'get',
    path: '/healthz',
    tags: ['health'],
    summary: 'Liveness: 200 while the process runs',
    responses: { 200: json(z.object({ status: z.literal('ok'), version: z.string() }), 'Alive.') },
  }),
  createRoute({
    method: 'get',
    path: '/readyz',
    tags: ['health'],
    summary: 'Readiness: 200 when the store answers',
    responses: {
      200: json(z.object({ status: z.literal('ready'), store: z.string() }), 'Ready.'),
      503: json(
        z.object({
          status: z.enum(['unavailable', 'draining']),
          store: z.string(),
          reason: z.string().openapi({ description: 'Why: the database failure (no secrets), or shutting down.' }),
        }),
        'The store does not answer, or the process is shutting down.',
      ),
    },
  }),
  createRoute({
    method: 'get',
    path: '/metrics',
    tags: ['health'],
    summary: 'Prometheus metrics (Node only)',
    responses: {
      200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: z.string() } } },
      404: error('`not_found`: this runtime exposes no metrics.'),
    },
  }),
];

/** Adds the receiver, health and metrics operations and the security schemes to the document. */
export function describeReceiverRoutes(app: OpenAPIHono): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent('securitySchemes', ADMIN_SECURITY_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description: 'ADMIN_TOKEN. Without ADMIN_TOKEN set, every /api route answers 503 `not_configured`.',
  });
  registry.registerComponent('securitySchemes', 'callbackToken', { type: 'http', scheme: 'bearer', description: 'CALLBACK_TOKEN.' });
  registry.registerComponent('securitySchemes', 'callbackTokenHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'x-callback-token',
    description: 'CALLBACK_TOKEN in CALLBACK_TOKEN_HEADER (default x-callback-token).',
  });
  registry.registerComponent('securitySchemes', 'callbackBasic', { type: 'http', scheme: 'basic', description: 'CALLBACK_BASIC_AUTH.' });
  for (const route of ROUTES) registry.registerPath(route);
}
