/**
 * Silences (docs/design.md#silences): POST /api/silences, GET /api/silences, DELETE /api/silences/{id}.
 * While a silence is in force, the dispatcher records each delivery whose event it matches as
 * suppressed, naming it, instead of sending it.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { checkSilenceInput } from '../../config/silence-input.js';
import {
  countSuppressed,
  createSilence,
  expireSilence,
  listSilences,
  MAX_SILENCE_LIST,
  silenceState,
  type SilenceRow,
} from '../../store/silences.repo.js';
import { ApiError } from '../errors.js';
import { COMMON_ERRORS, CONFLICT, NOT_FOUND, SECURED, json, type AdminApp, type AdminDeps } from './openapi-helpers.js';
import { IdParamSchema } from './queries.js';
import { ErrorSchema } from './schemas.js';

/** A silence request is a few lines of JSON. */
export const MAX_SILENCE_BODY_BYTES = 16 * 1024;

const isoTime = z.string().openapi({ format: 'date-time', example: '2026-11-27T18:00:00.000Z' });

export const SilenceSchema = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    match: z.unknown().openapi({ description: 'As given: the rules-file match syntax (docs/design.md#rules-file).', example: { status: 'failed' } }),
    startsAt: isoTime,
    endsAt: isoTime,
    comment: z.string(),
    createdBy: z.string(),
    createdAt: isoTime,
    expiredAt: isoTime.nullable().openapi({ description: 'When it was expired by hand (DELETE), if it was.' }),
    state: z.enum(['pending', 'active', 'expired']).openapi({ description: 'pending: starts later; expired: ended or expired by hand.' }),
    channels: z
      .array(z.string())
      .nullable()
      .openapi({ description: 'The channels it mutes (names in the rules file); null mutes every channel.', example: ['ops-slack'] }),
    suppressed: z.number().int().openapi({ description: 'Deliveries it suppressed.' }),
  })
  .openapi('Silence');

const CreateSilenceSchema = z
  .object({
    match: z.unknown().optional().openapi({
      description: 'Which events to silence, in the rules-file match syntax: `{ "status": "failed", "customerRef": "ACME" }`, operators like `{ "customerRef": { "prefix": "AC" } }`, or a list of such maps (any of them).',
      example: { status: 'failed', customerRef: 'ACME' },
    }),
    endsAt: z.string().optional().openapi({ format: 'date-time', description: 'When it ends (give this or `duration`).' }),
    duration: z.string().optional().openapi({ example: '2h', description: 'How long from `startsAt`: `30m`, `2h`, `1d` (give this or `endsAt`).' }),
    startsAt: z.string().optional().openapi({ format: 'date-time', description: 'Default: now.' }),
    comment: z.string().optional().openapi({ description: 'Why (required; shown on every delivery it suppresses).', example: 'Colt incident 4711' }),
    createdBy: z.string().optional().openapi({ description: 'Who (required).', example: 'alice' }),
    // Checked by checkSilenceInput, so every surface refuses a bad list with the same words.
    channels: z.unknown().optional().openapi({
      type: 'array',
      items: { type: 'string' },
      description:
        'Mute only deliveries to these channels (names in the rules file); leave it out to mute every channel. ' +
        'A name the rules do not define is refused (400), naming it and the channels they do define.',
      example: ['ops-slack'],
    }),
  })
  .strict()
  .openapi('CreateSilence');

const ListQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_SILENCE_LIST)
    .optional()
    .openapi({ description: `Most silences returned (1–${MAX_SILENCE_LIST}). Default 100.`, type: 'integer' }),
});

