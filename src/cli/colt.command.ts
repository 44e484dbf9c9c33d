/**
 * `colt-relay colt …` (docs/design.md#colt-client): Colt's API from the command line, through the
 * relay's own client (token, tracking header, error table, retries). Colt's answer goes to
 * stdout as JSON; failures to stderr naming the cause. Exit codes: 0 done, 1 Colt refused
 * or the order failed/was cancelled, 2 usage or `--wait` timed out.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseEnv } from '../config/env.js';
import { secretValues } from '../config/secrets.js';
import type { ColtResult } from '../colt/colt.client.js';
import { createOrderingClient, isOrderingOperation, ORDERING_OPERATIONS, orderIdOf } from '../colt/ordering.client.js';
import { systemClock } from '../lib/clock.js';
import { createLogger } from '../lib/logger.js';
import { createColtClientFromEnv } from '../pipeline.js';
import { openOutcomeSource, parseDurationMs, waitForFinalStatus, WAIT_EXIT, type WaitOptions } from './order-wait.js';

export const COLT_USAGE = `usage: colt-relay colt <command>

  order <orderId>                      GET /order/{orderId}
  numbers [--param k=v …]              GET /numberCollection (e.g. --param country=FR --param status=free)
  reserve --file <body.json>           POST /numberCollectionReservation
  cancel-reservation --file <body.json>
                                       POST /numberCollectionReservationCancellation
  activate --file <body.json>          POST /numberCollectionActivation
  update-address --file <body.json>    POST /numberCollectionUpdateCustomerDetails

  --wait <duration>     after an ordering POST, wait (e.g. 30m) until the relay holds the order's
                        final status: exit 0 completed, 1 failed or cancelled, 2 timeout
  --relay-url <url>     read the status from this relay's admin API (ADMIN_TOKEN) instead of
                        DATABASE_URL; the default without DATABASE_URL (RELAY_URL, else
                        http://127.0.0.1:$PORT), since a running relay owns its embedded database
  --poll <duration>     how often --wait looks (default 2s)

Uses COLT_CLIENT_ID, COLT_CLIENT_SECRET, COLT_ENV / COLT_API_BASE_URL / COLT_TOKEN_URL as the relay does.
`;

export interface ColtIo {
  stdout(s: string): void;
  stderr(s: string): void;
  env: Record<string, string | undefined>;
  /** For tests: the clock and sleep of `--wait`. */
  wait?: Pick<WaitOptions, 'now' | 'sleep'>;
}

const OPTIONS = {
  file: { type: 'string' },
  param: { type: 'string', multiple: true },
  wait: { type: 'string' },
  'relay-url': { type: 'string' },
  poll: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usage(io: ColtIo, problem: string): number {
  io.stderr(`colt-relay colt: ${problem}\n\n${COLT_USAGE}`);
  return 2;
}

/** Prints Colt's answer (or why it failed); the exit code for it. */
function report(io: ColtIo, result: ColtResult): number {
  if (result.ok) {
    io.stdout(`${JSON.stringify(result.body, null, 2)}\n`);
    return 0;
  }
  io.stderr(`${result.reason}\n`);
  return 1;
}

function parseParams(values: string[] | undefined): Record<string, string> | string {
  const params: Record<string, string> = {};
  for (const item of values ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) return `--param must be key=value, got "${item}"`;
    params[item.slice(0, at)] = item.slice(at + 1);
  }
  return params;
}

async function readBody(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`--file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`--file ${path}: not JSON (${(error as Error).message})`);
  }
}

/** Runs `colt <sub> …`; resolves to the exit code. */
export async function runColt(args: string[], io: ColtIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined) {
    io.stdout(COLT_USAGE);
    return sub === undefined && !values.help ? 2 : 0;
  }
  const waitMs = values.wait === undefined ? null : parseDurationMs(values.wait);
  if (values.wait !== undefined && waitMs === null) return usage(io, `--wait must be a duration like 90s, 30m or 2h, got "${values.wait}"`);
  const pollMs = values.poll === undefined ? 2000 : parseDurationMs(values.poll);
  if (pollMs === null) return usage(io, `--poll must be a duration like 2s, got "${values.poll}"`);
  if (waitMs !== null && !isOrderingOperation(sub)) return usage(io, '--wait only follows an ordering command (reserve, cancel-reservation, activate, update-address)');

  const env = parseEnv(io.env, { requireCallbackAuth: false });
  const colt = createColtClientFromEnv(env, { clock: systemClock, logger: createLogger({ level: env.LOG_LEVEL, secrets: secretValues(env, null) }) });
  if (!colt) {
    io.stderr('colt-relay colt: COLT_CLIENT_ID and COLT_CLIENT_SECRET are not set: the Colt API needs client credentials\n');
    return 1;
  }
  const ordering = createOrderingClient(colt);

  if (sub === 'order') {
    if (rest.length !== 1) return usage(io, 'order takes one order id');
    return report(io, await colt.getOrder(rest[0]!));
  }
  if (sub === 'numbers') {
    if (rest.length > 0) return usage(io, 'numbers takes no positional arguments (use --param k=v)');
    const params = parseParams(values.param);
    if (typeof params === 'string') return usage(io, params);
    return report(io, await ordering.listNumbers(params));
  }
  if (!isOrderingOperation(sub)) return usage(io, `unknown command "${sub}"`);
  if (rest.length > 0 || values.file === undefined) return usage(io, `${sub} needs --file <body.json> and nothing else`);
  let body: unknown;
  try {
    body = await readBody(values.file);
  } catch (error) {
    io.stderr(`colt-relay colt: ${(error as Error).message}\n`);
    return 1;
  }
  const answered = await ordering.submit(sub, body);
  const code = report(io, answered);
  if (code !== 0 || waitMs === null) return code;
  const orderId = orderIdOf(answered.ok ? answered.body : null);
  if (!orderId) {
    io.stderr(`${ORDERING_OPERATIONS[sub].label}: Colt's answer carries no order id, so there is no order to wait for\n`);
    return 0;
  }
  return waitAndReport(io, orderId, waitMs, pollMs, values['relay-url']);
}

async function waitAndReport(io: ColtIo, orderId: string, waitMs: number, pollMs: number, relayUrl: string | undefined): Promise<number> {
  const source = await openOutcomeSource(io.env, relayUrl);
  if (typeof source === 'string') {
    io.stderr(`order ${orderId} was placed, but ${source}\n`);
    return WAIT_EXIT.timeout;
  }
  io.stderr(`order ${orderId}: waiting up to ${Math.round(waitMs / 1000)} s for its final status (reading ${source.describe})\n`);
  try {
    const outcome = await waitForFinalStatus(source, orderId, { timeoutMs: waitMs, pollMs, ...io.wait });
    const reason = outcome.reason && outcome.status !== 'completed' ? `; Colt's reason: ${outcome.reason}` : '';
    if (outcome.status === 'timeout') {
      io.stderr(`order ${orderId}: no final status after ${Math.round(waitMs / 1000)} s (last seen: ${outcome.lastSeen})${reason}\n`);
    } else {
      io.stdout(`order ${orderId}: ${outcome.status}${reason}\n`);
    }
    return WAIT_EXIT[outcome.status];
  } catch (error) {
    io.stderr(`order ${orderId} was placed, but waiting for its final status failed: ${(error as Error).message}\n`);
    return WAIT_EXIT.timeout;
  } finally {
    await source.close();
  }
}
