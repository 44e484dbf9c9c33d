/**
 * POST /callbacks/colt and /callbacks/colt/:token — the URL registered with Colt — and
 * their alias POST /callBack (any case), the name Colt's API list gives it.
 * Order of checks: who is calling (401), what they sent (413, 401 for a bad signature,
 * 415 or 400 for a body that is not a JSON object), then store (200 only once the
 * callback is committed, else 503). Colt publishes nothing about its callbacks' headers
 * (docs/colt.md#callbacks), so the content type decides nothing: a body that parses as JSON
 * is stored whatever it is labelled, with the content type kept among its headers.
 */
import { Hono, type Context } from 'hono';
import type { Env } from '../config/env.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { Tracer } from '../lib/tracing.js';
import { monotonicSeconds, noopMetrics, type Metrics } from '../lib/metrics.js';
import { extractCallbackFields, type ExtractResult, type JsonObject } from '../receive/normalise.js';
import { dedupeKey } from '../receive/dedupe.js';
import { parseBody } from '../receive/parse-body.js';
import type { Store } from '../store/db.js';
import { isInputRejection, sqlState, storeErrorMessage } from '../store/errors.js';
import type { CallbackWriter } from '../store/ingest.js';
import type { RefusalRecorder } from '../store/refusal-recorder.js';
import type { RefusalPacer } from './auth-throttle.js';
import { tracedReceiver } from './callback-span.js';
import { callbackAuthFromEnv, checkBodySignature, checkRequestAuth, type AuthFailure } from './callback-auth.js';
import { ApiError, errorResponse, type ErrorIssue } from './errors.js';
import { isJsonContentType, readBodyLimited } from './read-body.js';
import { credentialHeaders, storableHeaders } from './stored-headers.js';

export interface CallbackRoutesDeps {
  env: Env;
  store: Store;
  writer: CallbackWriter;
  clock: Clock;
  logger: Logger;
  clientAddress(c: Context): string | null;
  /** The audit of refused requests (counted per address and reason). */
  refusals: RefusalRecorder;
  /** Holds the answers to an address that floods refused requests; absent: never held. */
  refusalPacer?: RefusalPacer;
  /** Called after a new callback is committed (wakes the dispatcher). */
  onStored?(eventId: string): void;
  /** Outcomes and ingest latency. @default noopMetrics */
  metrics?: Metrics;
  /** Each request in a SERVER span (docs/operations.md#tracing). @default none */
  tracer?: Tracer;
}

/**
 * `POST /callBack` in any case: the name of the endpoint in Colt's API list, which a
 * customer may have registered as is. Hono matches paths case-sensitively, hence the pattern.
 */
const CALLBACK_ALIAS = '/:alias{[cC][aA][lL][lL][bB][aA][cC][kK]}';

/** Seconds Colt should wait before retrying when the store is down. */
export const STORE_RETRY_AFTER_S = 5;

/** What a receiver route reads out of a parsed body: the order callback's fields, or a ticket notification's. */
export interface CallbackKind<R extends ExtractResult = ExtractResult> {
  extract(body: JsonObject): R;
  /** The 400 message when `extract` finds no order. */
  missingOrder: string;
  /** Runs once the callback (new or duplicate) is committed, before the answer; must be idempotent. */
  afterStore?(extracted: R): Promise<void>;
}

const ORDER_CALLBACK: CallbackKind = { extract: extractCallbackFields, missingOrder: 'the callback has no order id' };

export function createCallbackRoutes(deps: CallbackRoutesDeps): Hono {
  return receiverRoutes(['/callbacks/colt', CALLBACK_ALIAS], createReceiveHandler(deps, ORDER_CALLBACK));
}

const methodNotAllowed = (c: Context) => errorResponse(c, new ApiError('method_not_allowed', 'use POST', { headers: { Allow: 'POST' } }));

/** POST `path` and `path/:token` to `receive`, for each path; any other method answers 405. */
export function receiverRoutes(paths: string[], receive: (c: Context) => Promise<Response>): Hono {
  const routes = new Hono();
  for (const path of paths) {
    routes.post(path, receive);
    routes.post(`${path}/:token`, receive);
    routes.all(path, methodNotAllowed);
    routes.all(`${path}/:token`, methodNotAllowed);
  }
  return routes;
}

/**
 * The receiver's handler for one kind of callback: authentication, content type, size,
 * signature, parsing, then one stored event (deduplicated) before the 200.
 */
