/**
 * Tracing unset costs nothing: `colt-relay serve` without OTEL_EXPORTER_OTLP_ENDPOINT receives,
 * stores and delivers a callback without resolving a single module of the OpenTelemetry SDK
 * (only @opentelemetry/api, which prom-client has always loaded). A resolve hook loaded first
 * (NODE_OPTIONS=--import) reports every other @opentelemetry module; the same process with the
 * endpoint set reports them, so the watch itself is shown to work.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli, waitForRelay } from '../../support/cli.js';
import { startOtlpReceiver } from '../../support/otlp-receiver.js';

const TOKEN = 'tracing-off-callback-token-01234';
const WATCH = join(mkdtempSync(join(tmpdir(), 'colt-relay-otel-watch-')), 'watch.mjs');
writeFileSync(
  WATCH,
  `import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    // Not @opentelemetry/api: prom-client (the metrics) requires it anyway; it is an API without an SDK.
    if (/\\/@opentelemetry\\/(?!api\\/)/.test(String(resolved.url))) process.stderr.write('OTEL-LOADED ' + resolved.url + '\\n');
    return resolved;
  },
});
`,
);

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Runs `serve` on a fresh data folder, posts one callback, waits for its log line, stops; everything it wrote. */
async function serveOneCallback(env: Record<string, string>): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'colt-relay-otel-off-'));
  dirs.push(dataDir);
  const relay = startCli(['serve'], {
    NODE_OPTIONS: `--import=${WATCH}`,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    CALLBACK_TOKEN: TOKEN,
    RULES: 'channels: { audit: { type: log } }\nrules: [{ name: all, notify: [audit] }]',
    ...env,
  });
  try {
    const holder = await waitForRelay(dataDir, relay);
    const res = await fetch(`${holder.api!.url}/callbacks/colt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      body: JSON.stringify({ eventId: 'evt-off-1', orderId: 'IN-ORD-OFF-1', status: 'completed' }),
    });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 30_000;
    while (!relay.output().includes('IN-ORD-OFF-1')) {
      if (Date.now() > deadline) throw new Error(`no log line for the callback:\n${relay.output()}`);
      await new Promise((r) => setTimeout(r, 100)); // another process: no clock to drive
    }
  } finally {
    expect(await relay.stop()).toBe(0);
  }
  return relay.output();
}

describe('tracing unset', { timeout: 120_000 }, () => {
  it('loads no module of the OpenTelemetry SDK and writes no trace ids; with the endpoint set, the same watch sees the SDK load', async () => {
    const off = await serveOneCallback({});
    expect(off).not.toContain('OTEL-LOADED');
    expect(off).not.toContain('trace_id');
    expect(off).toContain('IN-ORD-OFF-1');

    const otlp = await startOtlpReceiver();
    try {
      const on = await serveOneCallback({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint });
      expect(on).toMatch(/OTEL-LOADED \S*\/@opentelemetry\/sdk-trace\//);
      expect(on).toContain('"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"');
    } finally {
      await otlp.close();
    }
  });
});
