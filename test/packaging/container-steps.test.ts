/**
 * The Dockerfile's runtime stage, performed without Docker (images cannot be pulled here):
 * copy what it copies into a scratch folder (dist/ as the build stage makes it), run its
 * `npm ci --omit=dev`, start its CMD with its ENV, and expect /readyz 200 and its HEALTHCHECK
 * to pass. A file the runtime needs but the Dockerfile does not copy, or a runtime import of
 * a devDependency, fails here.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distIsCurrent } from '../support/cli.js';
import { readRuntimeStage, type RuntimeStage } from './dockerfile.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STEP_TIMEOUT_MS = 240_000;

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, timeout: STEP_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Resolves with the port from the relay's `listening` log line; rejects if it exits first. */
function waitForListening(child: ChildProcess, output: { text: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output.text += chunk.toString();
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const entry = (() => {
          try {
            return JSON.parse(line) as { msg?: string; port?: number };
          } catch {
            return {};
          }
        })();
        if (entry.msg === 'listening' && typeof entry.port === 'number') resolve(entry.port);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output.text += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`the CMD exited (${code}) before listening:\n${output.text}`)));
  });
}

describe('container: the Dockerfile runtime stage, step by step', () => {
  let stage: RuntimeStage;
  let scratch: string;
  let app: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    stage = readRuntimeStage(await readFile(join(ROOT, 'Dockerfile'), 'utf8'));
    scratch = await mkdtemp(join(tmpdir(), 'colt-relay-container-'));
    app = join(scratch, 'app');
    await mkdir(app);
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
    }
    await rm(scratch, { recursive: true, force: true });
  });

  it('is a Node 24 slim image that runs as a non-root user, with a volume for the embedded database', () => {
    expect(stage.base).toMatch(/^node:24(\.\d+){0,2}-slim$/);
    expect(stage.user).toBe('node');
    expect(stage.env.DATA_DIR).toBeDefined();
    expect(stage.volumes).toContain(stage.env.DATA_DIR);
    expect(stage.expose).toContain(stage.env.PORT);
    expect(stage.cmd).toEqual(['node', '--max-semi-space-size=8', '--heap-growing-percent=20', '--liftoff-only', 'bin/colt-relay.mjs', 'serve']);
    expect(stage.healthcheck?.join(' ')).toContain('/readyz');
    expect(stage.stageCopies).toEqual([{ stage: 'build', source: '/app/dist', dest: './dist' }]);
  });

  it('copies, installs production dependencies only, starts, and answers /readyz 200 and its HEALTHCHECK', { timeout: 4 * STEP_TIMEOUT_MS }, async () => {
    // The build stage: `npm run build` (tsc -p tsconfig.build.json) → dist/. When the checkout's
    // dist/ is that build of the sources as they are (`npm ci` runs it; test/support/cli.ts
    // checks), it is copied rather than compiled a second time; its worker/ is wrangler's.
    if (distIsCurrent()) {
      await cp(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true, filter: (source) => source !== join(ROOT, 'dist', 'worker') });
    } else {
      const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
      const build = await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(app, 'dist')], { cwd: ROOT });
      expect(build, build.stdout + build.stderr).toMatchObject({ code: 0 });
    }

    for (const copy of stage.contextCopies) {
      for (const source of copy.sources) {
        const target = copy.dest.endsWith('/') ? join(app, copy.dest, source.split('/').at(-1)!) : join(app, copy.dest);
        await cp(join(ROOT, source), target, { recursive: true });
      }
    }

    const installs = stage.runs.flatMap((r) => r.split('&&').map((s) => s.trim())).filter((s) => s.startsWith('npm ci'));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toContain('--omit=dev');
    // Offline-first: the suite's own `npm ci` has just filled the cache with the same versions.
    const env = { PATH: process.env.PATH!, HOME: process.env.HOME!, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', ...stage.env };
    const install = await run('npm', installs[0]!.split(/\s+/).slice(1), { cwd: app, env });
    expect(install, install.stdout + install.stderr).toMatchObject({ code: 0 });
    // Production only: no TypeScript loader or compiler in the image.
    for (const devOnly of ['tsx', 'typescript', 'vitest', 'wrangler']) expect(existsSync(join(app, 'node_modules', devOnly)), devOnly).toBe(false);

    const dataDir = join(scratch, 'data');
    await mkdir(dataDir);
    const output = { text: '' };
    child = spawn(process.execPath, stage.cmd.slice(1), {
      cwd: app,
      env: { ...env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, CALLBACK_TOKEN: 'container-steps-token-0123456789' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const port = await waitForListening(child, output);

    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status, output.text).toBe(200);

    const [node, ...healthArgs] = stage.healthcheck!;
    expect(node).toBe('node');
    const health = await run(process.execPath, healthArgs, { cwd: app, env: { ...env, PORT: String(port) } });
    expect(health.code, health.stderr).toBe(0);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
