/** `colt-relay mock-colt`: argument parsing, and a run driven by its flags. */
import { describe, expect, it } from 'vitest';
import { MOCK_COLT_USAGE, parseMockColtArgs, runMockColt } from '../../src/cli/mock-colt.command.js';
import type { RunningMockColt } from '../../src/colt/mock/mock-colt.server.js';
import { startCallbackSink } from './colt-harness.js';

describe('parseMockColtArgs', () => {
  it('defaults', () => {
    expect(parseMockColtArgs([])).toEqual({ help: false, logLevel: 'info', options: { port: 4010, host: '127.0.0.1' } });
  });

  it('maps every flag', () => {
    const args = parseMockColtArgs([
      '--port=0', '--host', '0.0.0.0', '--client-id', 'id', '--client-secret', 's', '--tracking-header', 'x-tracking-id',
      '--token-ttl', '60', '--api-key', 'k', '--api-key-header', 'x-key', '--callback-url', 'http://127.0.0.1:9/cb',
      '--callback-token', 't', '--shape', 'flat', '--complete-after', '0', '--fail-orders', '0.25', '--fail-rate', '0.1',
      '--latency', '20', '--rate-limit', '5', '--log-level', 'debug', '--rate-limit-retry-after', '--ticket-list-filters',
      '--failure-reason-in', 'order',
    ]);
    expect(args).toEqual({
      help: false,
      logLevel: 'debug',
      options: {
        port: 0, host: '0.0.0.0', clientId: 'id', clientSecret: 's', trackingHeader: 'x-tracking-id', tokenLifetimeS: 60,
        apiKey: 'k', apiKeyHeader: 'x-key', callbackUrl: 'http://127.0.0.1:9/cb', callbackToken: 't', callbackShape: 'flat',
        completeAfterMs: 0, failOrders: 0.25, failRate: 0.1, latencyMs: 20, rateLimit: 5,
        rateLimitRetryAfter: true, ticketListFilters: true, failureReasonIn: 'order',
      },
    });
  });

  it('lists every problem at once, with the usage', () => {
    let message = '';
    try {
      parseMockColtArgs(['--failure-reason-in', 'both', '--fail-rate', '2', '--shape', 'xml', '--port', 'abc', '--callback-basic', 'nocolon', '--callback-url', 'relative']);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('--failure-reason-in must be callback or order, got "both"');
    expect(message).toContain('--fail-rate must be a number from 0 to 1');
    expect(message).toContain('--shape must be tmf or flat');
    expect(message).toContain('--port must be a number');
    expect(message).toContain('--callback-basic must be user:password');
    expect(message).toContain('--callback-url must be an absolute URL');
    expect(message).toContain(MOCK_COLT_USAGE);
    expect(() => parseMockColtArgs(['--nope'])).toThrow(/nope/);
  });
});

describe('runMockColt', () => {
  it('serves, posts callbacks to --callback-url with --callback-token, and stops on abort', async () => {
    const sink = await startCallbackSink();
    const controller = new AbortController();
    const printed: string[] = [];
    let running: RunningMockColt | undefined;
    const listening = new Promise<void>((resolve) => {
      void runMockColt(
        ['--port', '0', '--callback-url', sink.url, '--callback-token', 'cli-token', '--shape', 'flat', '--complete-after', '0', '--log-level', 'silent'],
        { signal: controller.signal, print: (l) => printed.push(l), onListening: (r) => {
          running = r;
          resolve();
        } },
      ).then(() => printed.push('stopped'));
    });
    await listening;
    expect(printed.join('\n')).toContain(`COLT_API_BASE_URL=${running!.apiBaseUrl}`);

    running!.mock.placeOrder({ type: 'activation', country: 'FR' });
    await running!.mock.idle();
    expect(sink.received.map((r) => [r.body.orderStatus, r.headers.authorization])).toEqual([
      ['Raised', 'Bearer cli-token'],
      ['Completed', 'Bearer cli-token'],
    ]);

    controller.abort();
    await expect.poll(() => printed.at(-1)).toBe('stopped');
    await expect(fetch(running!.url)).rejects.toThrow();
    await sink.close();
  });

  it('--help prints the usage and returns', async () => {
    const printed: string[] = [];
    await runMockColt(['--help'], { print: (l) => printed.push(l) });
    expect(printed).toEqual([MOCK_COLT_USAGE]);
  });
});
