/** GET /api/rules (secrets redacted) and POST /api/rules/dry-run (what an event would trigger). */
import { createRoute, z } from '@hono/zod-openapi';
import type { RulesConfig } from '../../config/rules/rules.js';
import { eventFromCallback, previewEvent } from '../../deliver/dry-run.js';
import { loadHoldState } from '../../deliver/dry-run-holds.js';
import { HOLD_REASONS, type HoldState } from '../../route/holds.js';
import { isObject } from '../../receive/normalise.js';
import type { NormalisedEvent } from '../../event/event.js';
import { ApiError } from '../errors.js';
import { COMMON_ERRORS, SECURED, json, requirePipeline, type AdminApp, type AdminDeps } from './openapi-helpers.js';
import { describeRules } from './redact.js';
import { NormalisedEventSchema } from './schemas.js';

const RulesSchema = z
  .object({
    channels: z.record(z.string(), z.record(z.string(), z.unknown())).openapi({ description: 'By name; secrets redacted.' }),
    rules: z.array(
      z.object({
        name: z.string(),
        match: z
          .array(z.record(z.string(), z.record(z.string(), z.unknown())))
          .nullable()
          .openapi({ description: 'Any of these maps; each maps a field to `{operator: argument}`. Null matches everything.' }),
        notify: z.array(z.string()),
        stop: z.boolean(),
        stale: z.boolean(),
        group: z
          .object({ by: z.array(z.string()), waitMs: z.number(), intervalMs: z.number() })
          .optional()
          .openapi({ description: 'The rule groups its Slack/email notifications (docs/design.md#grouping).' }),
      }),
    ),
  })
  .openapi('Rules');

const DryRunBodySchema = z
  .record(z.string(), z.unknown())
  .openapi('DryRunRequest', {
    description:
      'A callback body as Colt sends it, or `{ "event": <callback>, "stale"?: boolean, "order"?: object, "at"?: ISO time }` ' +
      '(a rules test case) to try a stale event, one with order details, or quiet hours at another time (default now).',
    example: { orderId: 'IN-ORD-100235', orderStatus: 'Failed', orderType: 'Number Activation' },
  });

const DryRunSchema = z
  .object({
    event: NormalisedEventSchema,
    matched: z.array(z.object({ rule: z.string(), channels: z.array(z.string()) })),
    stoppedBy: z.string().nullable(),
    skippedStale: z.boolean(),
    deliveries: z.array(
      z.object({
        channel: z.string(),
        channelType: z.string(),
        rules: z.array(z.string()),
        group: z
          .object({ rule: z.string(), key: z.string(), values: z.record(z.string(), z.string().nullable()), waitMs: z.number(), intervalMs: z.number() })
          .optional()
          .openapi({ description: 'Present when the delivery would wait in a group (docs/design.md#grouping).' }),
        heldUntil: z.string().nullable().openapi({ description: "End of the channel's quiet hours when `at` falls inside them, else null." }),
        decisions: z.array(z.string()).openapi({ description: 'Grouping, quiet hours and rate limit, one phrase each.' }),
        held: z
          .array(
            z.object({
              reason: z.enum(HOLD_REASONS),
              until: z.string().nullable().openapi({ description: 'Earliest send; null until someone acts (disabled) or never (silenced).' }),
              text: z.string(),
            }),
          )
          .openapi({
            description:
              'What would hold it back at `at`, from the relay\'s state now: a disabled channel, a receiver\'s pause, quiet ' +
              'hours, a silence (recorded as suppressed), a rate limit with deliveries queued. Empty: it would go out at once.',
          }),
        message: z.object({ subject: z.string().optional(), text: z.string(), body: z.unknown().optional() }),
      }),
    ),
  })
  .openapi('DryRunResult');

const rulesRoute = createRoute({
  method: 'get',
  path: '/api/rules',
  tags: ['rules'],
  summary: 'The rules in force, secrets redacted',
  security: SECURED,
  responses: { 200: json(RulesSchema, 'The rules.'), ...COMMON_ERRORS },
});

const dryRunRoute = createRoute({
  method: 'post',
  path: '/api/rules/dry-run',
  tags: ['rules'],
  summary: 'Which rules an event matches, which channels it reaches, what would hold each back, and the messages they would get',
  description: 'Nothing is stored or sent.',
  security: SECURED,
  request: { body: { required: true, content: { 'application/json': { schema: DryRunBodySchema } } } },
  responses: { 200: json(DryRunSchema, 'What would happen.'), ...COMMON_ERRORS },
});

const WRAPPER_KEYS = new Set(['event', 'stale', 'order', 'at']);

/** The event a dry-run body stands for: a callback, or a rules test case wrapping one. */
function eventOf(body: Record<string, unknown>): NormalisedEvent {
  const keys = Object.keys(body);
  const wrapped = isObject(body.event) && keys.every((k) => WRAPPER_KEYS.has(k));
  const attempt = (payload: unknown) => eventFromCallback(payload);
  let event: NormalisedEvent;
  try {
    // A TMF envelope may hold only `event`: when the wrapper reading fails, read the whole body.
    event = wrapped ? tryOr(() => attempt(body.event), () => attempt(body)) : attempt(body);
  } catch (error) {
    throw new ApiError('invalid_payload', 'the body is not a callback', { issues: [{ path: '', message: (error as Error).message }] });
  }
  if (wrapped && typeof body.stale === 'boolean') event.stale = body.stale;
  if (wrapped && isObject(body.order)) event.order = body.order;
  return event;
}

function tryOr<T>(first: () => T, second: () => T): T {
  try {
    return first();
  } catch {
    return second();
  }
}

/** The wrapper's `at` (quiet hours are decided for that time), else now; 400 naming the field when it is not a time. */
function atOf(body: Record<string, unknown>, nowMs: number): Date {
  if (!isObject(body.event) || body.at === undefined) return new Date(nowMs);
  const at = typeof body.at === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(body.at) ? new Date(body.at) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) {
    throw new ApiError('invalid_payload', 'at must be an ISO 8601 time', { issues: [{ path: 'at', message: 'must be an ISO 8601 time like 2026-03-29T00:30:00Z' }] });
  }
  return at;
}

function dryRun(rules: RulesConfig, event: NormalisedEvent, nowMs: number, at: Date, holds: HoldState) {
  const { route, deliveries } = previewEvent(rules, event, { nowMs, at, holds });
  return {
    event,
    matched: route.matched,
    stoppedBy: route.stoppedBy ?? null,
    skippedStale: route.skippedStale,
    deliveries: deliveries.map(({ heldUntil, message, renderError, held, ...d }) => {
      if (!message) throw new Error(`cannot render ${d.channel}: ${renderError}`);
      const holds = held.map((h) => ({ ...h, until: h.until?.toISOString() ?? null }));
      return { ...d, heldUntil: heldUntil?.toISOString() ?? null, held: holds, message };
    }),
  };
}

export function registerRulesRoutes(app: AdminApp, deps: AdminDeps): void {
  app.openapi(rulesRoute, (c) => c.json(describeRules(requirePipeline(deps).rules()), 200));

  app.openapi(dryRunRoute, async (c) => {
    const pipeline = requirePipeline(deps);
    const rules = pipeline.rules();
    // Rendered messages may quote a webhook URL with credentials: the /api scrub removes them.
    const body = c.req.valid('json');
    const now = deps.clock.now();
    const event = eventOf(body);
    const at = atOf(body, now);
    const holds = await loadHoldState(deps.store.db, pipeline.dispatcher.silences, new Date(now));
    return c.json(dryRun(rules, event, now, at, holds), 200);
  });
}
