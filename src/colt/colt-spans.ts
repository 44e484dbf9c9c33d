/**
 * Every exchange with Colt (token requests, `GET /order`, the ticket API) as a CLIENT span
 * (docs/operations.md#tracing), child of whatever span is active: enriching an event, a
 * delivery to a colt-ticket channel, a reconciliation round. No trace context is sent to Colt.
 */
import { spanUrl } from '../config/secrets.js';
import { inHttpClientSpan, recordHttpStatus, type Tracer } from '../lib/tracing.js';
import type { ColtTransport } from './colt-http.js';
import type { ColtEndpoints } from './endpoints.js';

/**
 * A low-cardinality name for a Colt URL: the token endpoint's path, the numbers API path
 * below its base with the order id as `{orderId}`, and for other URLs the path with every
 * segment that holds a digit (an id) as `{id}`.
 */
export function coltUrlTemplate(url: string, endpoints: ColtEndpoints): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  if (url.split('?')[0] === endpoints.tokenUrl.split('?')[0]) return path;
  if (url.startsWith(`${endpoints.apiBaseUrl}/`)) {
    return url.slice(endpoints.apiBaseUrl.length).split('?')[0]!.replace(/^\/order\/[^/]+/, '/order/{orderId}');
  }
  // An id holds a digit; an API version (`v4`, `v1.2`) is not one.
  const isId = (segment: string) => /\d/.test(segment) && !/^v\d+(\.\d+)*$/i.test(segment);
  return path
    .split('/')
    .map((segment) => (isId(segment) ? '{id}' : segment))
    .join('/');
}

/** `transport` with a CLIENT span per exchange; `transport` itself without tracing. */
export function tracedTransport(tracer: Tracer | undefined, transport: ColtTransport, endpoints: ColtEndpoints): ColtTransport {
  if (!tracer?.enabled) return transport;
  return (request) => {
    const template = coltUrlTemplate(request.url, endpoints);
    const described = { method: request.method, url: spanUrl(request.url), ...(template && { template }) };
    return inHttpClientSpan(tracer, described, async (span) => {
      const exchange = await transport(request);
      span.setAttributes({ 'colt.tracking_id': exchange.trackingId });
      if (exchange.kind === 'response') recordHttpStatus(span, exchange.status);
      else span.fail(exchange.message);
      return exchange;
    });
  };
}
