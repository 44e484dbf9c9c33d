/**
 * What the relay counts and times, as an interface: the pipeline reports events here and
 * a runtime decides where they go (Prometheus on Node: src/runtime/node/prom-metrics.ts).
 * Runtime-free, so Workers can pass nothing (noopMetrics) or their own sink.
 */

/** How the receiver answered a callback. */
export type CallbackOutcome = 'accepted' | 'duplicate' | 'refused';

/** One delivery try's outcome, as delivery_attempts records it. */
export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'dead' | 'suppressed';

/** A delivery's new status after a try (or after being suppressed without one). */
export type DeliveryOutcomeStatus = 'delivered' | 'retrying' | 'dead' | 'suppressed';

/** One HTTP exchange with Colt: `ok` (2xx), `http_4xx`, `http_5xx`, `timeout` or `network_error`. */
export type ColtCallOutcome = 'ok' | 'http_4xx' | 'http_5xx' | 'timeout' | 'network_error';

export interface Metrics {
  /** A callback was answered; `reason` is the error code when refused. */
  callback(outcome: CallbackOutcome, reason?: string): void;
  /** Seconds from receiving a callback to answering it after the commit. */
  ingestSeconds(seconds: number): void;
  /** One delivery try through a channel, and how long the send took. */
  attempt(channelType: string, channel: string, outcome: AttemptOutcome, seconds: number): void;
  /** A delivery reached a status. */
  delivery(channelType: string, status: DeliveryOutcomeStatus): void;
  /** One HTTP call to Colt (token or API) and its duration. */
  coltCall(outcome: ColtCallOutcome, seconds: number): void;
  /** A new OAuth2 token was requested from Colt. */
  tokenRefresh(): void;
  /** A token request got no token (refused, not a token endpoint, unreachable): alerts see a relay that never gets one. */
  tokenFailure(): void;
  /** A Colt client id became the one in use, or the token endpoint refused it (never a secret). */
  coltCredential(event: 'in_use' | 'refused', clientId: string): void;
  /** A database operation failed (store unavailable, a dispatcher tick lost its database). */
  storeError(): void;
  /** A reconciliation check of an open order (GET /order) and what it found. */
  reconciled(outcome: 'advanced' | 'unchanged' | 'error'): void;
}

/** Metrics that go nowhere: the default wherever none are given. */
export const noopMetrics: Metrics = {
  callback: () => {},
  ingestSeconds: () => {},
  attempt: () => {},
  delivery: () => {},
  coltCall: () => {},
  tokenFailure: () => {},
  tokenRefresh: () => {},
  coltCredential: () => {},
  storeError: () => {},
  reconciled: () => {},
};

/** Classifies a Colt HTTP status for `coltCall`. */
export function coltOutcomeOfStatus(status: number): ColtCallOutcome {
  if (status >= 200 && status < 300) return 'ok';
  return status >= 500 ? 'http_5xx' : 'http_4xx';
}

/** Monotonic seconds for durations (`performance` exists on Node and Workers). */
export function monotonicSeconds(): number {
  return performance.now() / 1000;
}
