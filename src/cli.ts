/**
 * `colt-relay <command>` (docs/design.md#command-line). Commands load lazily so `send-callback`
 * does not pay for the database driver. `<command> --help` prints that command's usage
 * and does nothing else. Data goes to stdout, everything else to stderr (docs/operations.md#command-line);
 * a misspelt command gets "did you mean …", exit 2.
 */
import { ConfigError } from './config/env.js';
import { parseCommandLine, subcommandProblem, UsageError } from './cli/args.js';
import { COMMAND_USAGE, USAGE, wantsHelp } from './cli/usage.js';
import { didYouMean } from './lib/suggest.js';
import { describeDatabaseFailure, StoreOpenError } from './store/connection-errors.js';
import { VERSION } from './lib/version.js';

type Command = (args: string[]) => Promise<number>;

async function runServer(mode: 'serve' | 'worker', args: string[]): Promise<number> {
  const parsed = parseCommandLine(args, {});
  if (!parsed.ok) return usageError(mode, parsed.message);
  const { startNodeServer } = await import('./runtime/node/server.js');
  const running = await startNodeServer({ env: process.env, mode });
  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
  await running.stop();
  return 0;
}

const io = () => ({ stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s), env: process.env });

const commands: Record<string, Command> = {
  serve: (args) => runServer('serve', args),
  worker: (args) => runServer('worker', args),
  migrate: async (args) => {
    const parsed = parseCommandLine(args, {});
    if (!parsed.ok) return usageError('migrate', parsed.message);
    const { parseEnv } = await import('./config/env.js');
    const { openOwnedStore } = await import('./runtime/node/owned-store.js');
    const env = parseEnv(process.env, { requireCallbackAuth: false });
    const owned = await openOwnedStore(env, { command: 'colt-relay migrate' }, { poolSize: 1 });
    await owned.close();
    console.log(`migrations applied (${env.DATABASE_URL ? 'postgres' : `pglite in ${env.DATA_DIR}`})`);
    return 0;
  },
  'send-callback': async (args) => (await import('./cli/send-callback.command.js')).runSendCallback(args),
  'mock-colt': async (args) => {
    await (await import('./cli/mock-colt.command.js')).runMockColt(args);
    return 0;
  },
  colt: async (args) => (await import('./cli/colt.command.js')).runColt(args, io()),
  replay: async (args) => (await import('./cli/ops.command.js')).runReplay(args, io()),
  deliveries: async (args) => (await import('./cli/ops.command.js')).runDeliveries(args, io()),
  prune: async (args) => (await import('./cli/ops.command.js')).runPrune(args, io()),
  silence: async (args) => (await import('./cli/silence.command.js')).runSilence(args, io()),
  config: async (args) => (await import('./cli/config-show.command.js')).runConfig(args, io()),
  secret: async (args) => (await import('./cli/secret.command.js')).runSecret(args, io()),
  rules: async (args) => {
    const [sub, ...rest] = args;
    const rules = await import('./cli/rules.command.js');
    if (sub === 'check') return rules.runRulesCheck(rest, io());
    if (sub === 'compile') return (await import('./cli/rules-compile.command.js')).runRulesCompile(rest, io());
    if (sub === 'test') {
      const { eventFromCallback, previewEvent } = await import('./deliver/dry-run.js');
      return rules.runRulesTest(rest, io(), { normalise: eventFromCallback, preview: previewEvent });
    }
    return usageError('rules', subcommandProblem(sub, ['check', 'test', 'compile']));
  },
};

/** Top-level words besides the commands, for suggestions. */
const GLOBAL_OPTIONS = ['--help', '--version'];

function usageError(name: string, problem: string): number {
  process.stderr.write(`colt-relay ${name}: ${problem}\n\n${COMMAND_USAGE[name] ?? USAGE}`);
  return 2;
}

async function printHelp(name: string): Promise<void> {
  const text =
    name === 'mock-colt'
      ? (await import('./cli/mock-colt.command.js')).MOCK_COLT_USAGE
      : name === 'colt'
        ? (await import('./cli/colt.command.js')).COLT_USAGE
        : COMMAND_USAGE[name]!;
  process.stdout.write(text);
}

/** The message for a failed command: the database's cause when it was the database. */
function failureMessage(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof StoreOpenError) return error.message;
  const database = describeDatabaseFailure(error);
  return database ? `database: ${database}` : ((error as Error).message ?? String(error));
}

/**
 * Resolves once Node has handed stdout and stderr to the OS: the bin's `process.exit` would
 * otherwise cut piped output at the pipe's 64 KiB (`colt-relay colt numbers … | jq`).
 */
async function outputDrained(): Promise<void> {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writableLength === 0 || stream.destroyed) continue;
    await new Promise<void>((resolve) => {
      stream.once('drain', resolve);
      stream.once('error', resolve);
      stream.once('close', resolve);
    });
  }
}

/** Runs one command; resolves to its exit code once its output is written. */
export async function main(argv: string[]): Promise<number> {
  const code = await runCommand(argv);
  await outputDrained();
  return code;
}

async function runCommand(argv: string[]): Promise<number> {
  const [name = 'serve', ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`colt-relay ${VERSION}\n`);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    const what = name.startsWith('-') ? 'option' : 'command';
    process.stderr.write(`colt-relay: unknown ${what} "${name}"${didYouMean(name, [...Object.keys(commands), ...GLOBAL_OPTIONS])}\n\n${USAGE}`);
    return 2;
  }
  if (wantsHelp(args)) {
    await printHelp(name);
    return 0;
  }
  try {
    return await command(args);
  } catch (error) {
    process.stderr.write(`colt-relay: ${failureMessage(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
