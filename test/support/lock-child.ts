/**
 * A process that tries to take a DATA_DIR lock, for the takeover race test: prints `got`
 * and holds the lock until its stdin closes, or prints `held <message>` and exits.
 */
import { acquireDataDirLock } from '../../src/runtime/node/data-dir-lock.js';

const dir = process.argv[2]!;
try {
  const lock = await acquireDataDirLock(dir, { command: `lock-child ${process.pid}` });
  process.stdout.write('got\n');
  process.stdin.resume();
  process.stdin.on('end', () => void lock.release().then(() => process.exit(0)));
} catch (error) {
  process.stdout.write(`held ${(error as Error).message}\n`);
  process.exit(0);
}
