/** POST /api/prune: the retention command of the CLI, for a relay whose database only it may open (PGlite). */
import { createRoute, z } from '@hono/zod-openapi';
import { AGE_PATTERN, parseAge } from '../../lib/age.js';
import { pruneOlderThan } from '../../store/admin.repo.js';
import { COMMON_ERRORS, SECURED, json, type AdminApp, type AdminDeps } from './openapi-helpers.js';

export const PruneRequestSchema = z
  .object({
    olderThan: z
      .string()
      .regex(AGE_PATTERN, 'an age like 90d or 36h')
      .openapi({ example: '90d', description: 'Age in days (`d`) or hours (`h`).' }),
  })
  .strict()
  .openapi('PruneRequest');

export const PruneResultSchema = z
  .object({
    cutoff: z.string().openapi({ format: 'date-time' }),
    events: z.number().int().openapi({ description: 'Finished events deleted (with their deliveries).' }),
    attempts: z.number().int(),
    rejected: z.number().int().openapi({ description: 'Refused callbacks deleted.' }),
  })
  .openapi('PruneResult');

const pruneRoute = createRoute({
  method: 'post',
  path: '/api/prune',
  tags: ['maintenance'],
  summary: 'Delete finished events, attempts and refused callbacks older than an age',
  description:
    'Events whose deliveries are all finished, attempts and refused callbacks older than `olderThan`; orders are kept. ' +
    'What `colt-relay prune --older-than` does, through the running relay.',
  security: SECURED,
  request: { body: { content: { 'application/json': { schema: PruneRequestSchema } }, required: true } },
  responses: { 200: json(PruneResultSchema, 'Deleted counts.'), ...COMMON_ERRORS },
});

export function registerMaintenanceRoutes(app: AdminApp, deps: AdminDeps): void {
  app.openapi(pruneRoute, async (c) => {
    const { olderThan } = c.req.valid('json');
    const cutoff = new Date(deps.clock.now() - parseAge(olderThan)!);
    const counts = await pruneOlderThan(deps.store.db, cutoff);
    deps.logger.info({ cutoff: cutoff.toISOString(), ...counts }, 'pruned (admin API)');
    return c.json({ cutoff: cutoff.toISOString(), ...counts }, 200);
  });
}
