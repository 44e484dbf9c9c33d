/**
 * The Cloudflare Workers runtime: the same createApp as Node, a Postgres client per
 * invocation (Hyperdrive or DATABASE_URL), a fresh callback processed right after the
 * answer (`ctx.waitUntil`: enrich, route, deliver), and the outbox swept by a Cron
 * Trigger. The default export is the shape the Workers runtime requires.
 */
import type { Context } from 'hono';
import { createApp } from '../../app.js';
import { ConfigError } from '../../config/env.js';
import { createAuthThrottle } from '../../http/auth-throttle.js';
import { errorBody } from '../../http/errors.js';
import { systemClock } from '../../lib/clock.js';
import { createCallbackWriter } from '../../store/ingest.js';
import type { WorkerBindings, WorkerExecutionContext, WorkerScheduledController } from './env.js';
import { openWorkerScope, type WorkerScope } from './scope.js';
import { sweepDueWork } from './sweep.js';

/**
 * Failed admin sign-ins per address, for as long as this isolate lives: the app itself is
 * built per request. Each isolate counts on its own (docs/security.md).
 */
const authThrottle = createAuthThrottle({ clock: systemClock });

/** Seconds a caller should wait when the Worker is misconfigured (Colt retries; nothing is lost). */
const NOT_CONFIGURED_RETRY_AFTER_S = 60;

/** The receiver and the probes do not need rules or channels; everything else (admin API, dashboard) does. */
function needsPipeline(path: string): boolean {
  return !path.startsWith('/callbacks/') && path !== '/healthz' && path !== '/readyz';
}

/** Cloudflare sets CF-Connecting-IP to the client's address; a client cannot forge it. */
function connectingAddress(c: Context): string | null {
  return c.req.header('cf-connecting-ip') ?? null;
}

function notConfigured(err: ConfigError): Response {
  console.error(err.message);
  const body = errorBody('not_configured', 'the relay is not configured correctly; see the Worker logs');
  return Response.json(body, { status: 503, headers: { 'Retry-After': String(NOT_CONFIGURED_RETRY_AFTER_S) } });
}

/** Enriches, routes and delivers the callbacks this request stored, then closes the invocation's clients. */
async function finishRequest(scope: WorkerScope, freshEvents: string[]): Promise<void> {
  try {
    if (freshEvents.length === 0) return;
    const { dispatcher } = await scope.pipeline();
    for (const eventId of freshEvents) {
      const result = await dispatcher.tick({ eventId });
      scope.logger.info({ eventId, routed: result.eventsRouted, delivered: result.delivered, retried: result.retried }, 'fresh event processed');
    }
  } catch (err) {
    // The event stays in the outbox: the cron sweep picks it up.
    scope.logger.error({ err: { message: (err as Error).message } }, 'fresh event not processed; the cron sweep will retry');
  } finally {
    await scope.close();
  }
}

async function handleFetch(request: Request, bindings: WorkerBindings, ctx: WorkerExecutionContext): Promise<Response> {
  let scope: WorkerScope;
  try {
    scope = await openWorkerScope(bindings);
  } catch (err) {
    if (err instanceof ConfigError) return notConfigured(err);
    throw err;
  }
  const freshEvents: string[] = [];
  try {
    const pipeline = needsPipeline(new URL(request.url).pathname) ? await scope.pipeline() : undefined;
    const app = createApp({
      env: scope.config.env,
      store: scope.store,
      // One request, one callback: nothing to coalesce, and no batch may outlive the request.
      writer: createCallbackWriter(scope.store, { groupCommit: false }),
      clock: systemClock,
      logger: scope.logger,
      socketAddress: connectingAddress,
      onStored: (eventId) => freshEvents.push(eventId),
      authThrottle,
      ...(pipeline && { pipeline }),
    });
    return await app.fetch(request);
  } catch (err) {
    if (err instanceof ConfigError) return notConfigured(err);
    throw err;
  } finally {
    ctx.waitUntil(finishRequest(scope, freshEvents));
  }
}

async function handleScheduled(controller: WorkerScheduledController, bindings: WorkerBindings): Promise<void> {
  const scope = await openWorkerScope(bindings);
  try {
    const { dispatcher } = await scope.pipeline();
    const result = await sweepDueWork(dispatcher);
    scope.logger.info({ cron: controller.cron, ...result }, 'cron sweep');
  } finally {
    await scope.close();
  }
}

export default {
  fetch: handleFetch,
  scheduled: handleScheduled,
};
