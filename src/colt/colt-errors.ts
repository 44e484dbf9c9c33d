/**
 * Colt's documented errors (docs/colt.md#token-errors and #api-errors) and a tolerant
 * reader for their TM Forum style bodies. Nothing here ever sees a credential.
 */

/** The fields of a TMF-style error body; every one is optional because nothing is guaranteed. */
export interface ColtErrorBody {
  code?: string;
  reason?: string;
  message?: string;
  status?: string;
  referenceError?: string;
  details?: string;
}

const ERROR_FIELDS = ['code', 'reason', 'message', 'status', 'referenceError', 'details'] as const;
/** Error texts end up in logs and the database: keep them short. */
const MAX_FIELD_CHARS = 500;

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim().slice(0, MAX_FIELD_CHARS) || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object') return JSON.stringify(value).slice(0, MAX_FIELD_CHARS);
  return undefined;
}

/**
 * Reads an error body without ever throwing: JSON objects give their TMF fields (also
 * when wrapped in `error` or `errors[0]`), anything else gives `{}`.
 */
export function parseColtErrorBody(text: string | null | undefined): ColtErrorBody {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (Array.isArray(parsed)) parsed = parsed[0];
  if (parsed === null || typeof parsed !== 'object') return {};
  let obj = parsed as Record<string, unknown>;
  const nested = obj.error ?? (Array.isArray(obj.errors) ? obj.errors[0] : undefined);
  if (nested && typeof nested === 'object' && !('code' in obj)) obj = nested as Record<string, unknown>;
  const body: ColtErrorBody = {};
  for (const field of ERROR_FIELDS) {
    const value = scalarText(obj[field]);
    if (value !== undefined) body[field] = value;
  }
  return body;
}

/** Colt writes codes as "001"; accept 1, "1" and "001" alike, keep anything else as sent. */
export function normaliseErrorCode(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  return /^\d{1,3}$/.test(code) ? code.padStart(3, '0') : code;
}

export interface ErrorAdvice {
  /** What Colt says the error means. */
  meaning: string;
  /** What an operator should do about it. */
  nextStep: string;
}

const CONTACT_COLT = 'Retry later; if it persists, contact Colt support quoting the tracking id.';

/** The documented token errors, keyed `status-code`. */
export const TOKEN_ERRORS: Readonly<Record<string, ErrorAdvice>> = {
  '400-001': {
    meaning: 'missing authorization parameter',
    nextStep: 'Check COLT_CLIENT_ID and COLT_CLIENT_SECRET are set; they are sent as HTTP Basic.',
  },
  '400-002': { meaning: 'missing grant_type', nextStep: 'Client bug: the body must be grant_type=client_credentials.' },
  '400-003': {
    meaning: 'missing content_type header',
    nextStep: 'Client or proxy bug: send Content-Type: application/x-www-form-urlencoded.',
  },
  '400-004': {
    meaning: 'missing tracking header',
    // The configured name is filled in by trackingHeaderAdvice: Colt's portal names APIGWTrackingId only.
    nextStep: 'Check COLT_TRACKING_HEADER: Colt expects APIGWTrackingId on every call; check no proxy strips it.',
  },
  '400-005': {
    meaning: 'invalid input: unsupported parameters, multiple credentials or more than one auth mechanism',
    nextStep: 'Send credentials only as HTTP Basic and only grant_type in the body; check no proxy adds headers or parameters.',
  },
  '400-006': {
    meaning: 'grant type not supported',
    nextStep: 'Use grant_type=client_credentials and check the Colt application allows it.',
  },
  '401-001': {
    meaning: 'no client authentication in the request',
    nextStep: 'Set COLT_CLIENT_ID and COLT_CLIENT_SECRET to a current pair from the Colt portal.',
  },
  '401-002': { meaning: 'authentication method other than Basic', nextStep: 'Send the client credentials as HTTP Basic only.' },
  '415-001': {
    meaning: 'body format not supported',
    nextStep: 'Client or proxy bug: the body must be application/x-www-form-urlencoded.',
  },
  '500-001': { meaning: 'unknown internal error', nextStep: CONTACT_COLT },
  '500-002': { meaning: 'the OAuth server failed to generate a token', nextStep: CONTACT_COLT },
  '503-001': { meaning: 'backend unavailable', nextStep: 'Retry later.' },
};

