/**
 * `colt-relay silence add | list | expire` (docs/design.md#silences). Like the other operator
 * commands: the store from DATABASE_URL or DATA_DIR, or the running relay's admin API when
 * it holds the PGlite folder. The input is checked here first with the API's own checker,
 * so a typo is refused (exit 2) before any database is opened. Exit 1: not found, refused.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { checkSilenceInput, type SilenceInput } from '../config/silence-input.js';
import { describeMatch, parseMatchText, type SilenceIssue } from '../config/silence-match.js';
import { systemClock } from '../lib/clock.js';
import type { Store } from '../store/db.js';
import { silenceView } from '../http/admin/silences.routes.js';
import { countSuppressed, createSilence, expireSilence, listSilences, type SilenceRow } from '../store/silences.repo.js';
import { withTarget, type OpsIo } from './ops.command.js';
import { COMMAND_USAGE } from './usage.js';
import { apiErrorMessage, type ApiAnswer, type RelayApi } from './ops-target.js';
import { describeArgumentError, parseCommandLine, subcommandProblem } from './args.js';


const SILENCE_USAGE = COMMAND_USAGE['silence']!;

/** The flag each input field comes from, for messages. */
const FLAG_OF: Record<string, string> = {
  match: '--match',
  duration: '--for',
  endsAt: '--until',
  startsAt: '--starts',
  comment: '--comment',
  createdBy: '--author',
};

export async function runSilence(args: string[], io: OpsIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'add') return runAdd(rest, io);
  if (sub === 'list') return runList(rest, io);
  if (sub === 'expire' && rest.length === 1 && !rest[0]!.startsWith('-')) return runExpire(rest[0]!, io);
  const problem = sub === 'expire' ? 'expire takes one silence id' : subcommandProblem(sub, ['add', 'list', 'expire']);
  return usage(io, `colt-relay silence: ${problem}\n\n${SILENCE_USAGE}`);
}

