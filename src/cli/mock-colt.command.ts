/**
 * `colt-relay mock-colt`: runs the Colt simulator locally until interrupted.
 * Point the relay at it with the COLT_* lines it prints.
 */
import { createLogger } from '../lib/logger.js';
import { parseCommandLine, UsageError } from './args.js';
import type { RunningMockColt, StartMockColtOptions } from '../colt/mock/mock-colt.server.js';
import { startMockColt } from '../colt/mock/mock-colt.server.js';

export const MOCK_COLT_USAGE = `Usage: colt-relay mock-colt [options]

Runs a local simulator of Colt's IN number APIs (token, GET /order, GET /numberCollection,
the ordering POSTs, TMF621 tickets) that posts order callbacks: "raised" at once, then
"completed" or "failed". It holds 1,000 blocks of ten numbers for every number type in every
Colt country, and is as strict as Colt's published text: an ordering body with a missing or
unknown parameter gets a 400 (parameters: docs/colt.md#a-local-colt-mock-colt).

  --port <n>              listen port (default 4010; 0 = any free port)
  --host <addr>           listen address (default 127.0.0.1)
  --client-id <id>        accepted OAuth2 client id (default mock-client-id)
  --client-secret <s>     accepted OAuth2 client secret (default mock-client-secret)
  --tracking-header <h>   required tracking header (default APIGWTrackingId)
  --token-ttl <s>         expires_in of issued tokens (default 1800)
  --api-key <k>           require this consumer key on API calls
  --api-key-header <h>    header of the consumer key (default apikey)
  --callback-url <url>    where to post order callbacks (none when absent)
  --ticket-callback-url <url>
                          where to post TMF621 ticket notifications (none when absent)
  --callback-token <t>    send callbacks with Authorization: Bearer <t>
  --callback-basic <u:p>  send callbacks with HTTP Basic
  --shape <tmf|flat>      callback body shape (default tmf)
  --complete-after <ms>   delay before the final callback (default 2000)
  --fail-orders <0..1>    fraction of orders that end failed (default 0)
  --failure-reason-in <callback|order>
                          where a failed order's reason is: in its callback (and GET /order,
                          the default), or only in GET /order's errorMessage[]
  --drop-callbacks <0..1> fraction of orders whose final callback is not sent, though
                          the order completes (default 0): shows reconciliation at work
  --fail-rate <0..1>      fraction of API calls answered 500/503 (default 0)
  --latency <ms>          delay before every answer (default 0)
  --rate-limit <n>        API calls per second before 429 (default 0 = off)
  --rate-limit-retry-after
                          send Retry-After with that 429 (Colt does not say it does)
  --ticket-list-filters   filter GET …/troubleTicket by externalId (Colt publishes no
                          filter: by default the list answers every ticket)
  --log-level <level>     pino level (default info)
  -h, --help              this text
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'tracking-header': { type: 'string' },
  'token-ttl': { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-header': { type: 'string' },
  'callback-url': { type: 'string' },
  'ticket-callback-url': { type: 'string' },
  'callback-token': { type: 'string' },
  'callback-basic': { type: 'string' },
  shape: { type: 'string' },
  'complete-after': { type: 'string' },
  'fail-orders': { type: 'string' },
  'fail-rate': { type: 'string' },
  'drop-callbacks': { type: 'string' },
  latency: { type: 'string' },
  'rate-limit': { type: 'string' },
  'rate-limit-retry-after': { type: 'boolean' },
  'ticket-list-filters': { type: 'boolean' },
  'failure-reason-in': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface MockColtArgs {
  help: boolean;
  logLevel: string;
  options: StartMockColtOptions;
}

/** Parses the command's arguments; throws one UsageError listing every problem (the CLI exits 2). */
export function parseMockColtArgs(argv: string[]): MockColtArgs {
  const parsed = parseCommandLine(argv, OPTIONS);
  if (!parsed.ok) throw new UsageError(`mock-colt: ${parsed.message}\n\n${MOCK_COLT_USAGE}`);
  const { values } = parsed;
  const problems: string[] = [];
  const number = (name: keyof typeof OPTIONS, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const raw = values[name];
    if (typeof raw !== 'string') return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      problems.push(`--${name} must be a number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}, got "${raw}"`);
      return undefined;
    }
    return n;
  };
  const options: StartMockColtOptions = {
    port: number('port', 0, 65535) ?? 4010,
    host: values.host ?? '127.0.0.1',
    ...(values['client-id'] !== undefined && { clientId: values['client-id'] }),
    ...(values['client-secret'] !== undefined && { clientSecret: values['client-secret'] }),
    ...(values['tracking-header'] !== undefined && { trackingHeader: values['tracking-header'] }),
    ...(values['api-key'] !== undefined && { apiKey: values['api-key'] }),
    ...(values['api-key-header'] !== undefined && { apiKeyHeader: values['api-key-header'] }),
    ...(values['callback-url'] !== undefined && { callbackUrl: values['callback-url'] }),
    ...(values['ticket-callback-url'] !== undefined && { ticketCallbackUrl: values['ticket-callback-url'] }),
    ...(values['callback-token'] !== undefined && { callbackToken: values['callback-token'] }),
    ...(values['callback-basic'] !== undefined && { callbackBasic: values['callback-basic'] }),
    ...(values['rate-limit-retry-after'] && { rateLimitRetryAfter: true }),
    ...(values['ticket-list-filters'] && { ticketListFilters: true }),
  };
  const numeric: [keyof typeof OPTIONS, keyof StartMockColtOptions, number, number?][] = [
    ['token-ttl', 'tokenLifetimeS', 1],
    ['complete-after', 'completeAfterMs', 0],
    ['fail-orders', 'failOrders', 0, 1],
    ['fail-rate', 'failRate', 0, 1],
    ['drop-callbacks', 'dropCallbacks', 0, 1],
    ['latency', 'latencyMs', 0],
    ['rate-limit', 'rateLimit', 0],
  ];
  for (const [flag, key, min, max] of numeric) {
    const n = number(flag, min, max);
    if (n !== undefined) (options as Record<string, unknown>)[key] = n;
  }
  if (values.shape !== undefined) {
    if (values.shape === 'tmf' || values.shape === 'flat') options.callbackShape = values.shape;
    else problems.push(`--shape must be tmf or flat, got "${values.shape}"`);
  }
  const reasonIn = values['failure-reason-in'];
  if (reasonIn !== undefined) {
    if (reasonIn === 'callback' || reasonIn === 'order') options.failureReasonIn = reasonIn;
    else problems.push(`--failure-reason-in must be callback or order, got "${reasonIn}"`);
  }
  if (values['callback-url'] !== undefined && !URL.canParse(values['callback-url'])) problems.push('--callback-url must be an absolute URL');
  if (values['ticket-callback-url'] !== undefined && !URL.canParse(values['ticket-callback-url'])) problems.push('--ticket-callback-url must be an absolute URL');
  if (values['callback-basic'] !== undefined && !values['callback-basic'].includes(':')) problems.push('--callback-basic must be user:password');
  if (values['callback-token'] !== undefined && values['callback-basic'] !== undefined) problems.push('give --callback-token or --callback-basic, not both');
  if (problems.length > 0) throw new UsageError(`mock-colt: ${problems.join('; ')}\n\n${MOCK_COLT_USAGE}`);
  return { help: values.help ?? false, logLevel: values['log-level'] ?? 'info', options };
}

export interface RunMockColtHooks {
  /** Stops the simulator when aborted (besides SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Called once listening, e.g. by tests to learn the port. */
  onListening?: (running: RunningMockColt) => void;
  /** Where the banner goes. @default console.log */
  print?: (line: string) => void;
}

/** Runs the simulator until SIGINT, SIGTERM or `hooks.signal`; resolves once it has stopped. */
export async function runMockColt(argv: string[], hooks: RunMockColtHooks = {}): Promise<void> {
  const print = hooks.print ?? ((line: string) => console.log(line));
  const args = parseMockColtArgs(argv);
  if (args.help) {
    print(MOCK_COLT_USAGE);
    return;
  }
  const logger = createLogger({ level: args.logLevel });
  const running = await startMockColt({ ...args.options, logger });
  print(`mock-colt listening on ${running.url}`);
  print(`  COLT_API_BASE_URL=${running.apiBaseUrl}`);
  print(`  COLT_TOKEN_URL=${running.tokenUrl}`);
  print(`  COLT_TICKET_API_BASE_URL=${running.ticketApiBaseUrl}`);
  print(`  COLT_CLIENT_ID=${args.options.clientId ?? 'mock-client-id'}`);
  print(`  COLT_CLIENT_SECRET=${args.options.clientSecret === undefined ? 'mock-client-secret' : '<as given by --client-secret>'}`);
  print(`  callbacks: ${args.options.callbackUrl ?? 'none (set --callback-url)'}`);
  print(`  ticket notifications: ${args.options.ticketCallbackUrl ?? 'none (set --ticket-callback-url)'}`);
  hooks.onListening?.(running);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      hooks.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (hooks.signal?.aborted) stop();
    else hooks.signal?.addEventListener('abort', stop, { once: true });
  });
  await running.close();
}
