/** The simulator's resolved settings and shared state, handed to its route modules. */
import type { Context } from 'hono';
import type { Clock } from '../../lib/clock.js';
import { systemClock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { createSilentLogger } from '../../lib/logger.js';
import { seedInventory } from './mock-colt.inventory.js';
import type { MockColtOptions, MockColtState, MockFault, MockScheduler } from './mock-colt.types.js';

export interface MockColtContext {
  clientId: string;
  clientSecret: string;
  /** Whether the token endpoint accepts this pair (configured and not revoked). */
  accepts(clientId: string, clientSecret: string): boolean;
  trackingHeader: string;
  tokenLifetimeS: number;
  sendExpiresIn: boolean;
  apiKey: string | undefined;
  apiKeyHeader: string;
  failRate: number;
  failOrders: number;
  latencyMs: number;
  rateLimit: number;
  /** Send Retry-After with the rate limit's 429. */
  rateLimitRetryAfter: boolean;
  clock: Clock;
  random: () => number;
  schedule: MockScheduler;
  logger: Logger;
  state: MockColtState;
  /** Queues a fault for the next matching request(s). */
  failNext(fault: MockFault): void;
  /** Takes the next queued fault for `target` (those answered after an order is created, or the others), if any. */
  takeFault(target: 'api' | 'token', afterCreate?: boolean): Required<Pick<MockFault, 'status'>> & Pick<MockFault, 'retryAfter'> | undefined;
  nowIso(): string;
}

/** setTimeout as a MockScheduler. */
export const timerScheduler: MockScheduler = (run, delayMs) => {
  const timer = setTimeout(run, delayMs);
  return () => clearTimeout(timer);
};

export function createMockColtContext(options: MockColtOptions): MockColtContext {
  const clock = options.clock ?? systemClock;
  const faults: Required<MockFault>[] = [];
  const clientId = options.clientId ?? 'mock-client-id';
  const clientSecret = options.clientSecret ?? 'mock-client-secret';
  const pairs = [{ clientId, clientSecret }, ...(options.clients ?? [])];
  const revokedClientIds = new Set<string>();
  return {
    clientId,
    clientSecret,
    accepts: (id, secret) => !revokedClientIds.has(id) && pairs.some((p) => p.clientId === id && p.clientSecret === secret),
    trackingHeader: options.trackingHeader ?? 'APIGWTrackingId',
    tokenLifetimeS: options.tokenLifetimeS ?? 1800,
    sendExpiresIn: options.sendExpiresIn ?? true,
    apiKey: options.apiKey,
    apiKeyHeader: options.apiKeyHeader ?? 'apikey',
    failRate: options.failRate ?? 0,
    failOrders: options.failOrders ?? 0,
    latencyMs: options.latencyMs ?? 0,
    rateLimit: options.rateLimit ?? 0,
    rateLimitRetryAfter: options.rateLimitRetryAfter ?? false,
    clock,
    random: options.random ?? Math.random,
    schedule: options.schedule ?? timerScheduler,
    logger: options.logger ?? createSilentLogger(),
    state: {
      orders: new Map(),
      inventory: seedInventory(),
      tokens: new Map(),
      tokenRequests: 0,
      revokedClientIds,
      tokensIssued: 0,
      calls: [],
      callbacks: [],
      dropped: [],
      tickets: new Map(),
      ticketNotifications: [],
    },
    failNext(fault) {
      faults.push({ count: 1, retryAfter: '', target: 'api', afterCreate: false, ...fault });
    },
    takeFault(target, afterCreate = false) {
      const fault = faults.find((f) => f.target === target && f.afterCreate === afterCreate);
      if (!fault) return undefined;
      if (--fault.count <= 0) faults.splice(faults.indexOf(fault), 1);
      return { status: fault.status, ...(fault.retryAfter !== '' && { retryAfter: fault.retryAfter }) };
    },
    nowIso: () => new Date(clock.now()).toISOString(),
  };
}

/** A TMF-style error answer, with Retry-After when given. */
export function errorResponse(c: Context, status: number, reason: string, message: string, retryAfter?: string): Response {
  if (retryAfter) c.header('retry-after', retryAfter);
  return c.json({ code: String(status), reason, message, status: String(status) }, status as 400);
}
