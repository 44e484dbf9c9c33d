/** GET /api/rules (secrets redacted) and POST /api/rules/dry-run (what an event would trigger). */
import { createRoute, z } from '@hono/zod-openapi';
import { normaliseForRulesTest } from '../../cli/rules-test-deps.js';
import type { RulesConfig } from '../../config/rules.js';
import { renderMessage } from '../../deliver/channels/index.js';
import { isObject } from '../../receive/normalise.js';
import type { NormalisedEvent } from '../../event/event.js';
import { routeEvent } from '../../route/router.js';
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
      }),
    ),
  })
  .openapi('Rules');

const DryRunBodySchema = z
  .record(z.string(), z.unknown())
  .openapi('DryRunRequest', {
    description:
      'A callback body as Colt sends it, or `{ "event": <callback>, "stale"?: boolean, "order"?: object }` ' +
      '(a rules test case) to try a stale event or one with order details.',
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
  summary: 'Which rules an event matches, which channels it reaches, and the messages they would get',
  description: 'Nothing is stored or sent.',
  security: SECURED,
  request: { body: { required: true, content: { 'application/json': { schema: DryRunBodySchema } } } },
  responses: { 200: json(DryRunSchema, 'What would happen.'), ...COMMON_ERRORS },
});

const WRAPPER_KEYS = new Set(['event', 'stale', 'order']);

/** The event a dry-run body stands for: a callback, or a rules test case wrapping one. */
function eventOf(body: Record<string, unknown>): NormalisedEvent {
  const keys = Object.keys(body);
  const wrapped = isObject(body.event) && keys.every((k) => WRAPPER_KEYS.has(k));
  const attempt = (payload: unknown) => normaliseForRulesTest(payload);
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

function dryRun(rules: RulesConfig, event: NormalisedEvent, nowMs: number) {
  const result = routeEvent(rules, event);
  return {
    event,
    matched: result.matched,
    stoppedBy: result.stoppedBy ?? null,
    skippedStale: result.skippedStale,
    deliveries: result.deliveries.map((d) => ({ ...d, message: renderMessage(d.channel, rules.channels[d.channel]!, event, nowMs) })),
  };
}

export function registerRulesRoutes(app: AdminApp, deps: AdminDeps): void {
  app.openapi(rulesRoute, (c) => c.json(describeRules(requirePipeline(deps).rules()), 200));

  app.openapi(dryRunRoute, (c) => {
    const rules = requirePipeline(deps).rules();
    // Rendered messages may quote a webhook URL with credentials: the /api scrub removes them.
    return c.json(dryRun(rules, eventOf(c.req.valid('json')), deps.clock.now()), 200);
  });
}
