/**
 * The receiver's writer, traced (docs/operations.md#tracing): each callback is stored with the
 * trace context of the request that brought it (the SERVER span active when `write` is called),
 * so the dispatcher's spans for the event, in whichever process, join that trace. The wait for
 * its batch and the commit are a `store callback` span; the request's span learns the event.
 */
import { inSpan, type Tracer } from '../lib/tracing.js';
import type { CallbackWriter } from './ingest.js';

/** `writer` with tracing; `writer` itself when tracing is off. */
export function tracedWriter(writer: CallbackWriter, tracer: Tracer): CallbackWriter {
  if (!tracer.enabled) return writer;
  return {
    async write(callback) {
      const request = tracer.activeSpan();
      const traceContext = callback.traceContext ?? tracer.carrier();
      const attributes = { 'colt.order.id': callback.fields.orderId };
      const stored = await inSpan(tracer, 'store callback', { attributes }, async (span) => {
        const result = await writer.write({ ...callback, traceContext });
        span.setAttributes({ 'colt_relay.event.id': result.id, 'colt_relay.event.duplicate': result.duplicate });
        return result;
      });
      request.setAttributes({ ...attributes, 'colt_relay.event.id': stored.id, 'colt_relay.event.duplicate': stored.duplicate });
      return stored;
    },
    drain: () => writer.drain(),
  };
}
