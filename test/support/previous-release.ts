/**
 * The previous release as its users run it, for the rolling-upgrade test: its commit checked
 * out into a temporary git worktree and installed with `npm ci` (which builds its dist/
 * through `prepare`). When the clone lacks the commit (a shallow CI clone), it is fetched;
 * when that fails the test fails, saying why: it never skips.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreviousRelease } from './migration-policy.js';

/** This checkout. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface InstalledRelease {
  /** The worktree holding the release, installed. */
  dir: string;
  /** Its `colt-relay` bin (bin/colt-relay.mjs, on its dist/). */
  bin: string;
  /** Its drizzle/ folder. */
  migrations: string;
  /** Wall time of checkout and `npm ci`. */
  installMs: number;
  /** Removes the worktree (and git's record of it). */
  remove(): Promise<void>;
}

export interface CommandRun {
  code: number;
  /** stdout then stderr. */
  output: string;
}

/** Runs a command to its end; its exit code and output. */
export function runCommand(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CommandRun> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, output: `${stdout}${stderr}` });
    });
  });
}

const gitIn = (root: string) => (...args: string[]) => runCommand('git', args, { cwd: root });
const git = gitIn(ROOT);
const tail = (text: string) => text.trim().split('\n').slice(-15).join('\n');

/**
 * Makes sure the clone at `root` (this checkout by default) has the release's commit: fetches
 * the full history (a shallow clone) or the commit itself, else throws saying why.
 */
export async function ensureCommit(release: PreviousRelease, root = ROOT): Promise<void> {
  const repo = gitIn(root);
  const has = async () => (await repo('cat-file', '-e', `${release.commit}^{commit}`)).code === 0;
  if (await has()) return;
  const tried: string[] = [];
  const shallow = (await repo('rev-parse', '--is-shallow-repository')).output.trim() === 'true';
  if (shallow) {
    const fetched = await repo('fetch', '--unshallow');
    tried.push(`git fetch --unshallow: ${fetched.code === 0 ? 'done' : tail(fetched.output)}`);
    if (await has()) return;
  }
  const fetched = await repo('fetch', 'origin', release.commit);
  tried.push(`git fetch origin ${release.commit}: ${fetched.code === 0 ? 'done' : tail(fetched.output)}`);
  if (await has()) return;
  throw new Error(
    `the previous release ${release.version} (commit ${release.commit}, test/packaging/previous-release.json) is not in this clone` +
      `${shallow ? ' (a shallow clone)' : ''} and could not be fetched:\n  ${tried.join('\n  ')}\n` +
      'The rolling-upgrade test runs that release against the new migrations: clone with full history (or fetch that commit) and run it again.',
  );
}

/** npm's own variables from an enclosing `npm run` would describe this checkout, not the release's. */
function installEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_(package|lifecycle)_|^INIT_CWD$/.test(key)));
}

/** Checks out and installs the previous release; remove() it afterwards, also after a failure. */
export async function installPreviousRelease(release: PreviousRelease): Promise<InstalledRelease> {
  const started = Date.now();
  await ensureCommit(release);
  const dir = mkdtempSync(join(tmpdir(), `colt-relay-${release.version}-`));
  const remove = async () => {
    await git('worktree', 'remove', '--force', dir);
    rmSync(dir, { recursive: true, force: true });
    await git('worktree', 'prune');
  };
  try {
    const added = await git('worktree', 'add', '--detach', dir, release.commit);
    if (added.code !== 0) throw new Error(`git worktree add ${dir} ${release.commit} failed:\n${tail(added.output)}`);
    const installed = await runCommand('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env: installEnv() });
    if (installed.code !== 0) throw new Error(`npm ci of ${release.version} in ${dir} failed (exit ${installed.code}):\n${tail(installed.output)}`);
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, bin: join(dir, 'bin', 'colt-relay.mjs'), migrations: join(dir, 'drizzle'), installMs: Date.now() - started, remove };
}
