/**
 * The SERVER span of a callback (docs/operations.md#tracing): one per request to a receiver
 * route, the root of the callback's trace, or the child of the sender's own span when the
 * request carries a W3C `traceparent`. Everything the request does (authentication, the
 * store and its commit) happens inside it; the stored event keeps its context, so the
 * dispatcher's later work joins the same trace.
 */
import type { Context } from 'hono';
import { carrierFromHeaders, type Tracer } from '../lib/tracing.js';

/**
 * The route as a span may show it: the path, with a path token (a credential) replaced by
 * `{token}`. The receiver's routes are a handful of fixed paths, so this stays low-cardinality.
 */
function spanRoute(c: Context): string {
  return c.req.param('token') === undefined ? c.req.path : c.req.path.replace(/\/[^/]*$/, '/{token}');
}

/**
 * `receive` inside a SERVER span named `POST <route>`. Without tracing, `receive` itself is
 * returned: the receiver pays nothing.
 */
export function tracedReceiver(tracer: Tracer | undefined, receive: (c: Context) => Promise<Response>): (c: Context) => Promise<Response> {
  if (!tracer?.enabled) return receive;
  return async (c) => {
    const httpRoute = spanRoute(c);
    const url = new URL(c.req.url);
    const span = tracer.startSpan(`${c.req.method} ${httpRoute}`, {
      kind: 'server',
      parent: carrierFromHeaders(c.req.raw.headers),
      attributes: {
        'http.request.method': c.req.method,
        'http.route': httpRoute,
        'url.path': httpRoute,
        'url.scheme': url.protocol.replace(/:$/, ''),
        'server.address': url.hostname,
        'server.port': url.port ? Number(url.port) : undefined,
        'user_agent.original': c.req.header('user-agent'),
      },
    });
    try {
      const response = await tracer.withSpan(span, () => receive(c));
      span.setAttributes({ 'http.response.status_code': response.status });
      // A refused callback is the sender's error (4xx): the span says so without failing the server's.
      if (response.status >= 500) span.fail(`HTTP ${response.status}`);
      return response;
    } catch (error) {
      // The app's error handler answers (503 store_unavailable): the span records why.
      span.fail(error instanceof Error ? error.message : String(error), error);
      throw error;
    } finally {
      span.end();
    }
  };
}
