/**
 * A local OTLP/HTTP trace receiver, as a collector would be: `POST /v1/traces` in
 * `http/protobuf` (decoded with protobufjs from OpenTelemetry's own .proto files, in
 * test/support/otlp-proto, opentelemetry-proto v1.11.0, Apache-2.0) or `http/json` (OTLP's
 * JSON mapping). Every span received is kept, flattened, with its resource.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export type ReceivedKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
type Value = string | number | boolean | null | Value[];

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  kind: ReceivedKind;
  attributes: Record<string, Value>;
  status: { code: 'unset' | 'ok' | 'error'; message: string };
  events: { name: string; attributes: Record<string, Value> }[];
  links: { traceId: string; spanId: string }[];
  resource: Record<string, Value>;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
}

export interface OtlpRequest {
  path: string;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
  spans: number;
}

export interface OtlpReceiver {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly spans: ReceivedSpan[];
  readonly requests: OtlpRequest[];
  /** Resolves once `predicate` holds for the spans received (polls every 50 ms). */
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

const KINDS: ReceivedKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS = ['unset', 'ok', 'error'] as const;

const PROTO_ROOT = fileURLToPath(new URL('./otlp-proto/', import.meta.url));
let requestType: protobuf.Type | undefined;

/** ExportTraceServiceRequest from the official .proto files (loaded once). */
function exportRequestType(): protobuf.Type {
  if (requestType) return requestType;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => PROTO_ROOT + target;
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
  requestType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  return requestType;
}

type AnyValueJson = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: AnyValueJson[] } };
type KeyValueJson = { key: string; value?: AnyValueJson };

function anyValue(v: AnyValueJson | undefined): Value {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  return null;
}

const attributesOf = (list: KeyValueJson[] | undefined) => Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));

/** Ids: hex in OTLP/JSON, bytes (here base64, from toObject) in protobuf. */
type Id = string | Uint8Array | undefined;
const hex = (id: Id, fromBytes: boolean) => (id === undefined ? '' : fromBytes ? Buffer.from(id as string, 'base64').toString('hex') : String(id));

type SpanJson = {
  traceId?: Id;
  spanId?: Id;
  parentSpanId?: Id;
  name: string;
  kind?: number | string;
  attributes?: KeyValueJson[];
  status?: { code?: number | string; message?: string };
  events?: { name: string; attributes?: KeyValueJson[] }[];
  links?: { traceId?: Id; spanId?: Id }[];
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
};
type RequestJson = { resourceSpans?: { resource?: { attributes?: KeyValueJson[] }; scopeSpans?: { spans?: SpanJson[] }[] }[] };

const enumIndex = (value: number | string | undefined, names: readonly string[], prefix: string) =>
  typeof value === 'string' ? names.indexOf(value.replace(prefix, '').toLowerCase()) : (value ?? 0);

/** Flattens an export request (JSON mapping, or a decoded protobuf as toObject gives it). */
function flatten(request: RequestJson, fromBytes: boolean): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hex(s.traceId, fromBytes),
          spanId: hex(s.spanId, fromBytes),
          parentSpanId: hex(s.parentSpanId, fromBytes),
          name: s.name,
          kind: KINDS[enumIndex(s.kind, KINDS, 'SPAN_KIND_')] ?? 'unspecified',
          attributes: attributesOf(s.attributes),
          status: { code: STATUS[enumIndex(s.status?.code, STATUS, 'STATUS_CODE_')] ?? 'unset', message: s.status?.message ?? '' },
          events: (s.events ?? []).map((e) => ({ name: e.name, attributes: attributesOf(e.attributes) })),
          links: (s.links ?? []).map((l) => ({ traceId: hex(l.traceId, fromBytes), spanId: hex(l.spanId, fromBytes) })),
          resource,
          startTimeUnixNano: BigInt(s.startTimeUnixNano ?? 0),
          endTimeUnixNano: BigInt(s.endTimeUnixNano ?? 0),
        });
      }
    }
  }
  return out;
}

/** Decodes one export request body by its content type. */
export function decodeExportRequest(contentType: string, body: Buffer): ReceivedSpan[] {
  if (contentType.startsWith('application/json')) return flatten(JSON.parse(body.toString('utf8')) as RequestJson, false);
  if (contentType.startsWith('application/x-protobuf')) {
    const type = exportRequestType();
    const decoded = type.toObject(type.decode(body), { longs: String, bytes: String, defaults: false }) as RequestJson;
    return flatten(decoded, true);
  }
  throw new Error(`unexpected content type ${contentType}`);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts the receiver on a free loopback port. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: OtlpRequest[] = [];
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        const contentType = req.headers['content-type'] ?? '';
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        const received = decodeExportRequest(contentType, body);
        spans.push(...received);
        requests.push({ path: req.url, contentType, headers: req.headers, spans: received.length });
        // An empty ExportTraceServiceResponse: full success.
        if (contentType.startsWith('application/json')) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      })
      .catch((error: unknown) => res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    requests,
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(spans)) {
        if (Date.now() > deadline) throw new Error(`spans not received in ${timeoutMs} ms; have: ${spans.map((s) => s.name).join(', ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return spans;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