function parseAddArgs(args: string[]) {
  return parseArgs({
    args,
    options: {
      match: { type: 'string', multiple: true },
      for: { type: 'string' },
      until: { type: 'string' },
      starts: { type: 'string' },
      comment: { type: 'string' },
      author: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

function parseAdd(args: string[], io: OpsIo): { ok: true; input: SilenceInput } | { ok: false; message: string } {
  let values: ReturnType<typeof parseAddArgs>;
  try {
    values = parseAddArgs(args);
  } catch (error) {
    return { ok: false, message: describeArgumentError(error, Object.values(FLAG_OF)) };
  }
  const matchText = parseMatchText(values.match ?? []);
  if (!matchText.ok) return { ok: false, message: issuesText(matchText.issues) };
  const author = values.author ?? io.env.USER ?? io.env.LOGNAME ?? safeUserName();
  return {
    ok: true,
    input: {
      // No --match at all: undefined, so the checker says it is required.
      match: (values.match ?? []).length === 0 ? undefined : matchText.match,
      ...(values.for !== undefined && { duration: values.for }),
      ...(values.until !== undefined && { endsAt: values.until }),
      ...(values.starts !== undefined && { startsAt: values.starts }),
      comment: values.comment,
      createdBy: author,
    },
  };
}

function safeUserName(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

function issuesText(issues: readonly SilenceIssue[]): string {
  return issues.map((i) => `  ${FLAG_OF[i.path.split(/[.[]/)[0]!] ?? i.path} (${i.path}): ${i.message}`).join('\n');
}

async function runAdd(args: string[], io: OpsIo): Promise<number> {
  const parsed = parseAdd(args, io);
  if (!parsed.ok) return usage(io, `colt-relay silence add: ${parsed.message.trimStart()}\n\n${SILENCE_USAGE}`);
  const check = checkSilenceInput(parsed.input, systemClock.now());
  if (!check.ok) return usage(io, `colt-relay silence add: the silence is not valid:\n${issuesText(check.issues)}\n`);
  return withTarget(io, 'silence add', {
    direct: async (store, pglite) => {
      const row = await createSilence(store.db, check.silence, new Date(systemClock.now()));
      const after = pglite ? 'no relay runs on DATA_DIR: it applies from its start' : 'running relays apply it within a second';
      io.stdout(`silence ${row.id} created: ${describeMatch(row.match)} until ${row.endsAt.toISOString()}\n${after}\n`);
      return 0;
    },
    viaApi: async (api) => {
      const answer = await api.request('POST', '/api/silences', parsed.input);
      if (answer.status !== 201) return refused(io, answer);
      io.stdout(
        `silence ${String(answer.body.id)} created: ${describeMatch(answer.body.match)} until ${String(answer.body.endsAt)}\n` +
          `(through the running relay's admin API at ${api.url})\n`,
      );
      return 0;
    },
  });
}

interface ListedSilence {
  id: string;
  state: string;
  startsAt: string;
  endsAt: string;
  expiredAt: string | null;
  match: unknown;
  comment: string;
  createdBy: string;
  createdAt: string;
  suppressed: number;
}

/** `silence list [--json]`; `--json` prints what `GET /api/silences` answers: `{ "items": [Silence, …] }`. */
async function runList(args: string[], io: OpsIo): Promise<number> {
  const parsed = parseCommandLine(args, { json: { type: 'boolean' } });
  if (!parsed.ok) return usage(io, `colt-relay silence list: ${parsed.message}\n\n${SILENCE_USAGE}`);
  const print = (items: ListedSilence[], after = '') => {
    if (parsed.values.json) {
      io.stdout(`${JSON.stringify({ items }, null, 2)}\n`);
      io.stderr(after);
      return;
    }
    if (items.length === 0) io.stdout('no silences\n');
    for (const s of items) {
      const window = s.state === 'pending' ? `from ${s.startsAt} until ${s.endsAt}` : s.expiredAt ? `expired ${s.expiredAt}` : `until ${s.endsAt}`;
      io.stdout(`${s.id}  ${s.state.padEnd(7)}  ${window}  ${describeMatch(s.match)}  "${s.comment}" by ${s.createdBy}  (${s.suppressed} suppressed)\n`);
    }
    io.stdout(after);
  };
  return withTarget(io, 'silence list', {
    direct: async (store) => {
      print(await listDirect(store));
      return 0;
    },
    viaApi: async (api) => {
      const answer = await api.request('GET', '/api/silences');
      if (answer.status !== 200) return refused(io, answer);
      print((answer.body as ApiAnswer & { items: ListedSilence[] }).items, through(api));
      return 0;
    },
  });
}

async function listDirect(store: Store): Promise<ListedSilence[]> {
  const rows = await listSilences(store.db);
  const counts = await countSuppressed(store.db, rows.map((r) => r.id));
  const now = new Date(systemClock.now());
  // The admin API's own view: `--json` prints the same shape whichever way the list was read.
  return rows.map((r: SilenceRow) => silenceView(r, now, counts.get(r.id) ?? 0));
}

async function runExpire(id: string, io: OpsIo): Promise<number> {
  return withTarget(io, 'silence expire', {
    direct: async (store) => {
      const result = await expireSilence(store.db, id, new Date(systemClock.now()));
      if (result.kind === 'not_found') return fail(io, `no silence ${id}`);
      if (result.kind === 'ended') {
        const s = result.silence;
        return fail(io, `silence ${id} ${s.expiredAt ? `was expired at ${s.expiredAt.toISOString()}` : `ended at ${s.endsAt.toISOString()}`}: nothing to expire`);
      }
      io.stdout(`silence ${id} expired: matching deliveries are sent again (running relays within a second)\n`);
      return 0;
    },
    viaApi: async (api) => {
      const answer = await api.request('DELETE', `/api/silences/${encodeURIComponent(id)}`);
      if (answer.status !== 200) return refused(io, answer);
      io.stdout(`silence ${id} expired: matching deliveries are sent again ${through(api)}`);
      return 0;
    },
  });
}

const through = (api: RelayApi) => `(through the running relay's admin API at ${api.url})\n`;

/** An API refusal: 400 is the input (exit 2, with the issues), anything else exit 1. */
function refused(io: OpsIo, answer: { status: number; body: ApiAnswer }): number {
  const issues = (answer.body.error as { issues?: SilenceIssue[] } | undefined)?.issues;
  io.stderr(`${apiErrorMessage(answer)}${issues?.length ? `:\n${issuesText(issues)}` : ''}\n`);
  return answer.status === 400 ? 2 : 1;
}

function fail(io: OpsIo, message: string): number {
  io.stderr(`${message}\n`);
  return 1;
}

function usage(io: OpsIo, text: string): number {
  io.stderr(text.endsWith('\n') ? text : `${text}\n`);
  return 2;
}
