/** GET /api/colt/credentials: which Colt client id is in use and which were refused (never a secret). */
import { createRoute, z } from '@hono/zod-openapi';
import { ApiError } from '../errors.js';
import { COMMON_ERRORS, SECURED, json, type AdminApp, type AdminDeps } from './openapi-helpers.js';

const CredentialStatusSchema = z
  .object({
    inUse: z.string().nullable().openapi({ description: 'Client id whose token is in use; null before the first token.' }),
    pairs: z.array(
      z.object({
        clientId: z.string(),
        state: z.enum(['in_use', 'refused', 'standby']),
        refusedAt: z.string().nullable(),
        reason: z.string().nullable().openapi({ description: "The token endpoint's answer when it refused this pair." }),
      }),
    ),
  })
  .openapi('ColtCredentials');

const credentialsRoute = createRoute({
  method: 'get',
  path: '/api/colt/credentials',
  tags: ['colt'],
  summary: 'Colt client credential pairs (COLT_CLIENT_ID, in order): in use, refused or standby',
  security: SECURED,
  responses: { 200: json(CredentialStatusSchema, 'The pairs by client id; secrets are never shown.'), ...COMMON_ERRORS },
});

export function registerColtRoutes(app: AdminApp, deps: AdminDeps): void {
  app.openapi(credentialsRoute, (c) => {
    const colt = deps.pipeline?.colt;
    if (!colt) throw new ApiError('not_configured', 'no Colt client in this process: set COLT_CLIENT_ID and COLT_CLIENT_SECRET');
    return c.json(colt.credentials(), 200);
  });
}
