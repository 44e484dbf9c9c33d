/**
 * Where a Worker's CPU goes: a sampling profile taken through workerd's inspector (the one
 * `wrangler dev --inspector-port` exposes), its self time mapped back through the bundle's
 * source map to the package or src/ folder each sample ran in.
 */
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where the inspector listens; `origin` for wrangler's proxy, which refuses a connection without one. */
export interface InspectorAddress {
  port: number;
  origin?: string;
}

/** A CDP session on the Worker's isolate. */
async function connect(inspector: InspectorAddress): Promise<{ send(method: string, params?: object): Promise<unknown>; close(): void }> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspector.port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const target = targets[0];
  if (!target) throw new Error(`no inspector target on port ${inspector.port}`);
  // undici's WebSocket takes headers.
  const init = inspector.origin ? { headers: { origin: inspector.origin } } : {};
  const ws = new WebSocket(target.webSocketDebuggerUrl, init as unknown as string[]);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  // The proxy renumbers message ids: commands are sent one at a time and answered in order.
  let id = 0;
  const waiting: ((result: unknown) => void)[] = [];
  ws.onmessage = (message) => {
    const data = JSON.parse(String(message.data)) as { id?: number; result?: unknown };
    if (data.id !== undefined) waiting.shift()?.(data.result);
  };
  const send = (method: string, params = {}) =>
    new Promise<unknown>((resolve) => {
      waiting.push(resolve);
      ws.send(JSON.stringify({ id: ++id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** Starts sampling every `intervalUs`; the returned function stops and gives the profile. */
export async function startProfiling(inspector: InspectorAddress, intervalUs = 100): Promise<() => Promise<CpuProfile>> {
  const { send, close } = await connect(inspector);
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: intervalUs });
  await send('Profiler.start');
  return async () => {
    const { profile } = (await send('Profiler.stop')) as { profile: CpuProfile };
    close();
    return profile;
  };
}

/** node_modules/<pkg> or src/<folder>, from a source path; workerd's own code by its kind. */
function categoryOf(source: string | null, functionName: string, url: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native: V8 and workerd built-ins)';
  if (url.startsWith('node-internal:')) return '(workerd: Node compatibility layer)';
  if (url.startsWith('cloudflare:')) return `(workerd: ${url})`;
  if (!source) return '(unmapped)';
  // drizzle-orm's source maps point at ../src/…, which resolves to node_modules/src/.
  if (source.includes('node_modules/src/')) return 'drizzle-orm';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (pkg) return pkg[1]!;
  const src = /src\/(.+?)(\/|\.ts$)/.exec(source);
  return src ? `src/${src[1]}` : source;
}

/**
 * Self time in µs per (category, function), idle left out: samples counted at the profile's
 * median interval. Counting, rather than adding up the gaps between samples, keeps time the
 * thread spent descheduled on a busy machine out of the figures.
 */
function selfTimes(profile: CpuProfile, sourceMap: string | null): Map<string, { category: string; fn: string; us: number }> {
  const deltas = [...profile.timeDeltas].sort((a, b) => a - b);
  const intervalUs = deltas[Math.floor(deltas.length / 2)] ?? 0;
  const map = sourceMap ? new TraceMap(sourceMap) : null;
  const keyOfNode = new Map<number, { category: string; fn: string }>();
  for (const node of profile.nodes) {
    const { url, lineNumber, columnNumber, functionName } = node.callFrame;
    // Only the Worker's bundle has a source map; workerd's own modules have URLs of their own.
    const inBundle = url !== '' && !url.includes(':');
    const position = map && inBundle ? originalPositionFor(map, { line: lineNumber + 1, column: columnNumber }) : null;
    const category = categoryOf(position?.source ?? null, functionName, url);
    const where = position?.source ? `${position.source.replace(/^.*?(node_modules\/|src\/)/, '$1')}:${position.line}` : url;
    keyOfNode.set(node.id, { category, fn: `${functionName && !inBundle ? functionName : (position?.name ?? '(anonymous)')} ${where}`.trim() });
  }
  const totals = new Map<string, { category: string; fn: string; us: number }>();
  profile.samples.forEach((nodeId) => {
    const key = keyOfNode.get(nodeId) ?? { category: '(unknown)', fn: '' };
    if (key.category === '(idle)') return;
    const id = `${key.category}\u0000${key.fn}`;
    const held = totals.get(id) ?? { ...key, us: 0 };
    held.us += intervalUs;
    totals.set(id, held);
  });
  return totals;
}

export interface ProfileTables {
  /** Self time per package or src/ folder, ms per invocation, largest first. */
  byPart: { category: string; ms: number }[];
  /** The functions with the most self time, ms per invocation. */
  topFunctions: { category: string; fn: string; ms: number }[];
}

/** Self time per category and per function over `invocations` ("(idle)", waiting for I/O, left out). */
export function profileTables(profile: CpuProfile, sourceMap: string | null, invocations: number, top = 15): ProfileTables {
  const times = [...selfTimes(profile, sourceMap).values()];
  const byPart = new Map<string, number>();
  for (const t of times) byPart.set(t.category, (byPart.get(t.category) ?? 0) + t.us);
  return {
    byPart: [...byPart].map(([category, us]) => ({ category, ms: us / 1000 / invocations })).sort((a, b) => b.ms - a.ms),
    topFunctions: times
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((t) => ({ category: t.category, fn: t.fn, ms: t.us / 1000 / invocations })),
  };
}
