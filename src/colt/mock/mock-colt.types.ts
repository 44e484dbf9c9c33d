/** Shapes shared by the Colt simulator's parts. */
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { NumberType, OrderType } from '../../event/event.js';
import type { FetchFn } from '../colt-http.js';
import type { ColtCountry } from '../numbers.js';

export type MockOrderType = Exclude<OrderType, 'unknown'>;
export type MockNumberType = Exclude<NumberType, 'unknown'>;
export type MockOrderStatus = 'raised' | 'completed' | 'failed';
export type MockOutcome = 'completed' | 'failed';
export type CallbackShape = 'tmf' | 'flat';
/** Where a failed order's reason is given: in its callback (and GET /order), or in GET /order only. */
export type FailureReasonIn = 'callback' | 'order';

/**
 * Runs `run` after `delayMs` and returns a cancel function. Tests pass one that runs
 * at once, so callback delays cost nothing.
 */
export type MockScheduler = (run: () => void, delayMs: number) => () => void;

export interface MockColtOptions {
  /** Accepted OAuth2 client id. @default "mock-client-id" */
  clientId?: string;
  /** Accepted OAuth2 client secret. @default "mock-client-secret" */
  clientSecret?: string;
  /** More accepted pairs besides clientId/clientSecret (Colt allows several per account). */
  clients?: { clientId: string; clientSecret: string }[];
  /** Tracking header every call must carry. @default "APIGWTrackingId" */
  trackingHeader?: string;
  /** `expires_in` of issued tokens, in seconds. @default 1800 */
  tokenLifetimeS?: number;
  /** Whether token responses state `expires_in` (Colt has not confirmed the field). @default true */
  sendExpiresIn?: boolean;
  /** When set, API calls must carry this consumer key in `apiKeyHeader`. */
  apiKey?: string;
  /** Header of `apiKey`. @default "apikey" */
  apiKeyHeader?: string;
  /** Token expiry and rate-limit windows follow this clock. @default systemClock */
  clock?: Clock;
  /** Source for fault injection and order outcomes. @default Math.random */
  random?: () => number;
  /** Where order callbacks are posted; none are sent when absent. */
  callbackUrl?: string;
  /** Sent as `Authorization: Bearer <token>` with each callback. */
  callbackToken?: string;
  /** `user:password` sent as HTTP Basic with each callback. */
  callbackBasic?: string;
  /** Callback body: a TMF state-change event or a flat Colt-style object. @default "tmf" */
  callbackShape?: CallbackShape;
  /** Time between the "raised" callback and the final one. @default 2000 */
  completeAfterMs?: number;
  /** Fraction of orders that end "failed" instead of "completed". @default 0 */
  failOrders?: number;
  /**
   * Where a failed order's reason is: "callback" (the callback carries it, and GET /order's
   * `errorMessage[]`) or "order" (only GET /order's `errorMessage[]`). @default "callback"
   */
  failureReasonIn?: FailureReasonIn;
  /** Fraction of orders whose final callback is not sent (the order still settles). @default 0 */
  dropCallbacks?: number;
  /** Fraction of API calls answered 500 or 503. @default 0 */
  failRate?: number;
  /** Delay before answering any call, in ms. @default 0 */
  latencyMs?: number;
  /** API calls allowed per second (by `clock`); more get 429. 0 = unlimited. @default 0 */
  rateLimit?: number;
  /** Send Retry-After with the rate limit's 429 (Colt does not say it does). @default false */
  rateLimitRetryAfter?: boolean;
  /**
   * Start of every order id this run places (then a sequence number). Time-based by
   * default, so a second run against the same relay database never reuses an order id
   * (which the relay would see as a stale callback of the earlier order).
   * @default "IN-ORD-<start time in base 36>-"
   */
  orderIdPrefix?: string;
  /** Tries per callback before giving up. @default 3 */
  callbackAttempts?: number;
  /** Wait between callback tries. @default 1000 */
  callbackRetryDelayMs?: number;
  /** Timer for callback delays and latency. @default setTimeout */
  schedule?: MockScheduler;
  /** Where TMF621 ticket notifications are posted; none are sent when absent. */
  ticketCallbackUrl?: string;
  /** Time from opening a ticket to its TroubleTicketStateChangeEvent (inProgress). @default 1000 */
  ticketProgressAfterMs?: number;
  /** Time from inProgress to its TroubleTicketResolvedEvent. @default 5000 */
  ticketResolveAfterMs?: number;
  /**
   * Filter `GET …/troubleTicket` by `externalId`. Colt publishes no list filter, so by default
   * the list answers every ticket, as a server that ignores unknown filters would. @default false
   */
  ticketListFilters?: boolean;
  /** Sends callbacks. @default globalThis.fetch */
  fetch?: FetchFn;
  /** @default a silent logger */
  logger?: Logger;
}

