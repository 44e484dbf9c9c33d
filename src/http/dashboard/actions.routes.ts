/**
 * The dashboard's form posts: retry a delivery (or every dead one since a time), replay a
 * callback, disable or enable a channel, dry-run the rules. Each runs behind the session and CSRF checks, then redirects (post/redirect/get)
 * with a fixed `done` key, so a reload never posts twice.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AppDeps } from '../deps.js';
import { retryDead } from '../../deliver/recover.js';
import { replayEvent } from '../../deliver/replay.js';
import { routeEvent } from '../../route/router.js';
import { getDelivery } from '../../store/admin.repo.js';
import { isUuid } from '../../store/cursor.js';
import { disableChannel, enableChannel, getChannelStates } from '../../store/channel-state.repo.js';
import { retryDelivery } from '../../store/deliveries.repo.js';
import { loadEvent } from '../../store/events.repo.js';
import { safeNext, type DashboardEnv } from './auth.js';
import { previewCallback, SAMPLE_CALLBACK } from '../../deliver/dry-run.js';
import { loadView } from './pages.routes.js';
import { loadHoldState } from '../../deliver/dry-run-holds.js';
import { rulesChannelHealth } from './channel-health.js';
import { NotFoundPage } from './not-found.page.js';
import { RulesPage } from './rules.page.js';

/** The page the form came from (its `back` field), else `fallback`; local paths only. */
function backTo(c: Context<DashboardEnv>, fallback: string, done: string): string {
  const back = c.get('form')['back'];
  const target = typeof back === 'string' && back ? safeNext(back) : fallback;
  const [path, hash] = target.split('#', 2) as [string, string | undefined];
  return `${path}${path.includes('?') ? '&' : '?'}done=${done}${hash ? `#${hash}` : ''}`;
}

/** Registers the form posts on `app`; `guard` (headers, session, CSRF) runs first on each. */
export function addActionRoutes(app: Hono<DashboardEnv>, deps: AppDeps, guard: MiddlewareHandler<DashboardEnv>): void {
  const db = deps.store.db;
  const wake = () => deps.pipeline?.dispatcher.wake();
  /** The channel's type in the rules, for its relay event; null without a dispatcher here or when it left the rules. */
  const typeOf = (name: string) => (deps.pipeline && Object.hasOwn(deps.pipeline.rules().channels, name) ? deps.pipeline.rules().channels[name]!.type : null);

  app.post('/deliveries/:id/retry', guard, async (c) => {
    const id = c.req.param('id');
    const delivery = await getDelivery(db, id);
    if (!delivery) return c.html(NotFoundPage({ view: await loadView(c, deps), what: 'delivery', id }), 404);
    const now = new Date(deps.clock.now());
    // A webhook 410 disabled the whole channel; retrying means the operator fixed the receiver,
    // and a retry that waits behind a disabled channel forever would help no one.
    const disabled = (await getChannelStates(db)).some((s) => s.channel === delivery.channel && s.disabledAt);
    if (disabled) await enableChannel(db, delivery.channel, now, { channelType: typeOf(delivery.channel) });
    const ok = await retryDelivery(db, id, now);
    if (ok) wake();
    const done = !ok ? 'unchanged' : disabled ? 'enabled-retried' : 'retried';
    return c.redirect(backTo(c, `/orders/${encodeURIComponent(delivery.orderId)}#d-${id}`, done), 303);
  });

  app.post('/events/:id/replay', guard, async (c) => {
    const id = c.req.param('id');
    const event = isUuid(id) ? await loadEvent(db, id) : null;
    if (!event || !deps.pipeline) {
      const what = deps.pipeline ? 'callback' : 'dispatcher in this process (replay needs the rules)';
      return c.html(NotFoundPage({ view: await loadView(c, deps), what, id }), 404);
    }
    const pipeline = deps.pipeline;
    const result = await replayEvent({ store: deps.store, clock: deps.clock, getRules: () => pipeline.rules(), route: routeEvent }, id);
    const queued = result.found && result.deliveryIds.length > 0;
    if (queued) wake();
    return c.redirect(backTo(c, `/orders/${encodeURIComponent(event.orderId)}`, queued ? 'replayed' : 'replay-nothing'), 303);
  });

  app.post('/channels/:name/disable', guard, async (c) => {
    const reason = c.get('form')['reason'];
    const text = typeof reason === 'string' && reason.trim() ? reason.trim().slice(0, 500) : 'disabled by an operator';
    const name = c.req.param('name');
    const known = deps.pipeline ? Object.hasOwn(deps.pipeline.rules().channels, name) : (await getChannelStates(db)).some((s) => s.channel === name);
    if (!known) return c.html(NotFoundPage({ view: await loadView(c, deps), what: 'channel', id: name }), 404);
    const changed = await disableChannel(db, name, text, new Date(deps.clock.now()), 'admin', { channelType: typeOf(name) });
    // Its relay.channel_disabled event waits in the outbox: the dispatcher routes it now.
    if (changed) wake();
    deps.logger.info({ channel: name, reason: text, changed }, changed ? 'channel disabled (dashboard)' : 'channel already disabled (dashboard)');
    return c.redirect(backTo(c, '/rules', 'disabled'), 303);
  });

  app.post('/deliveries/retry-dead', guard, async (c) => {
    const form = c.get('form');
    const since = typeof form['since'] === 'string' ? form['since'] : '';
    const channel = typeof form['channel'] === 'string' && form['channel'] ? form['channel'] : undefined;
    const knownChannels = deps.pipeline ? Object.keys(deps.pipeline.rules().channels) : null;
    const result = await retryDead(db, { since, channel, nowMs: deps.clock.now(), knownChannels });
    if (result.ok && result.retried > 0) wake();
    const done = !result.ok ? (result.field === 'since' ? 'bulk-bad-since' : 'bulk-unknown-channel') : result.retried > 0 ? 'bulk-retried' : 'bulk-nothing';
    if (result.ok) deps.logger.info({ channel: result.channel, since: result.since.toISOString(), retried: result.retried }, 'dead deliveries retried in bulk (dashboard)');
    return c.redirect(backTo(c, '/deliveries?status=dead', done), 303);
  });

  app.post('/channels/:name/enable', guard, async (c) => {
    const name = c.req.param('name');
    const wasDisabled = await enableChannel(db, name, new Date(deps.clock.now()), { channelType: typeOf(name) });
    wake();
    deps.logger.info({ channel: name, wasDisabled }, 'channel enabled (dashboard)');
    return c.redirect(backTo(c, '/rules', 'enabled'), 303);
  });

  app.post('/rules/dry-run', guard, async (c) => {
    const pipeline = deps.pipeline;
    const rules = pipeline?.rules() ?? null;
    const input = c.get('form')['callback'];
    const text = typeof input === 'string' && input.trim() ? input : SAMPLE_CALLBACK;
    const now = deps.clock.now();
    // What would hold each channel back is read from the relay's state now.
    const holds = pipeline ? await loadHoldState(db, pipeline.dispatcher.silences, new Date(now)) : undefined;
    const result = rules ? previewCallback(rules, text, now, holds) : undefined;
    const view = await loadView(c, deps);
    return c.html(RulesPage({ view, rules, health: await rulesChannelHealth(deps), input: text, ...(result && { result }) }));
  });
}
