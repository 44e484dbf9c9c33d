/**
 * Test support for the Colt client: the simulator on a real port, a client pointed at
 * it, one manual clock for both, a sleep that records and advances the clock instead of
 * waiting, and captured debug logs.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterEach } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { ColtApi, ColtClientOptions } from '../../src/colt/colt.client.js';
import { createColtClient } from '../../src/colt/colt.client.js';
import { COLT_API_PATH } from '../../src/colt/endpoints.js';
import type { MockColtState, MockScheduler } from '../../src/colt/mock/mock-colt.types.js';
import type { RunningMockColt, StartMockColtOptions } from '../../src/colt/mock/mock-colt.server.js';
import { startMockColt } from '../../src/colt/mock/mock-colt.server.js';
import type { ManualClock } from '../../src/lib/clock.js';
import { createManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';

export const CLIENT_ID = 'relay-client-7f3a';
export const CLIENT_SECRET = 'S3cr3t-never-logged-9d2c';

/** Runs scheduled work on the next turn of the event loop: callback delays cost nothing. */
export const immediateScheduler: MockScheduler = (run) => {
  const handle = setImmediate(run);
  return () => clearImmediate(handle);
};

export interface Harness {
  clock: ManualClock;
  running: RunningMockColt;
  state: MockColtState;
  client: ColtApi;
  /** Delays the client asked to sleep, in order. */
  sleeps: number[];
  /** Captured log lines (JSON text). */
  logLines: string[];
  /** Simulator calls to GET /order. */
  orderCalls(): MockColtState['calls'];
  close(): Promise<void>;
}

export async function startHarness(
  options: { mock?: StartMockColtOptions; client?: Partial<ColtClientOptions> } = {},
): Promise<Harness> {
  const clock = createManualClock();
  const running = await startMockColt({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clock, schedule: immediateScheduler, ...options.mock });
  const sleeps: number[] = [];
  const logLines: string[] = [];
  const client = createColtClient({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    apiBaseUrl: running.apiBaseUrl,
    tokenUrl: running.tokenUrl,
    clock,
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    random: () => 0.5,
    ...options.client,
  });
  const state = running.mock.state;
  let closing: Promise<void> | undefined;
  return {
    clock,
    running,
    state,
    client,
    sleeps,
    logLines,
    orderCalls: () => state.calls.filter((c) => c.path.startsWith(`${COLT_API_PATH}/order/`)),
    // Idempotent: a test may close a harness itself (the simulator going away) before the afterEach does.
    close: () => (closing ??= running.close()),
  };
}

/**
 * Registers an `afterEach` that closes every harness the returned function started in
 * the test, so a test may start several (e.g. a second client pointed at a wrong URL).
 */
export function useHarness(): typeof startHarness {
  const started: Harness[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.close()));
  });
  return async (...args) => {
    const harness = await startHarness(...args);
    started.push(harness);
    return harness;
  };
}

export interface SinkRequest {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A loopback HTTP server standing in for the relay's callback endpoint. */
export async function startCallbackSink(status = 200) {
  const received: SinkRequest[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
      for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callbacks/colt`,
    received,
    /** Resolves once `count` callbacks have arrived. */
    waitFor: (count: number) =>
      received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
