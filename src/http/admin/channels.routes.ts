/** GET /api/channels, POST /api/channels/{name}/disable and /enable: configured channels with their health. */
import { createRoute, z } from '@hono/zod-openapi';
import type { RulesConfig } from '../../config/rules/rules.js';
import { disableChannel, enableChannel, getChannelStates, type ChannelStateRow } from '../../store/channel-state.repo.js';
import { ApiError } from '../errors.js';
import { COMMON_ERRORS, NOT_FOUND, SECURED, json, type AdminApp, type AdminDeps } from './openapi-helpers.js';
import { ChannelNameParamSchema } from './queries.js';
import { redactChannelConfig } from './redact.js';

const isoTime = z.string().openapi({ format: 'date-time' });

export const ChannelSchema = z
  .object({
    name: z.string(),
    type: z.string().nullable().openapi({ description: 'email, slack, webhook, log or colt-ticket; null when no longer in the rules.' }),
    configured: z.boolean().openapi({ description: 'The channel is in the rules in force.' }),
    config: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'The channel settings, secrets redacted.' }),
    problem: z.string().nullable().openapi({ description: 'Why the channel cannot send as configured (e.g. SMTP_URL is not set).' }),
    enabled: z.boolean(),
    disabledAt: isoTime.nullable(),
    disabledReason: z.string().nullable(),
    disabledBy: z.string().nullable().openapi({ description: '`breaker` (CHANNEL_DISABLE_AFTER), `admin` or `gone` (webhook 410).' }),
    failingSince: isoTime.nullable().openapi({ description: 'First failure since the last success; null while healthy.' }),
    lastSuccessAt: isoTime.nullable().openapi({ description: 'Last delivered send (kept to the minute on a busy channel).' }),
    pausedUntil: isoTime.nullable().openapi({ description: 'A peer asked to wait (Retry-After) until then.' }),
    consecutiveFailures: z.number().int(),
  })
  .openapi('Channel');

const listRoute = createRoute({
  method: 'get',
  path: '/api/channels',
  tags: ['channels'],
  summary: 'Configured channels with their state (paused, disabled, failures)',
  security: SECURED,
  responses: { 200: json(z.object({ items: z.array(ChannelSchema) }).openapi('ChannelList'), 'Every channel.'), ...COMMON_ERRORS },
});

const enableRoute = createRoute({
  method: 'post',
  path: '/api/channels/{name}/enable',
  tags: ['channels'],
  summary: 'Lift a disable (e.g. after a webhook 410) and any pause',
  description: 'When the channel was disabled, a relay.channel_enabled event is routed by the rules (once per disable).',
  security: SECURED,
  request: { params: ChannelNameParamSchema },
  responses: { 200: json(ChannelSchema, 'The channel as it is now.'), ...COMMON_ERRORS, ...NOT_FOUND },
});

export const DisableRequestSchema = z
  .object({ reason: z.string().min(1).max(500).optional().openapi({ example: 'receiver being migrated' }) })
  .strict()
  .openapi('DisableChannelRequest');

const disableRoute = createRoute({
  method: 'post',
  path: '/api/channels/{name}/disable',
  tags: ['channels'],
  summary: 'Stop sending to a channel until it is enabled',
  description:
    'Its deliveries are held (not dropped) and go out when it is enabled again. A relay.channel_disabled event ' +
    '(disabledBy: admin) is routed by the rules, so the rest of the team hears of it. An already disabled channel ' +
    'keeps its first reason, and no second event is routed.',
  security: SECURED,
  request: {
    params: ChannelNameParamSchema,
    body: { content: { 'application/json': { schema: DisableRequestSchema } }, required: false },
  },
  responses: { 200: json(ChannelSchema, 'The channel as it is now.'), ...COMMON_ERRORS, ...NOT_FOUND },
});

type ChannelView = z.infer<typeof ChannelSchema>;

/** Channels of the rules (file order), then channels that only have state left. */
function channelViews(rules: RulesConfig | null, warnings: readonly string[], states: ChannelStateRow[]): ChannelView[] {
  const byName = new Map(states.map((s) => [s.channel, s]));
  const view = (name: string, config: RulesConfig['channels'][string] | undefined): ChannelView => {
    const state = byName.get(name);
    const prefix = `channel "${name}" `;
    const warning = warnings.find((w) => w.startsWith(prefix));
    return {
      name,
      type: config?.type ?? null,
      configured: config !== undefined,
      config: config ? redactChannelConfig(config) : null,
      problem: warning ? warning.slice(warning.indexOf(': ') + 2) : null,
      enabled: !state?.disabledAt,
      disabledAt: state?.disabledAt?.toISOString() ?? null,
      disabledReason: state?.disabledReason ?? null,
      disabledBy: state?.disabledAt ? (state.disabledBy ?? null) : null,
      failingSince: state?.failingSince?.toISOString() ?? null,
      lastSuccessAt: state?.lastSuccessAt?.toISOString() ?? null,
      pausedUntil: state?.pausedUntil?.toISOString() ?? null,
      consecutiveFailures: state?.consecutiveFailures ?? 0,
    };
  };
  const configured = Object.entries(rules?.channels ?? {}).map(([name, config]) => view(name, config));
  const leftovers = states.filter((s) => !rules?.channels[s.channel]).map((s) => view(s.channel, undefined));
  return [...configured, ...leftovers];
}

export function registerChannelRoutes(app: AdminApp, deps: AdminDeps): void {
  const current = async () =>
    channelViews(deps.pipeline?.rules() ?? null, deps.pipeline?.channels().warnings ?? [], await getChannelStates(deps.store.db));

  app.openapi(listRoute, async (c) => c.json({ items: await current() }, 200));

  app.openapi(disableRoute, async (c) => {
    const { name } = c.req.valid('param');
    // No body (or no JSON content type) is a disable without a reason.
    const reason = (c.req.valid('json') as { reason?: string } | undefined)?.reason ?? 'disabled by an operator';
    const known = (await current()).find((v) => v.name === name);
    if (!known) throw new ApiError('not_found', `no channel ${name}`);
    const changed = await disableChannel(deps.store.db, name, reason, new Date(deps.clock.now()), 'admin', { channelType: known.type });
    if (changed) deps.pipeline?.dispatcher.wake();
    deps.logger.info({ channel: name, reason, changed }, changed ? 'channel disabled (admin API)' : 'channel already disabled (admin API)');
    const now = (await current()).find((v) => v.name === name)!;
    return c.json(now, 200);
  });

  app.openapi(enableRoute, async (c) => {
    const { name } = c.req.valid('param');
    const known = (await current()).find((v) => v.name === name);
    if (!known) throw new ApiError('not_found', `no channel ${name}`);
    const wasDisabled = await enableChannel(deps.store.db, name, new Date(deps.clock.now()), { channelType: known.type });
    deps.pipeline?.dispatcher.wake();
    deps.logger.info({ channel: name, wasDisabled }, 'channel enabled (admin API)');
    const now = (await current()).find((v) => v.name === name)!;
    return c.json(now, 200);
  });
}