/** Advice by HTTP status for the numbers API, and for token errors Colt did not document. */
export const API_STATUS_ADVICE: Readonly<Record<number, ErrorAdvice>> = {
  400: { meaning: 'bad request: validation error or a missing header, body, parameter or tracking id', nextStep: 'Fix the request and resubmit.' },
  401: {
    meaning: 'token invalid or expired, or client id/secret/application id invalid',
    nextStep: 'Check COLT_CLIENT_ID, COLT_CLIENT_SECRET and, if used, COLT_API_KEY.',
  },
  403: { meaning: 'application suspended', nextStep: 'Contact Colt support; do not retry.' },
  404: { meaning: 'resource not found', nextStep: 'Check the URL setting of this API.' },
  405: { meaning: 'wrong method', nextStep: 'Check the URL setting of this API: nothing there takes this method.' },
  406: { meaning: 'request not allowed', nextStep: 'Fix the request or contact Colt support.' },
  413: { meaning: 'response too large', nextStep: 'Contact Colt support.' },
  415: { meaning: 'unsupported media type', nextStep: 'Fix the content type.' },
  429: { meaning: 'too many requests', nextStep: 'Back off and retry later (Retry-After is honoured).' },
  500: { meaning: 'intermittent internal error', nextStep: 'Retry.' },
  502: { meaning: 'bad gateway', nextStep: 'Retry later.' },
  503: { meaning: 'service unavailable', nextStep: 'Retry later.' },
  504: { meaning: 'gateway timeout', nextStep: 'Retry later.' },
};

/** Server-side and throttling statuses: waiting can help. Everything else needs a fix first. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Which call failed, so 404/405 advice names the right thing (docs/colt.md#api-errors). */
export interface CallContext {
  /** `GET /order/{orderId}`: a 404 there is about the order id. */
  orderLookup: boolean;
  /** The setting holding this call's base URL (COLT_API_BASE_URL, COLT_TICKET_API_BASE_URL); never its value, which may carry credentials. */
  baseSetting: string;
}

/**
 * Advice for an API status, with a generic fallback for undocumented ones. A 404 is about
 * the order id only for `GET /order/{id}`; elsewhere (ordering, numbers, tickets) it and
 * a 405 mean the base URL setting points at the wrong place.
 */
export function adviceForStatus(status: number, context?: CallContext): ErrorAdvice {
  if (context && (status === 404 || status === 405 || (status >= 300 && status < 400))) {
    if (status === 404 && context.orderLookup) {
      return { meaning: 'order not found', nextStep: `Check the order id; if every order is not found, check ${context.baseSetting}.` };
    }
    const meaning = status === 404 ? 'nothing at this URL' : status === 405 ? 'this URL does not take this method' : 'a redirect, not followed';
    return { meaning, nextStep: `Check ${context.baseSetting}: the base URL is a setting because Colt does not publish every path.` };
  }
  return (
    API_STATUS_ADVICE[status] ??
    (isRetryableStatus(status)
      ? { meaning: `server error (HTTP ${status})`, nextStep: 'Retry later.' }
      : { meaning: `request refused (HTTP ${status})`, nextStep: 'Check the configuration and the request.' })
  );
}

/** The 400-004 advice with the header name actually sent (COLT_TRACKING_HEADER). */
export function trackingHeaderAdvice(trackingHeader: string): string {
  return `Check COLT_TRACKING_HEADER (now ${trackingHeader}; Colt's portal names APIGWTrackingId) and that no proxy strips the header.`;
}

/**
 * The token path is not published (docs/colt.md#endpoints): a 404 or 405, an HTML page or a
 * redirect from it means the URL is wrong, not that some resource or order is missing.
 */
export const CHECK_TOKEN_URL = 'Check COLT_TOKEN_URL: Colt does not publish the token path (the default …/authentication/v1/oauth/token is a guess).';

const TOKEN_URL_ADVICE: ErrorAdvice = { meaning: 'no token endpoint at this URL', nextStep: CHECK_TOKEN_URL };

