/**
 * The operator surface's JSON side: the admin API under /api (Bearer ADMIN_TOKEN), its
 * OpenAPI 3.1 document at /openapi.json (generated from the same zod schemas that
 * validate requests) and that document rendered at /docs.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { Hono } from 'hono';
import type { RouteDeps } from '../deps.js';
import { VERSION } from '../../lib/version.js';
import { ApiError } from '../errors.js';
import { requireAdminToken } from './admin-auth.js';
import { registerChannelRoutes } from './channels.routes.js';
import { registerColtRoutes } from './colt.routes.js';
import { registerDeliveryRoutes } from './deliveries.routes.js';
import { renderDocsPage } from './docs-page.js';
import { registerEventRoutes } from './events.routes.js';
import { registerMaintenanceRoutes } from './maintenance.routes.js';
import { validationHook } from './openapi-helpers.js';
import { registerOrderRoutes } from './orders.routes.js';
import { scrubJsonResponses, secretReplacements } from './redact.js';
import { describeReceiverRoutes } from './receiver-paths.js';
import { registerRulesRoutes } from './rules.routes.js';
import { registerSilenceRoutes } from './silences.routes.js';

const DESCRIPTION =
  'colt-relay receives Colt IN number-order callbacks, stores each once, enriches, routes and delivers ' +
  'notifications. The admin API (/api) needs `Authorization: Bearer <ADMIN_TOKEN>`; every error is ' +
  '`{"error":{"code","message","issues"?}}`.';

export function createAdminRoutes(deps: RouteDeps): Hono {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  const guard = requireAdminToken({ adminToken: deps.env.ADMIN_TOKEN, throttle: deps.authThrottle, attemptAddresses: deps.attemptAddresses });
  const scrub = scrubJsonResponses(() => secretReplacements(deps.env, deps.pipeline?.rules() ?? null));
  // Every body is held to MAX_BODY_BYTES (the dry run carries one callback, the largest
  // body /api takes), counted as it streams in: never buffered past the limit.
  const limit = bodyLimit({
    maxSize: deps.env.MAX_BODY_BYTES,
    onError: () => {
      throw new ApiError('payload_too_large', `body exceeds the limit of ${deps.env.MAX_BODY_BYTES} bytes (MAX_BODY_BYTES)`);
    },
  });
  app.use('/api', guard, scrub, limit);
  app.use('/api/*', guard, scrub, limit);
  registerEventRoutes(app, deps);
  registerOrderRoutes(app, deps);
  registerDeliveryRoutes(app, deps);
  registerChannelRoutes(app, deps);
  registerRulesRoutes(app, deps);
  registerSilenceRoutes(app, deps);
  registerMaintenanceRoutes(app, deps);
  registerColtRoutes(app, deps);
  describeReceiverRoutes(app);

  let document: Record<string, unknown> | undefined;
  const openApiDocument = () =>
    (document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'colt-relay', version: VERSION, description: DESCRIPTION },
      tags: ['receiver', 'health', 'events', 'orders', 'deliveries', 'rejected', 'channels', 'silences', 'rules', 'maintenance', 'colt'].map((name) => ({ name })),
    }) as unknown as Record<string, unknown>);
  app.get('/openapi.json', (c) => c.json(openApiDocument()));
  app.get('/docs', (c) => c.html(renderDocsPage(openApiDocument())));
  return app;
}
