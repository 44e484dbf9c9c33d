/**
 * `colt-relay colt …` (docs/colt.md#ordering-from-the-command-line): Colt's API from the command
 * line, through the relay's own client (token, tracking header, error table, retries). Colt's
 * answer goes to stdout as JSON; everything else (the host in use, logs, progress, failures)
 * to stderr. Exit codes: 0 done, 1 Colt refused or the order failed/was cancelled, 2 usage,
 * refused before sending (no chosen Colt environment, `--wait` impossible) or `--wait` timed out.
 */
import { readFile } from 'node:fs/promises';
import { parseEnv, type Env } from '../config/env.js';
import { secretValues } from '../config/secrets.js';
import type { ColtApi, ColtResult } from '../colt/colt.client.js';
import { coltEnvironmentRefusal, describeColtEnvironment } from '../colt/environment.js';
import { createOrderingClient, isOrderingOperation, ORDERING_OPERATIONS, orderIdOf, type OrderingOperation } from '../colt/ordering.client.js';
import { systemClock } from '../lib/clock.js';
import { createLogger } from '../lib/logger.js';
import { createColtClientFromEnv } from '../pipeline.js';
import { parseCommandLine, subcommandProblem, type OptionValues } from './args.js';
import { openOutcomeSource, parseDurationMs, waitForFinalStatus, WAIT_EXIT, type OrderOutcomeSource, type WaitOptions } from './order-wait.js';

export const COLT_USAGE = `usage: colt-relay colt <command>

  order <orderId>                      GET /order/{orderId}
  numbers [--param k=v …]              GET /numberCollection (e.g. --param country=FR --param status=free)
  reserve --file <body.json>           POST /numberCollectionReservation
  cancel-reservation --file <body.json>
                                       POST /numberCollectionReservationCancellation
  activate --file <body.json>          POST /numberCollectionActivation
  update-address --file <body.json>    POST /numberCollectionUpdateCustomerDetails

  --json                one JSON document on stdout (Colt's answer; with --wait also the final
                        status), everything else on stderr
  --wait <duration>     after reserve, activate or update-address (the POSTs that create an
                        order id), wait (e.g. 30m) until the relay holds the order's final status:
                        exit 0 completed, 1 failed or cancelled, 2 timeout. Checked before the
                        order is placed: nothing is placed when the status could not be read
  --relay-url <url>     read the status from this relay's admin API (ADMIN_TOKEN) instead of
                        DATABASE_URL; the default without DATABASE_URL (RELAY_URL, else
                        http://127.0.0.1:$PORT), since a running relay owns its embedded database
  --poll <duration>     how often --wait looks (default 2s)

Uses COLT_CLIENT_ID, COLT_CLIENT_SECRET, COLT_ENV / COLT_API_BASE_URL / COLT_TOKEN_URL as the relay
does. The ordering commands refuse to run while COLT_ENV is unset (unless both URLs are given), and
print the Colt host they talk to on stderr.
`;

export interface ColtIo {
  stdout(s: string): void;
  stderr(s: string): void;
  env: Record<string, string | undefined>;
  /** For tests: the clock and sleep of `--wait`. */
  wait?: Pick<WaitOptions, 'now' | 'sleep'>;
  /** For tests: the client's fetch (a stand-in that records calls). @default globalThis.fetch */
  fetch?: typeof fetch;
}