export interface MockNumberBlock {
  country: ColtCountry;
  numberType: MockNumberType;
  /** Split format; null for numbers the simulator only knows in E.164. */
  areaCode: string | null;
  areaCodeExtn: string | null;
  rangeStart: string | null;
  rangeEnd: string | null;
  startFullNumber: string;
  endFullNumber: string;
  status: 'free' | 'reserved' | 'active';
  /** The order that holds the block until it settles. */
  pendingOrderId: string | null;
  /** Orders placed on the block so far; blocks with none are picked first. */
  orders: number;
  customerReference: string | null;
  customerName: string | null;
  address: unknown;
}

export interface MockOrder {
  orderId: string;
  type: MockOrderType;
  status: MockOrderStatus;
  /** How the order will end. */
  outcome: MockOutcome;
  /** Where its failure reason is given, should it fail. */
  failureReasonIn: FailureReasonIn;
  numbers: MockNumberBlock[];
  customerReference: string | null;
  customerName: string | null;
  address: unknown;
  createdAt: string;
  updatedAt: string;
}

/** What a caller asks for (HTTP body or `placeOrder`); missing numbers are picked from the inventory. */
export interface MockOrderRequest {
  type: MockOrderType;
  country?: string;
  numberType?: string;
  /** A block of the inventory, by its first number. */
  startFullNumber?: string;
  customerReference?: string;
  customerName?: string;
  address?: unknown;
  /** Overrides `failOrders` for this order. */
  outcome?: MockOutcome;
  /** Overrides `failureReasonIn` for this order. */
  failureReasonIn?: FailureReasonIn;
}

export interface MockPlaceResult {
  /** Null for a reservation cancellation, which Colt does not track as an order. */
  order: MockOrder | null;
  numbers: MockNumberBlock[];
}

export interface MockCall {
  at: string;
  method: string;
  path: string;
  /** The tracking header's value, or null when absent. */
  trackingId: string | null;
  status: number;
}

export interface MockCallbackRecord {
  orderId: string;
  status: MockOrderStatus;
  attempt: number;
  /** The receiver's answer, or null when none came. */
  httpStatus: number | null;
  error: string | null;
  body: unknown;
}

export interface MockColtState {
  orders: Map<string, MockOrder>;
  inventory: MockNumberBlock[];
  /** Issued access tokens → expiry (ms since epoch). */
  tokens: Map<string, number>;
  /** Every request to the token endpoint, answered or refused. */
  tokenRequests: number;
  /** Client ids whose pair the token endpoint now refuses (401), as after revoking it in the portal. */
  revokedClientIds: Set<string>;
  tokensIssued: number;
  /** Every request, with its tracking id and answer. */
  calls: MockCall[];
  callbacks: MockCallbackRecord[];
  /** Final callbacks not sent (--drop-callbacks): the order settled, Colt "lost" the callback. */
  dropped: { orderId: string; status: MockOrderStatus }[];
  /** Trouble tickets (TMF621) by id. */
  tickets: Map<string, Record<string, unknown>>;
  /** Ticket notifications sent, with the receiver's answer (null when none came). */
  ticketNotifications: { ticketId: string; eventType: string; httpStatus: number | null }[];
}

/** A fault to answer the next matching request(s) with. */
export interface MockFault {
  status: number;
  /** @default 1 */
  count?: number;
  /** `Retry-After` value to send (seconds or an HTTP-date). */
  retryAfter?: string;
  /** @default "api" */
  target?: 'api' | 'token';
  /** An ordering POST creates the order first, then answers with the fault. @default false */
  afterCreate?: boolean;
}