const createRoute_ = createRoute({
  method: 'post',
  path: '/api/silences',
  tags: ['silences'],
  summary: 'Silence matching notifications for a while',
  description:
    'From `startsAt` (default now) until `endsAt` or for `duration`, every delivery whose event matches `match` (to one of ' +
    '`channels`, when given) is recorded as `suppressed` (with `silenceId`) instead of being sent. Invalid input answers ' +
    '400 naming the field; a body over ' +
    `${MAX_SILENCE_BODY_BYTES} bytes 413.`,
  security: SECURED,
  request: { body: { content: { 'application/json': { schema: CreateSilenceSchema } }, required: true } },
  responses: {
    201: json(SilenceSchema, 'Created; it applies to the next sends.'),
    ...COMMON_ERRORS,
    413: json(ErrorSchema, 'The body is too large (`payload_too_large`).'),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/silences',
  tags: ['silences'],
  summary: 'Silences, newest first: pending, active and expired',
  security: SECURED,
  request: { query: ListQuerySchema },
  responses: { 200: json(z.object({ items: z.array(SilenceSchema) }).openapi('SilenceList'), 'The silences.'), ...COMMON_ERRORS },
});

const expireRoute = createRoute({
  method: 'delete',
  path: '/api/silences/{id}',
  tags: ['silences'],
  summary: 'Expire a silence now',
  description: 'Matching deliveries are sent again from the next send on. A silence that has already ended answers 409.',
  security: SECURED,
  request: { params: IdParamSchema },
  responses: { 200: json(SilenceSchema, 'The silence, expired.'), ...COMMON_ERRORS, ...NOT_FOUND, ...CONFLICT },
});

export function silenceView(row: SilenceRow, now: Date, suppressed: number): z.infer<typeof SilenceSchema> {
  return {
    id: row.id,
    match: row.match,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    comment: row.comment,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiredAt: row.expiredAt?.toISOString() ?? null,
    state: silenceState(row, now),
    channels: row.channels ?? null,
    suppressed,
  };
}

export function registerSilenceRoutes(app: AdminApp, deps: AdminDeps): void {
  const limit = bodyLimit({
    maxSize: MAX_SILENCE_BODY_BYTES,
    onError: () => {
      throw new ApiError('payload_too_large', `body exceeds the limit of ${MAX_SILENCE_BODY_BYTES} bytes for a silence`);
    },
  });
  app.use('/api/silences', limit);
  // This process's dispatcher sees the change at once; other processes within a second.
  const changed = () => deps.pipeline?.dispatcher.silences.invalidate();

  app.openapi(createRoute_, async (c) => {
    const now = deps.clock.now();
    // Without rules in this process (no dispatcher) any well-formed channel name is taken.
    const knownChannels = deps.pipeline ? Object.keys(deps.pipeline.rules().channels) : undefined;
    const check = checkSilenceInput(c.req.valid('json'), now, { ...(knownChannels && { knownChannels }) });
    if (!check.ok) throw new ApiError('invalid_payload', 'the silence is not valid', { issues: check.issues });
    const row = await createSilence(deps.store.db, check.silence, new Date(now));
    changed();
    deps.logger.info(
      { silenceId: row.id, createdBy: row.createdBy, endsAt: row.endsAt.toISOString(), channels: row.channels ?? 'all' },
      'silence created (admin API)',
    );
    return c.json(silenceView(row, new Date(now), 0), 201);
  });

  app.openapi(listRoute, async (c) => {
    const rows = await listSilences(deps.store.db, { limit: c.req.valid('query').limit });
    const counts = await countSuppressed(deps.store.db, rows.map((r) => r.id));
    const now = new Date(deps.clock.now());
    return c.json({ items: rows.map((r) => silenceView(r, now, counts.get(r.id) ?? 0)) }, 200);
  });

  app.openapi(expireRoute, async (c) => {
    const { id } = c.req.valid('param');
    const now = new Date(deps.clock.now());
    const result = await expireSilence(deps.store.db, id, now);
    if (result.kind === 'not_found') throw new ApiError('not_found', `no silence ${id}`);
    if (result.kind === 'ended') {
      const s = result.silence;
      const when = s.expiredAt ? `was expired at ${s.expiredAt.toISOString()}` : `ended at ${s.endsAt.toISOString()}`;
      throw new ApiError('conflict', `silence ${id} ${when}: nothing to expire`);
    }
    changed();
    deps.logger.info({ silenceId: id }, 'silence expired (admin API)');
    const counts = await countSuppressed(deps.store.db, [id]);
    return c.json(silenceView(result.silence, now, counts.get(id) ?? 0), 200);
  });
}