/** What the token request was sent with: named in the advice. */
export interface TokenContext {
  /** COLT_TRACKING_HEADER as sent. */
  trackingHeader?: string;
  /** Whose host the token URL is on: a 401 from Colt's sandbox may mean the wrong environment. */
  tokenKind?: 'production' | 'sandbox' | 'other';
}

/** A 401's extra line for a Colt host: sandbox and production credentials differ. */
function environmentHint(status: number, tokenKind: TokenContext['tokenKind']): string {
  if (status !== 401) return '';
  if (tokenKind === 'sandbox') {
    return " The token URL is Colt's SANDBOX (sandbox.apis.colt.net), which refuses production credentials: the sandbox may be the wrong environment (set COLT_ENV=production).";
  }
  if (tokenKind === 'production') return ' The token URL is Colt production (apis.colt.net), which refuses sandbox credentials: check COLT_ENV.';
  return '';
}

/** Advice for a token error: the documented table first, then the token URL, then the generic status advice. */
export function adviceForTokenError(status: number, code: string | undefined, context: TokenContext = {}): ErrorAdvice {
  const key = `${status}-${normaliseErrorCode(code)}`;
  const documented = TOKEN_ERRORS[key];
  const advice = documented ?? (status === 404 || status === 405 ? TOKEN_URL_ADVICE : adviceForStatus(status));
  const nextStep = key === '400-004' && context.trackingHeader ? trackingHeaderAdvice(context.trackingHeader) : advice.nextStep;
  return { meaning: advice.meaning, nextStep };
}

export interface ColtTokenErrorInit {
  /** HTTP status, or 0 when no response arrived (network error, timeout). */
  status: number;
  code?: string | undefined;
  /** Colt's own `message`/`reason`, when it sent one. */
  coltMessage?: string | undefined;
  trackingId: string;
  /** Overrides the status-based decision (network errors and timeouts are retryable). */
  retryable?: boolean;
  /** Overrides the documented meaning (e.g. "timeout after 10000 ms"). */
  meaning?: string;
  /** How long Colt asked us to wait (Retry-After of a 429/503), in ms. */
  retryAfterMs?: number | null;
  /** Overrides the documented next step (e.g. "Check COLT_TOKEN_URL" for an HTML answer). */
  nextStep?: string;
  /** Names the tracking header and the environment in the advice. */
  context?: TokenContext;
}

/**
 * Getting a token failed. `meaning` and `nextStep` come from Colt's table; the message
 * never holds a credential, only the status, code, Colt's text and the tracking id.
 */
export class ColtTokenError extends Error {
  override readonly name = 'ColtTokenError';
  readonly status: number;
  readonly code: string | null;
  readonly meaning: string;
  readonly nextStep: string;
  readonly retryable: boolean;
  readonly coltMessage: string | null;
  readonly trackingId: string;
  /** Colt's Retry-After in ms, or null when it sent none. */
  readonly retryAfterMs: number | null;
  /** What the request was sent with (tracking header, whose host). */
  readonly context: TokenContext;

  constructor(init: ColtTokenErrorInit) {
    const code = normaliseErrorCode(init.code) ?? null;
    const advice =
      init.status === 0 ? { meaning: 'no response', nextStep: 'Retry later; check network access to Colt.' } : adviceForTokenError(init.status, init.code, init.context);
    const meaning = init.meaning ?? advice.meaning;
    const nextStep = (init.nextStep ?? advice.nextStep) + environmentHint(init.status, init.context?.tokenKind);
    const where = init.status === 0 ? 'no response' : `HTTP ${init.status}${code ? ` code ${code}` : ''}`;
    const colt = init.coltMessage ? ` (Colt: ${init.coltMessage})` : '';
    super(`Colt token request failed, ${where}: ${meaning}${colt}. ${nextStep} [tracking id ${init.trackingId}]`);
    this.status = init.status;
    this.code = code;
    this.meaning = meaning;
    this.nextStep = nextStep;
    this.retryable = init.retryable ?? (init.status === 0 || isRetryableStatus(init.status));
    this.coltMessage = init.coltMessage ?? null;
    this.trackingId = init.trackingId;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.context = init.context ?? {};
  }
}
