/**
 * One process owns an embedded (PGlite) data folder (docs/design.md#runtime-and-packaging). PGlite is
 * single-process: a second writer would corrupt it or, worse, accept writes that the
 * running relay never sees. The owner holds `<DATA_DIR>/colt-relay.lock`, created with
 * O_EXCL, naming its pid, command and (for `serve`) where its admin API listens.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOCK_FILE = 'colt-relay.lock';
/** Held only while a stale lock is being replaced, so two starters cannot both take it over. */
const TAKEOVER_FILE = 'colt-relay.lock.takeover';

/** What the lock file says about its holder. */
export interface LockHolder {
  pid: number;
  /** e.g. `colt-relay serve`. */
  command: string;
  startedAt: string;
  host: string;
  /** `serve` only: the admin API on this machine, for the CLI's maintenance commands. */
  api?: { url: string; adminToken: boolean };
  /** Tells this holding apart from an earlier one by the same pid. */
  nonce: string;
}

/** The folder is held by a live process (or one on another host that cannot be checked). */
export class DataDirHeldError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
    readonly lockPath: string,
  ) {
    super(
      `DATA_DIR ${dataDir} is held by ${describeHolder(holder)}: PGlite allows one process per folder; ` +
        (otherHost(holder) ? `if no relay runs on ${holder.host}, delete ${lockPath}` : 'stop it, use another DATA_DIR, or use Postgres (DATABASE_URL) for several processes'),
    );
    this.name = 'DataDirHeldError';
  }
}

export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  release(): Promise<void>;
}

/** `colt-relay serve (pid 1234, since 2026-…)`, with the host when it is not this one. */
export function describeHolder(holder: LockHolder): string {
  const where = otherHost(holder) ? ` on host ${holder.host}` : '';
  return `${holder.command} (pid ${holder.pid}${where}, since ${holder.startedAt})`;
}

const otherHost = (holder: LockHolder) => holder.host !== hostname();

/** Nonces of the locks this process holds or is taking: its own pid alone cannot tell them from a leftover. */
const ownNonces = new Set<string>();

/** Is the holder still running? Unknown for another host: counted as alive. */
function isAlive(holder: LockHolder): boolean {
  if (otherHost(holder)) return true;
  // A restarted container reuses low pids: a lock naming our pid that we did not take is a leftover.
  if (holder.pid === process.pid) return ownNonces.has(holder.nonce);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<LockHolder | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as LockHolder;
    if (Number.isInteger(parsed.pid)) return parsed;
  } catch {
    // not JSON: reported below as unreadable
  }
  // Only a hand-edited or damaged file gets here (locks are linked into place whole).
  return { pid: -1, command: 'unknown (unreadable lock file)', startedAt: '?', host: hostname(), nonce: text };
}

/** The live holder of the folder, or null when it is free (absent or stale lock). */
export async function readLiveHolder(dataDir: string): Promise<LockHolder | null> {
  const holder = await readHolder(join(dataDir, LOCK_FILE));
  return holder && holder.pid > 0 && isAlive(holder) ? holder : null;
}

/**
 * Creates `path` with `content` only if it does not exist; false when it does. The content
 * is written to a private file first and hard-linked into place (atomic, like O_EXCL), so
 * no reader ever sees a half-written lock.
 */
async function createExclusive(path: string, content: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temp, content, { flag: 'wx' });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temp);
  }
}

/**
 * Replaces a stale lock under the takeover guard: of two starters that both saw the same
 * dead holder, one removes it and creates its own lock, the other then finds that live one.
 */
async function takeOver(dataDir: string, stale: LockHolder, content: string): Promise<boolean> {
  const lockPath = join(dataDir, LOCK_FILE);
  const guardPath = join(dataDir, TAKEOVER_FILE);
  const guardNonce = randomUUID();
  const guard = JSON.stringify({ pid: process.pid, host: hostname(), nonce: guardNonce });
  ownNonces.add(guardNonce);
  if (!(await createExclusive(guardPath, guard))) {
    ownNonces.delete(guardNonce);
    const other = await readHolder(guardPath);
    // Gone already: the other takeover finished between our create and our read; look again.
    if (other === null) return false;
    if (other.pid > 0 && isAlive(other)) return false;
    throw new Error(
      `DATA_DIR ${dataDir}: a takeover of its stale lock was interrupted (${guardPath} names a process that is gone); ` +
        `make sure no relay uses the folder, then delete ${guardPath} and ${lockPath}`,
    );
  }
  try {
    const now = await readHolder(lockPath);
    if (now && (now.nonce !== stale.nonce || now.pid !== stale.pid)) return false;
    if (now) await unlink(lockPath);
    return await createExclusive(lockPath, content);
  } finally {
    await unlink(guardPath);
    ownNonces.delete(guardNonce);
  }
}

/**
 * Takes the folder for this process, creating it if needed; throws DataDirHeldError naming
 * the live holder. A lock left by a dead process is taken over. Released by `release()`,
 * and on process exit as a last resort.
 */
export async function acquireDataDirLock(
  dataDir: string,
  who: { command: string; api?: LockHolder['api'] },
): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    command: who.command,
    startedAt: new Date().toISOString(),
    host: hostname(),
    ...(who.api && { api: who.api }),
    nonce: randomUUID(),
  };
  const content = `${JSON.stringify(holder, null, 2)}\n`;
  ownNonces.add(holder.nonce);
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      if (await createExclusive(path, content)) return heldLock(path, holder);
      const current = await readHolder(path);
      if (current === null) continue; // released between our create and our read
      if (isAlive(current) && current.pid > 0) throw new DataDirHeldError(dataDir, current, path);
      if (await takeOver(dataDir, current, content)) return heldLock(path, holder);
      await sleep(25); // another starter is replacing the same stale lock: read its result
    }
    const current = await readHolder(path);
    throw current ? new DataDirHeldError(dataDir, current, path) : new Error(`DATA_DIR ${dataDir}: could not create ${path}`);
  } catch (error) {
    ownNonces.delete(holder.nonce);
    throw error;
  }
}

function heldLock(path: string, holder: LockHolder): DataDirLock {
  const ours = async () => (await readHolder(path))?.nonce === holder.nonce;
  const onExit = () => {
    try {
      if (readFileSync(path, 'utf8').includes(holder.nonce)) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  let released = false;
  return {
    path,
    holder,
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      if (await ours()) await unlink(path);
      ownNonces.delete(holder.nonce);
    },
  };
}
