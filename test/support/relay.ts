/** A receiver over a real store, driven with `app.request()` (no socket). */
import type { Hono } from 'hono';
import { createApp } from '../../src/app.js';
import { parseEnv, type Env } from '../../src/config/env.js';
import { DEFAULT_RULES_YAML } from '../../src/config/rules/rules.js';
import { createManualClock, type ManualClock } from '../../src/lib/clock.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import type { StoreKind } from '../../src/store/db.js';
import { createCallbackWriter, type CallbackWriter } from '../../src/store/ingest.js';
import { createTestStore, type TestStore } from './store.js';

export interface TestRelay {
  app: Hono;
  store: TestStore;
  env: Env;
  clock: ManualClock;
  writer: CallbackWriter;
  /** POSTs JSON (an object is serialised; a string is sent as is). */
  post(body: unknown, init?: { headers?: Record<string, string>; path?: string }): Promise<Response>;
  close(): Promise<void>;
}

export const TEST_TOKEN = 'test-callback-token-0123456789';

/**
 * The environment of a relay a test starts in its own process (startNodeServer): the built-in
 * rules given as RULES, so the working folder's ./rules.yaml (the user's file) is never read.
 */
export function nodeServerEnv(env: Record<string, string>): Record<string, string> {
  return { PORT: '0', HOST: '127.0.0.1', RULES: DEFAULT_RULES_YAML, ...env };
}

export async function createTestRelay(
  kind: StoreKind,
  envOverrides: Record<string, string> = {},
  options: { store?: TestStore; groupCommit?: boolean; remoteAddr?: string } = {},
): Promise<TestRelay> {
  const env = parseEnv({ CALLBACK_TOKEN: TEST_TOKEN, LOG_LEVEL: 'silent', ...envOverrides });
  const store = options.store ?? (await createTestStore(kind));
  const clock = createManualClock();
  const writer = createCallbackWriter(store, { groupCommit: options.groupCommit ?? true });
  const app = createApp({
    env,
    store,
    writer,
    clock,
    logger: createSilentLogger(),
    socketAddress: () => options.remoteAddr ?? '127.0.0.1',
  });
  return {
    app,
    store,
    env,
    clock,
    writer,
    post: async (body, init = {}) =>
      app.request(init.path ?? '/callbacks/colt', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}`, ...init.headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: async () => {
      await writer.drain();
      if (!options.store) await store.close();
    },
  };
}
