/**
 * The Cloudflare Workers runtime: the same createApp as Node, built once per isolate
 * (isolate.ts), and per invocation a Postgres client (Hyperdrive or DATABASE_URL) and a
 * dispatcher (scope.ts). A fresh callback is delivered right after the answer
 * (`ctx.waitUntil`); a retry is woken at its time by a queue message (wake-queue.ts); a Cron
 * Trigger sweeps the outbox every minute as the safety net (sweep.ts). The default export is
 * the shape the Workers runtime requires (docs/design.md#workers-lifecycle).
 */
import { ConfigError } from '../../config/env.js';
import { errorBody } from '../../http/errors.js';
import { systemClock } from '../../lib/clock.js';
import type { WorkerBindings, WorkerExecutionContext, WorkerMessageBatch, WorkerScheduledController } from './env.js';
import { runAs } from './invocation.js';
import { isolateState, type IsolateState } from './isolate.js';
import { openWorkerScope, WORKER_LIMITS, type WorkerScope } from './scope.js';
import { sweepDueWork, sweepOutbox } from './sweep.js';
import { dueMessages } from './wake-queue.js';

/** Seconds a caller should wait when the Worker is misconfigured (Colt retries; nothing is lost). */
const NOT_CONFIGURED_RETRY_AFTER_S = 60;

/** Budget of a queue wake-up's sweep: it is about work due now, not the backlog (the cron's). */
const WAKE_SWEEP = { budgetMs: 10_000, maxTicks: 10, maintenance: false } as const;

function notConfigured(err: ConfigError): Response {
  console.error(err.message);
  const body = errorBody('not_configured', 'the relay is not configured correctly; see the Worker logs');
  return Response.json(body, { status: 503, headers: { 'Retry-After': String(NOT_CONFIGURED_RETRY_AFTER_S) } });
}

/** /readyz of a Worker whose rules are invalid: callbacks are stored, nothing is delivered. */
function rulesNotReady(state: IsolateState): Response {
  const reason = `the rules are invalid, so nothing is delivered (callbacks are stored): ${state.rulesProblem}`;
  return Response.json({ status: 'unavailable', store: 'postgres', reason }, { status: 503 });
}

/** Delivers the callbacks this request stored, then closes the invocation's clients. */
async function finishRequest(scope: WorkerScope): Promise<void> {
  try {
    const dispatcher = scope.freshEvents.length > 0 ? scope.dispatcher() : null;
    for (const eventId of dispatcher ? scope.freshEvents : []) {
      const result = await dispatcher!.tick({ eventId });
      scope.state.logger.debug({ eventId, routed: result.eventsRouted, delivered: result.delivered, retried: result.retried }, 'fresh event processed');
    }
  } catch (err) {
    // The event stays in the outbox: the cron sweep picks it up.
    scope.state.logger.error({ err: { message: (err as Error).message } }, 'fresh event not processed; the cron sweep will retry');
  } finally {
    await scope.close();
  }
}

async function handleFetch(request: Request, bindings: WorkerBindings, ctx: WorkerExecutionContext): Promise<Response> {
  let state: IsolateState;
  try {
    state = await isolateState(bindings);
  } catch (err) {
    if (err instanceof ConfigError) return notConfigured(err);
    throw err;
  }
  const scope = openWorkerScope(state, bindings);
  return runAs(scope, async () => {
    try {
      if (state.rulesProblem && new URL(request.url).pathname === '/readyz') return rulesNotReady(state);
      return await state.app.fetch(request);
    } finally {
      ctx.waitUntil(finishRequest(scope));
    }
  });
}

/** Runs `work` as an invocation of the isolate for `bindings`, then closes it. */
async function asInvocation(bindings: WorkerBindings, work: (scope: WorkerScope) => Promise<void>): Promise<void> {
  const state = await isolateState(bindings);
  const scope = openWorkerScope(state, bindings, WORKER_LIMITS.sweepDbConnections);
  await runAs(scope, async () => {
    try {
      await work(scope);
    } finally {
      await scope.close();
    }
  });
}

async function handleScheduled(controller: WorkerScheduledController, bindings: WorkerBindings): Promise<void> {
  await asInvocation(bindings, async (scope) => {
    const result = await sweepOutbox(scope);
    scope.state.logger.info({ cron: controller.cron, ...result }, 'cron sweep');
  });
}

async function handleQueue(batch: WorkerMessageBatch, bindings: WorkerBindings): Promise<void> {
  await asInvocation(bindings, async (scope) => {
    const { logger } = scope.state;
    const due = dueMessages(batch.messages, systemClock, logger);
    if (due.length === 0) return;
    const dispatcher = scope.dispatcher();
    if (!dispatcher) {
      // Acknowledged: the cron sweep logs the rules' problems and delivers once they are fixed.
      logger.error({ problems: scope.state.rulesProblem }, 'wake-up skipped: the rules are invalid');
    } else {
      const result = await sweepDueWork(dispatcher, WAKE_SWEEP);
      logger.info({ messages: due.length, ...result }, 'queue wake-up');
    }
    for (const message of due) message.ack();
  });
}

export default {
  fetch: handleFetch,
  scheduled: handleScheduled,
  queue: handleQueue,
};
