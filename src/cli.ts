/**
 * `colt-relay <command>` (DESIGN.md §4.7). Commands load lazily so `send-callback`
 * does not pay for the database driver.
 */
import { ConfigError } from './config/env.js';

const USAGE = `usage: colt-relay <command>

  serve                          HTTP receiver and worker (default)
  worker                         worker only
  migrate                        apply database migrations
  rules check [file]             validate the rules; every problem listed
  rules test [file] --event <callback.json> | --tests <cases.yaml>
                                 which rules match, which channels, rendered messages
  rules compile [file]           the rules as JSON, for the Worker's RULES
  mock-colt [--callback-url U …] local Colt simulator (mock-colt --help)
  send-callback <url> [--file F] [--token T] [--basic user:pass] [--hmac-secret S]
                                 post a sample callback
  replay <eventId>               queue the event's deliveries again (a new generation)
  deliveries retry <id>          try a dead or retrying delivery again now
  prune --older-than <n>d|<n>h   delete finished events, old attempts and refused callbacks
`;

type Command = (args: string[]) => Promise<number>;

async function runServer(mode: 'serve' | 'worker'): Promise<number> {
  const { startNodeServer } = await import('./runtime/node.js');
  const running = await startNodeServer({ env: process.env, mode });
  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
  await running.stop();
  return 0;
}

const opsIo = () => ({ stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s), env: process.env });

const commands: Record<string, Command> = {
  serve: () => runServer('serve'),
  worker: () => runServer('worker'),
  migrate: async () => {
    const { parseEnv } = await import('./config/env.js');
    const { openStore } = await import('./store/open.js');
    const env = parseEnv(process.env, { requireCallbackAuth: false });
    const store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
    await store.close();
    console.log(`migrations applied (${env.DATABASE_URL ? 'postgres' : `pglite in ${env.DATA_DIR}`})`);
    return 0;
  },
  'send-callback': async (args) => (await import('./cli/send-callback.command.js')).runSendCallback(args),
  'mock-colt': async (args) => {
    await (await import('./cli/mock-colt.command.js')).runMockColt(args);
    return 0;
  },
  replay: async (args) => (await import('./cli/ops.command.js')).runReplay(args, opsIo()),
  deliveries: async (args) => (await import('./cli/ops.command.js')).runDeliveries(args, opsIo()),
  prune: async (args) => (await import('./cli/ops.command.js')).runPrune(args, opsIo()),
  rules: async (args) => {
    const [sub, ...rest] = args;
    const io = { stdout: (s: string) => process.stdout.write(s), stderr: (s: string) => process.stderr.write(s), env: process.env };
    const rules = await import('./cli/rules.command.js');
    if (sub === 'check') return rules.runRulesCheck(rest, io);
    if (sub === 'compile') return (await import('./cli/rules-compile.command.js')).runRulesCompile(rest, io);
    if (sub === 'test') {
      const { normaliseForRulesTest } = await import('./cli/rules-test-deps.js');
      const { renderMessage } = await import('./deliver/channels/index.js');
      return rules.runRulesTest(rest, io, {
        normalise: normaliseForRulesTest,
        render: (name, config, event) => renderMessage(name, config, event),
      });
    }
    process.stderr.write('usage: colt-relay rules check [file] | rules test [file] --event <json> | --tests <yaml> | rules compile [file]\n');
    return 2;
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name = 'serve', ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command: ${name}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(args);
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : (error as Error).message;
    process.stderr.write(`colt-relay: ${message}\n`);
    return 1;
  }
}