export function createReceiveHandler<R extends ExtractResult>(deps: CallbackRoutesDeps, kind: CallbackKind<R>): (c: Context) => Promise<Response> {
  const auth = callbackAuthFromEnv(deps.env);
  const credentials = credentialHeaders(deps.env);
  const metrics = deps.metrics ?? noopMetrics;

  async function refuse(c: Context, error: ApiError, body?: Uint8Array): Promise<Response> {
    const excerpt = body ? new TextDecoder().decode(body.subarray(0, 2048)) : null;
    const remoteAddr = deps.clientAddress(c);
    // Counted, not written here: a flood of refusals costs memory per (address, reason), not a write each.
    await deps.refusals
      .record({
        at: new Date(deps.clock.now()),
        remoteAddr,
        reason: error.code,
        statusCode: error.status,
        message: error.message,
        path: c.req.param('token') === undefined ? c.req.path : c.req.routePath,
        contentType: c.req.header('content-type') ?? null,
        bodyExcerpt: excerpt,
        bodyBytes: body?.byteLength ?? null,
      })
      .catch(() => {}); // the recorder logs and keeps the count for its next write
    deps.logger.debug({ status: error.status, reason: error.code, message: error.message }, 'callback refused');
    metrics.callback('refused', error.code);
    const pause = deps.refusalPacer?.pauseMs(remoteAddr) ?? 0;
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    return errorResponse(c, error);
  }

  const unauthorized = (failure: AuthFailure) =>
    new ApiError('unauthorized', failure.message, {
      headers: failure.basicChallenge ? { 'WWW-Authenticate': 'Basic realm="colt-relay", charset="UTF-8"' } : {},
    });

  async function receive(c: Context): Promise<Response> {
    const started = monotonicSeconds();
    const receivedAt = new Date(deps.clock.now());
    const remoteAddr = deps.clientAddress(c);
    const headers = c.req.raw.headers;
    const failure = await checkRequestAuth(auth, { headers, pathToken: c.req.param('token'), remoteAddr });
    if (failure) return refuse(c, unauthorized(failure));
    const read = await readBodyLimited(c.req.raw, deps.env.MAX_BODY_BYTES);
    if (!read.ok) {
      return refuse(
        c,
        read.tooLarge
          ? new ApiError('payload_too_large', `body exceeds the limit of ${deps.env.MAX_BODY_BYTES} bytes`)
          : invalid(read.message, [{ path: '', message: read.message }]),
      );
    }
    const signatureFailure = await checkBodySignature(auth, headers, read.bytes);
    if (signatureFailure) return refuse(c, unauthorized(signatureFailure), read.bytes);
    const parsed = parseBody(read.bytes);
    if (!parsed.ok) return refuse(c, unparseable(parsed, c.req.header('content-type') ?? null), read.bytes);
    const extracted = kind.extract(parsed.body);
    if (!extracted.ok) return refuse(c, invalid(extracted.message ?? kind.missingOrder, extracted.issues), read.bytes);

    const id = newId(receivedAt.getTime());
    try {
      const stored = await deps.writer.write({
        id,
        dedupeKey: await dedupeKey(parsed.body, parsed.deep, read.bytes),
        fields: extracted.fields,
        receivedAt,
        rawBody: parsed.text,
        payload: parsed.storable,
        headers: storableHeaders(headers, credentials),
        remoteAddr,
      });
      // Also for duplicates: a sender retrying after a failed afterStore gets it done.
      await kind.afterStore?.(extracted);
      if (!stored.duplicate) deps.onStored?.(stored.id);
      metrics.callback(stored.duplicate ? 'duplicate' : 'accepted');
      metrics.ingestSeconds(monotonicSeconds() - started);
      return c.json({ status: 'accepted', id: stored.id, duplicate: stored.duplicate }, 200);
    } catch (error) {
      // The writer has already split the batch: an error here is this callback's own.
      if (isInputRejection(error)) {
        return refuse(c, invalid('the store cannot hold this payload', [{ path: '', message: storeErrorMessage(error) }]), read.bytes);
      }
      deps.logger.error({ err: { message: storeErrorMessage(error), code: sqlState(error) } }, 'store unavailable');
      metrics.storeError();
      metrics.callback('refused', 'store_unavailable');
      throw new ApiError('store_unavailable', 'the callback could not be stored; retry later', {
        headers: { 'Retry-After': String(STORE_RETRY_AFTER_S) },
      });
    }
  }

  return tracedReceiver(deps.tracer, receive);
}

function invalid(message: string, issues: ErrorIssue[]): ApiError {
  return new ApiError('invalid_payload', message, { issues });
}

/**
 * A body that is not a JSON object: 415 when it is not JSON at all and was not labelled
 * JSON either (a form, plain text), else 400 naming what is wrong with it.
 */
function unparseable(parsed: Extract<ReturnType<typeof parseBody>, { ok: false }>, contentType: string | null): ApiError {
  if (parsed.notJson && !isJsonContentType(contentType)) {
    const given = (contentType ?? 'none').slice(0, 100);
    return new ApiError('unsupported_media_type', `the body is not JSON (${parsed.message}) and its content type is ${given}: send a JSON object`);
  }
  return invalid(parsed.message, [{ path: parsed.path, message: parsed.message }]);
}