const OPTIONS = {
  file: { type: 'string' },
  param: { type: 'string', multiple: true },
  wait: { type: 'string' },
  'relay-url': { type: 'string' },
  poll: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Ordering POSTs whose answer carries an order id to wait for (a cancellation creates none). */
const CREATES_ORDER: ReadonlySet<OrderingOperation> = new Set(['reserve', 'activate', 'update-address']);

type Parsed = { values: OptionValues<typeof OPTIONS>; positionals: string[] };

const SUBCOMMANDS = ['order', 'numbers', ...Object.keys(ORDERING_OPERATIONS)];

/** What one run was asked to do, once the arguments are known to be usable. */
interface Plan {
  sub: string;
  rest: string[];
  json: boolean;
  waitMs: number | null;
  pollMs: number;
  relayUrl: string | undefined;
}

function usage(io: ColtIo, problem: string): number {
  io.stderr(`colt-relay colt: ${problem}\n\n${COLT_USAGE}`);
  return 2;
}

const printJson = (io: ColtIo, value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`);

/** Prints Colt's answer (or why it failed); the exit code for it. */
function report(io: ColtIo, result: ColtResult): number {
  if (result.ok) {
    printJson(io, result.body);
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

/** The usable plan, or the usage problem. */
function planOf({ values, positionals }: Parsed): Plan | string {
  const [sub, ...rest] = positionals;
  const waitMs = values.wait === undefined ? null : parseDurationMs(values.wait);
  if (values.wait !== undefined && waitMs === null) return `--wait must be a duration like 90s, 30m or 2h, got "${values.wait}"`;
  const pollMs = values.poll === undefined ? 2000 : parseDurationMs(values.poll);
  if (pollMs === null) return `--poll must be a duration like 2s, got "${values.poll}"`;
  if (waitMs !== null && !(isOrderingOperation(sub!) && CREATES_ORDER.has(sub))) {
    return sub === 'cancel-reservation'
      ? '--wait cannot follow cancel-reservation: a reservation cancellation creates no order id (Colt answers with the numbers), so there is no order to wait for'
      : '--wait only follows an ordering command that creates an order (reserve, activate, update-address)';
  }
  return { sub: sub!, rest, json: values.json ?? false, waitMs, pollMs, relayUrl: values['relay-url'] };
}

/** Runs `colt <sub> …`; resolves to the exit code. */
export async function runColt(args: string[], io: ColtIo): Promise<number> {
  const read = parseCommandLine(args, OPTIONS, { allowPositionals: true });
  if (!read.ok) return usage(io, read.message);
  const parsed: Parsed = read;
  const sub = parsed.positionals[0];
  if (parsed.values.help || sub === undefined) {
    io.stdout(COLT_USAGE);
    return sub === undefined && !parsed.values.help ? 2 : 0;
  }
  if (!SUBCOMMANDS.includes(sub)) return usage(io, subcommandProblem(sub, SUBCOMMANDS));
  const plan = planOf(parsed);
  if (typeof plan === 'string') return usage(io, plan);
  if (plan.sub === 'order' && plan.rest.length !== 1) return usage(io, 'order takes one order id');
  if (plan.sub === 'numbers' && plan.rest.length > 0) return usage(io, 'numbers takes no positional arguments (use --param k=v)');
  const params = parseParams(parsed.values.param);
  if (typeof params === 'string') return usage(io, params);
  if (isOrderingOperation(plan.sub) && (plan.rest.length > 0 || parsed.values.file === undefined)) {
    return usage(io, `${plan.sub} needs --file <body.json> and nothing else`);
  }

  const env = parseEnv(io.env, { requireCallbackAuth: false, requireColtEnvironment: false });
  if (isOrderingOperation(plan.sub)) {
    // Before anything is read or sent: an order placed on a guessed environment looks placed while nothing is live.
    const refusal = coltEnvironmentRefusal(env);
    if (refusal) {
      io.stderr(`colt-relay colt ${plan.sub}: refused, nothing was sent. ${refusal}.\n`);
      return 2;
    }
  }
  const colt = coltClient(env, io);
  if (!colt) {
    io.stderr('colt-relay colt: COLT_CLIENT_ID and COLT_CLIENT_SECRET are not set: the Colt API needs client credentials\n');
    return 1;
  }
  announceEnvironment(io, env, plan.sub);
  if (plan.sub === 'order') return report(io, await colt.getOrder(plan.rest[0]!));
  const ordering = createOrderingClient(colt);
  if (plan.sub === 'numbers') return report(io, await ordering.listNumbers(params));
  return placeOrder(io, ordering, plan as Plan & { sub: OrderingOperation }, parsed.values.file!);
}

/** The relay's client; logs go to stderr, and a 429 is waited out in the call up to COLT_RATE_LIMIT_MAX_WAIT. */
function coltClient(env: Env, io: ColtIo): ColtApi | null {
  // Scrubbed of secret settings like the server's log (config/secrets.ts).
  const logger = createLogger({ level: env.LOG_LEVEL, secrets: secretValues(env, null), destination: { write: (line: string) => io.stderr(line) } });
  return createColtClientFromEnv(env, {
    clock: systemClock,
    logger,
    maxRetryAfterWaitMs: env.COLT_RATE_LIMIT_MAX_WAIT,
    ...(io.fetch && { fetch: io.fetch }),
  });
}

/** On stderr: the Colt host the command talks to, whether it is the sandbox, and contradicting settings. */
function announceEnvironment(io: ColtIo, env: Env, sub: string): void {
  const described = describeColtEnvironment(env);
  const what = isOrderingOperation(sub) ? `POST ${ORDERING_OPERATIONS[sub].path}` : sub === 'order' ? 'GET /order/{orderId}' : 'GET /numberCollection';
  const chosen = described.chosenBy === 'COLT_ENV' ? `COLT_ENV=${env.COLT_ENV}` : described.chosenBy === 'default' ? 'COLT_ENV unset: guessed' : described.chosenBy;
  io.stderr(`colt-relay colt ${sub}: ${what} to ${described.apiHost}, ${described.summary} (${chosen})\n`);
  for (const warning of described.warnings) io.stderr(`colt-relay colt ${sub}: warning: ${warning}\n`);
}

async function placeOrder(io: ColtIo, ordering: ReturnType<typeof createOrderingClient>, plan: Plan & { sub: OrderingOperation }, file: string): Promise<number> {
  let body: unknown;
  try {
    body = await readBody(file);
  } catch (error) {
    io.stderr(`colt-relay colt: ${(error as Error).message}\n`);
    return 1;
  }
  let source: OrderOutcomeSource | null = null;
  if (plan.waitMs !== null) {
    const opened = await openWaitSource(io, plan);
    if (typeof opened === 'number') return opened;
    source = opened;
  }
  try {
    const answered = await ordering.submit(plan.sub, body);
    if (!answered.ok || source === null || plan.waitMs === null) return report(io, answered);
    const orderId = orderIdOf(answered.body);
    if (!orderId) {
      report(io, answered);
      io.stderr(`${ORDERING_OPERATIONS[plan.sub].label}: Colt's answer carries no order id, so there is no order to wait for\n`);
      return 0;
    }
    if (!plan.json) report(io, answered);
    return await waitAndReport(io, source, { orderId, answer: answered.body, waitMs: plan.waitMs, pollMs: plan.pollMs, json: plan.json });
  } finally {
    await source?.close();
  }
}

