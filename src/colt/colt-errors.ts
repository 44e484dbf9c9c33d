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
    nextStep: 'Check COLT_TRACKING_HEADER: Colt expects the name its portal gives (APIGWTrackingId or x-tracking-id).',
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
  404: { meaning: 'resource not found', nextStep: 'Check the order id.' },
  405: { meaning: 'wrong method', nextStep: 'Client bug: fix the method.' },
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

/** Advice for an API status, with a generic fallback for undocumented ones. */
export function adviceForStatus(status: number): ErrorAdvice {
  return (
    API_STATUS_ADVICE[status] ??
    (isRetryableStatus(status)
      ? { meaning: `server error (HTTP ${status})`, nextStep: 'Retry later.' }
      : { meaning: `request refused (HTTP ${status})`, nextStep: 'Check the configuration and the request.' })
  );
}

/**
 * The token path is not published (docs/colt.md#endpoints): a 404 or 405 there means the URL is
 * wrong, not that some resource or order is missing.
 */
const TOKEN_URL_ADVICE: ErrorAdvice = {
  meaning: 'no token endpoint at this URL',
  nextStep: 'Check COLT_TOKEN_URL: Colt does not publish the token path (the default …/authentication/v1/oauth/token is a guess).',
};

/** Advice for a token error: the documented table first, then the token URL, then the generic status advice. */
export function adviceForTokenError(status: number, code: string | undefined): ErrorAdvice {
  const documented = TOKEN_ERRORS[`${status}-${normaliseErrorCode(code)}`];
  if (documented) return documented;
  if (status === 404 || status === 405) return TOKEN_URL_ADVICE;
  return adviceForStatus(status);
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

  constructor(init: ColtTokenErrorInit) {
    const code = normaliseErrorCode(init.code) ?? null;
    const advice = init.status === 0 ? { meaning: 'no response', nextStep: 'Retry later; check network access to Colt.' } : adviceForTokenError(init.status, init.code);
    const meaning = init.meaning ?? advice.meaning;
    const where = init.status === 0 ? 'no response' : `HTTP ${init.status}${code ? ` code ${code}` : ''}`;
    const colt = init.coltMessage ? ` (Colt: ${init.coltMessage})` : '';
    super(`Colt token request failed, ${where}: ${meaning}${colt}. ${advice.nextStep} [tracking id ${init.trackingId}]`);
    this.status = init.status;
    this.code = code;
    this.meaning = meaning;
    this.nextStep = advice.nextStep;
    this.retryable = init.retryable ?? (init.status === 0 || isRetryableStatus(init.status));
    this.coltMessage = init.coltMessage ?? null;
    this.trackingId = init.trackingId;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}
