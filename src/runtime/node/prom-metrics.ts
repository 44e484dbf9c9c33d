/**
 * Metrics for Prometheus on Node (prom-client): the runtime-free Metrics interface backed by
 * counters and histograms in a registry of its own, default process metrics, and gauges
 * read from the store when scraped (queue depth, oldest due delivery, held deliveries,
 * disabled channels, open and overdue orders): store-gauges.ts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Metrics } from '../../lib/metrics.js';
import { sharedResult } from '../../lib/shared-result.js';
import { createStoreGauges, type StoreGaugeReads, type StoreReadSharing } from './store-gauges.js';

const PREFIX = 'colt_relay_';

/** The store reads behind the scraped gauges (store-gauges.ts), and whether to add Node's own metrics. */
export interface PromMetricsOptions extends StoreGaugeReads {
  /** Also collect prom-client's default process and Node.js metrics. @default true */
  defaultMetrics?: boolean;
  /** How the store reads (and, with them, the rendered text) are shared between scrapes (store-gauges.ts). @default each scrape reads and renders */
  storeReads?: StoreReadSharing;
}

export interface PromMetrics {
  metrics: Metrics;
  /** The registry in Prometheus text format, gauges refreshed from the store. */
  render(): Promise<string>;
  /** The Content-Type of `render()`'s text. */
  contentType: string;
  registry: Registry;
}

/**
 * With shared store reads, the rendered text is shared too, for this long: a scrape then costs
 * the event loop a lookup, not a render of every series (≈ 1 ms with the process metrics), so a
 * scrape flood cannot starve the callbacks. Counters in an answer are at most this old.
 */
const RENDER_MAX_AGE_MS = 1000;

/** Seconds: callback ingest is milliseconds; a send can take up to the 15 s webhook timeout. */
const INGEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const CALL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

export function createPromMetrics(options: PromMetricsOptions = {}): PromMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name: PREFIX + name, help, labelNames, registers });
  const histogram = <L extends string>(name: string, help: string, buckets: number[], labelNames: L[] = []) =>
    new Histogram<L>({ name: PREFIX + name, help, buckets, labelNames, registers });

  const callbacks = counter('callbacks_total', 'Callbacks answered, by outcome and refusal reason.', ['outcome', 'reason']);
  const ingest = histogram('ingest_duration_seconds', 'Receiving a callback until the answer after its commit.', INGEST_BUCKETS);
  const deliveries = counter('deliveries_total', 'Deliveries reaching a status.', ['channel_type', 'status']);
  const attempts = counter('delivery_attempts_total', 'Delivery tries, by outcome.', ['channel_type', 'channel', 'outcome']);
  const attemptSeconds = histogram('delivery_attempt_duration_seconds', 'Duration of one delivery try.', CALL_BUCKETS, [
    'channel_type',
  ]);
  const coltCalls = counter('colt_api_calls_total', 'HTTP calls to Colt (token and API), by outcome.', ['outcome']);
  const coltSeconds = histogram('colt_api_call_duration_seconds', 'Duration of one HTTP call to Colt.', CALL_BUCKETS);
  const tokenRefreshes = counter('colt_token_refreshes_total', 'OAuth2 tokens requested from Colt.');
  const tokenFailures = counter('colt_token_failures_total', 'OAuth2 token requests to Colt that got no token (refused, not a token endpoint, unreachable).');
  const storeErrors = counter('store_errors_total', 'Database operations that failed.');
  const credentialInUse = new Gauge<'client_id'>({
    name: `${PREFIX}colt_credential_in_use`,
    help: 'Colt client ids (never secrets): 1 for the pair whose token is in use, 0 for the others seen.',
    labelNames: ['client_id'],
    registers,
  });
  const seenClientIds = new Set<string>();
  const credentialRefusals = counter('colt_credential_refusals_total', 'Colt client ids refused by the token endpoint (401).', ['client_id']);
  const reconcileChecks = counter('reconcile_checks_total', 'Reconciliation checks of open orders (GET /order), by outcome.', ['outcome']);
  const gauges = createStoreGauges(registers, options, () => storeErrors.inc(), options.storeReads);

  const metrics: Metrics = {
    callback: (outcome, reason) => callbacks.inc({ outcome, reason: reason ?? 'none' }),
    ingestSeconds: (s) => ingest.observe(s),
    attempt: (channelType, channel, outcome, s) => {
      attempts.inc({ channel_type: channelType, channel, outcome });
      attemptSeconds.observe({ channel_type: channelType }, s);
    },
    delivery: (channelType, status) => deliveries.inc({ channel_type: channelType, status }),
    coltCall: (outcome, s) => {
      coltCalls.inc({ outcome });
      coltSeconds.observe(s);
    },
    tokenRefresh: () => tokenRefreshes.inc(),
    tokenFailure: () => tokenFailures.inc(),
    coltCredential: (event, clientId) => {
      seenClientIds.add(clientId);
      if (event === 'refused') {
        credentialRefusals.inc({ client_id: clientId });
        credentialInUse.set({ client_id: clientId }, 0);
        return;
      }
      for (const id of seenClientIds) credentialInUse.set({ client_id: id }, id === clientId ? 1 : 0);
    },
    storeError: () => storeErrors.inc(),
    reconciled: (outcome) => reconcileChecks.inc({ outcome }),
  };
  const renderNow = () => gauges.during(() => registry.metrics());
  // Shared like the store reads: rendering every series costs milliseconds of the event loop.
  const render = options.storeReads?.maxAgeMs === undefined ? renderNow : sharedResult(renderNow, { maxAgeMs: RENDER_MAX_AGE_MS, now: options.storeReads.now });
  return { metrics, registry, contentType: registry.contentType, render };
}
