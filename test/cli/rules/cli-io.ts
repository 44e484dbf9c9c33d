/** A captured CLI io and a scratch folder for the `rules` command tests. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RulesCommandIo } from '../../../src/cli/rules.command.js';

export interface CapturedIo extends RulesCommandIo {
  out(): string;
  err(): string;
}

export function captureIo(env: Record<string, string | undefined> = {}, cwd?: string): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    env,
    ...(cwd === undefined ? {} : { cwd }),
    out: () => out,
    err: () => err,
  };
}

export interface Scratch {
  dir: string;
  /** Writes `content` to `name` in the folder and returns its absolute path. */
  write(name: string, content: string): Promise<string>;
  remove(): Promise<void>;
}

export async function scratchDir(): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'colt-relay-rules-'));
  return {
    dir,
    write: async (name, content) => {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
