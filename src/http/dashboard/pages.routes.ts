/**
 * The dashboard's GET pages. Each loads its data through the store's read functions
 * (admin.repo for lists and details, dashboard.repo for aggregates) and renders a page.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AppDeps } from '../deps.js';
import type { OrderType } from '../../event/event.js';
import {
  getEventDetail,
  getOrderTimeline,
  getQueueStats,
  InvalidCursorError,
  listDeliveries,
  listOrders,
  listRejected,
} from '../../store/admin.repo.js';
import { getChannelStates, type ChannelStateRow } from '../../store/channel-state.repo.js';
import {
  callbacksPerHour,
  chartWindow,
  countDeadDeliveries,
  listProblemOrders,
  orderEventBodies,
  outcomesPerHour,
} from '../../store/dashboard.repo.js';
import type { DashboardEnv } from './auth.js';
import { DeliveriesPage } from './deliveries.page.js';
import { SAMPLE_CALLBACK } from '../../deliver/dry-run.js';
import { EventPage } from './event.page.js';
import type { View } from './layout.js';
import { quietChannelNames } from '../../deliver/pacing.js';
import { NotFoundPage } from './not-found.page.js';
import { OrderPage } from './order.page.js';
import { OrdersPage } from './orders.page.js';
import { OpenOrdersPage } from './open-orders.page.js';
import { listOpenOrders } from '../../store/open-orders.repo.js';
import { OverviewPage } from './overview.page.js';
import { RejectedPage } from './rejected.page.js';
import { RulesPage } from './rules.page.js';
import { rulesChannelHealth } from './channel-health.js';
import { credentialHeaders, withStorableHeaders } from '../stored-headers.js';

/** Messages after an action, by the `done` key of the redirect: fixed text, never the request's. */
const FLASH: Record<string, string> = {
  retried: 'Retry queued: the dispatcher sends it now. Reload to see the outcome.',
  'enabled-retried': 'Channel enabled and retry queued: the dispatcher sends it now. Reload to see the outcome.',
  unchanged: 'Nothing changed: that delivery is no longer dead or retrying.',
  replayed: 'Replay queued: a new generation of deliveries was created with the current rules.',
  'replay-nothing': 'Replayed, but no rule matches this callback now: nothing was queued.',
  enabled: 'Channel enabled: its waiting deliveries go out on the next tick.',
  disabled: 'Channel disabled: its deliveries wait until it is enabled again.',
  'bulk-retried': 'Dead deliveries queued again: the dispatcher sends them paced by each channel. Reload to see the outcome.',
  'bulk-nothing': 'No dead delivery matched: nothing was queued.',
  'bulk-bad-since': 'Nothing queued: "since" must be a duration like 2h or an ISO time.',
  'bulk-unknown-channel': 'Nothing queued: that channel is not in the rules and has no dead deliveries.',
};

/** A query parameter, or undefined when absent, empty or absurdly long. */
export function queryParam(c: Context, name: string): string | undefined {
  const value = c.req.query(name)?.trim();
  return value && value.length <= 200 ? value : undefined;
}

/** Builds what every signed-in page needs: CSRF token, clock time, dead-letter count, flash. */
export async function loadView(c: Context<DashboardEnv>, deps: AppDeps): Promise<View> {
  const flash = FLASH[c.req.query('done') ?? ''];
  return {
    csrf: c.get('csrf'),
    now: deps.clock.now(),
    deadCount: await countDeadDeliveries(deps.store.db),
    ...(flash && { flash }),
  };
}

/** Every channel's pacing and health row, by channel name. */
export async function channelStates(deps: AppDeps): Promise<Map<string, ChannelStateRow>> {
  return new Map((await getChannelStates(deps.store.db)).map((s) => [s.channel, s]));
}