/**
 * What `--wait` reads, checked before the order is placed (docs/colt.md#ordering-from-the-command-line):
 * an order placed and then not followed is what a script must never get. The exit code when it cannot.
 */
async function openWaitSource(io: ColtIo, plan: Plan): Promise<OrderOutcomeSource | number> {
  const refuse = (why: string) => {
    io.stderr(`colt-relay colt ${plan.sub}: cannot --wait, so nothing was placed at Colt: ${why}\n`);
    return WAIT_EXIT.timeout;
  };
  let source: OrderOutcomeSource | string;
  try {
    source = await openOutcomeSource(io.env, plan.relayUrl);
  } catch (error) {
    return refuse(`the database (DATABASE_URL) cannot be opened: ${(error as Error).message}`);
  }
  if (typeof source === 'string') return refuse(source);
  try {
    await source.check();
  } catch (error) {
    await source.close();
    return refuse((error as Error).message);
  }
  return source;
}

interface Placed {
  orderId: string;
  answer: unknown;
  waitMs: number;
  pollMs: number;
  json: boolean;
}

async function waitAndReport(io: ColtIo, source: OrderOutcomeSource, placed: Placed): Promise<number> {
  const { orderId, waitMs } = placed;
  const seconds = Math.round(waitMs / 1000);
  io.stderr(`order ${orderId}: waiting up to ${seconds} s for its final status (reading ${source.describe})\n`);
  let outcome: Awaited<ReturnType<typeof waitForFinalStatus>>;
  try {
    outcome = await waitForFinalStatus(source, orderId, { timeoutMs: waitMs, pollMs: placed.pollMs, ...io.wait });
  } catch (error) {
    const message = `order ${orderId} was placed, but waiting for its final status failed: ${(error as Error).message}`;
    if (placed.json) printJson(io, { answer: placed.answer, orderId, final: { status: 'unknown', reason: null, error: message } });
    io.stderr(`${message}\n`);
    return WAIT_EXIT.timeout;
  }
  const reason = outcome.reason && outcome.status !== 'completed' ? outcome.reason : null;
  if (placed.json) printJson(io, { answer: placed.answer, orderId, final: { status: outcome.status, lastSeen: outcome.lastSeen, reason } });
  if (outcome.status === 'timeout') {
    io.stderr(`order ${orderId}: no final status after ${seconds} s (last seen: ${outcome.lastSeen})${reason ? `; Colt's reason: ${reason}` : ''}\n`);
  } else if (!placed.json) {
    io.stdout(`order ${orderId}: ${outcome.status}${reason ? `; Colt's reason: ${reason}` : ''}\n`);
  }
  return WAIT_EXIT[outcome.status];
}
