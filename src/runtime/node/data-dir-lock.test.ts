import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirHeldError, LOCK_FILE, readLiveHolder, type LockHolder } from './data-dir-lock.js';

const CHILD = fileURLToPath(new URL('../../../test/support/lock-child.ts', import.meta.url));

/** A pid that surely belongs to no process: one that just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

async function writeStaleLock(dir: string): Promise<LockHolder> {
  const stale: LockHolder = { pid: deadPid(), command: 'colt-relay serve', startedAt: '2026-01-01T00:00:00.000Z', host: hostname(), nonce: 'old' };
  await writeFile(join(dir, LOCK_FILE), JSON.stringify(stale));
  return stale;
}

describe('DATA_DIR lock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colt-relay-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a second taker is refused with the holder named; release frees the folder', async () => {
    const lock = await acquireDataDirLock(dir, { command: 'colt-relay serve', api: { url: 'http://127.0.0.1:1234', adminToken: true } });
    const error = await acquireDataDirLock(dir, { command: 'colt-relay worker' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirHeldError);
    expect((error as Error).message).toContain(`is held by colt-relay serve (pid ${process.pid}`);
    expect(await readLiveHolder(dir)).toMatchObject({ pid: process.pid, command: 'colt-relay serve', api: { url: 'http://127.0.0.1:1234' } });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    expect(await readLiveHolder(dir)).toBeNull();
    const again = await acquireDataDirLock(dir, { command: 'colt-relay worker' });
    await again.release();
  });

  it('a lock left by a dead process is taken over', async () => {
    const stale = await writeStaleLock(dir);
    expect(await readLiveHolder(dir)).toBeNull();
    const lock = await acquireDataDirLock(dir, { command: 'colt-relay serve' });
    const now = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
    expect(now.pid).toBe(process.pid);
    expect(now.nonce).not.toBe(stale.nonce);
    await lock.release();
  });

  it('a lock naming another host is not judged by pid: refused, with what to delete', async () => {
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), command: 'colt-relay serve', startedAt: 'x', host: 'elsewhere', nonce: 'n' }));
    await expect(acquireDataDirLock(dir, { command: 'colt-relay serve' })).rejects.toThrow(/on host elsewhere.*delete .*colt-relay\.lock/);
  });

  it('processes racing to take over the same stale lock: exactly one wins, the others name it', async () => {
    await writeStaleLock(dir);
    const children = Array.from({ length: 4 }, () =>
      spawn(process.execPath, ['--import', 'tsx/esm', CHILD, dir], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    const exits = children.map((child) => new Promise((resolve) => child.once('exit', resolve)));
    const firstLines = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((resolve) => {
            let out = '';
            child.stdout.on('data', (d: Buffer) => {
              out += d.toString();
              if (out.includes('\n')) resolve(out.trim());
            });
            child.stdout.once('end', () => resolve(out.trim()));
          }),
      ),
    );
    const winners = firstLines.filter((l) => l === 'got');
    expect(winners).toHaveLength(1);
    const winnerPid = children[firstLines.indexOf('got')]!.pid;
    for (const line of firstLines.filter((l) => l !== 'got')) expect(line).toContain(`held by lock-child ${winnerPid} (pid ${winnerPid}`);
    for (const child of children) child.stdin.end();
    await Promise.all(exits);
    expect(await readdir(dir)).toEqual([]);
  }, 120_000);
});