/** A list page asked for a cursor that is not one of ours: start the list again. */
function withCursorReset(handler: (c: Context<DashboardEnv>) => Promise<Response>) {
  return async (c: Context<DashboardEnv>) => {
    try {
      return await handler(c);
    } catch (error) {
      if (!(error instanceof InvalidCursorError)) throw error;
      const url = new URL(c.req.url);
      url.searchParams.delete('cursor');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
  };
}

/** Registers the pages on `app`; `guard` runs first on each (headers, session). */
export function addPageRoutes(app: Hono<DashboardEnv>, deps: AppDeps, guard: MiddlewareHandler<DashboardEnv>): void {
  const db = deps.store.db;

  app.get('/', guard, async (c) => {
    const now = new Date(deps.clock.now());
    const window = chartWindow(now);
    const [view, callbacks, outcomes, queue, problems, channels] = await Promise.all([
      loadView(c, deps),
      callbacksPerHour(db, window),
      outcomesPerHour(db, window),
      // Held is not late: channels in their quiet hours (from the rules) are left out of "due".
      getQueueStats(db, now, { quietChannels: deps.pipeline ? quietChannelNames(deps.pipeline.rules().channels, now) : [] }),
      listProblemOrders(db, 10),
      getChannelStates(db),
    ]);
    return c.html(OverviewPage({ view, data: { window, callbacks, outcomes, queue, problems, channels } }));
  });

  app.get(
    '/orders',
    guard,
    withCursorReset(async (c) => {
      const filter = { q: queryParam(c, 'q'), status: queryParam(c, 'status') };
      const page = await listOrders(db, { ...filter, cursor: queryParam(c, 'cursor') });
      return c.html(OrdersPage({ view: await loadView(c, deps), page, filter }));
    }),
  );

  // Before /orders/:orderId, which would take "open" for an order id.
  app.get(
    '/orders/open',
    guard,
    withCursorReset(async (c) => {
      const page = await listOpenOrders(db, { cursor: queryParam(c, 'cursor') });
      const reconcileAfterMs = deps.env.RECONCILE ? deps.env.RECONCILE_AFTER : null;
      return c.html(OpenOrdersPage({ view: await loadView(c, deps), data: { page, slaMs: deps.env.ORDER_SLA, reconcileAfterMs } }));
    }),
  );

  app.get('/orders/:orderId', guard, async (c) => {
    const orderId = c.req.param('orderId');
    const timeline = await getOrderTimeline(db, orderId);
    if (!timeline) return c.html(NotFoundPage({ view: await loadView(c, deps), what: 'order', id: orderId }), 404);
    const [bodies, channels, view] = await Promise.all([orderEventBodies(db, orderId), channelStates(deps), loadView(c, deps)]);
    const slaMs = deps.env.ORDER_SLA[timeline.order.orderType as OrderType] ?? deps.env.ORDER_SLA.unknown;
    return c.html(OrderPage({ view, data: { timeline, bodies, channels, slaMs } }));
  });

  app.get('/events/:eventId', guard, async (c) => {
    const detail = await getEventDetail(db, c.req.param('eventId'));
    if (!detail) return c.html(NotFoundPage({ view: await loadView(c, deps), what: 'callback', id: c.req.param('eventId') }), 404);
    const shown = withStorableHeaders(detail, credentialHeaders(deps.env));
    return c.html(EventPage({ view: await loadView(c, deps), detail: shown, channels: await channelStates(deps) }));
  });

  app.get(
    '/deliveries',
    guard,
    withCursorReset(async (c) => {
      const filter = { status: queryParam(c, 'status'), channel: queryParam(c, 'channel') };
      const page = await listDeliveries(db, { ...filter, cursor: queryParam(c, 'cursor') });
      const channels = Object.keys(deps.pipeline?.rules().channels ?? {});
      return c.html(DeliveriesPage({ view: await loadView(c, deps), page, filter, channels }));
    }),
  );

  app.get(
    '/rejected',
    guard,
    withCursorReset(async (c) => {
      const reason = queryParam(c, 'reason');
      const page = await listRejected(db, { reason, cursor: queryParam(c, 'cursor') });
      return c.html(RejectedPage({ view: await loadView(c, deps), page, ...(reason && { reason }) }));
    }),
  );

  app.get('/rules', guard, async (c) => {
    const rules = deps.pipeline?.rules() ?? null;
    return c.html(RulesPage({ view: await loadView(c, deps), rules, health: await rulesChannelHealth(deps), input: SAMPLE_CALLBACK }));
  });
}
