/**
 * Debian's Prometheus tools as the tests use them: `promtool` to check and unit-test the
 * rules, and a real `prometheus` server scraping a relay. Missing tools fail the tests
 * with the command that installs them, in CI and on a laptop alike: never a silent skip.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The path of `name` on PATH, or an error saying how to install it. */
export function findPrometheusTool(name: 'promtool' | 'prometheus'): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  const where = process.env.CI ? 'CI installs it in .ci/run; that step did not run or failed' : 'the deploy/ tests need it';
  throw new Error(
    `${name} is not on PATH (${where}). Install Debian's Prometheus, which ships promtool and prometheus: ` +
      'apt-get install -y --no-install-recommends prometheus (then stop the service it may start on :9090).',
  );
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `promtool <args>` in `cwd` to its end. */
export function runPromtool(args: string[], cwd?: string): Promise<ToolResult> {
  const promtool = findPrometheusTool('promtool');
  return new Promise((resolve) => {
    execFile(promtool, args, { timeout: 60_000, ...(cwd && { cwd }) }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** A port nobody listens on now (bound and released: good enough on loopback in a test). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningPrometheus {
  /** `http://127.0.0.1:<port>` */
  url: string;
  output(): string;
  /** GET `path` of the HTTP API (`/api/v1/...`), its `data`. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** `host:port` of the relay to scrape (job `colt-relay`, /metrics, every second). */
  target: string;
  /** Rule files, absolute paths. */
  ruleFiles: string[];
}

/**
 * Starts Debian's `prometheus` on a free loopback port with a generated configuration:
 * scrape and rule evaluation every second, storage in a temporary folder removed by stop().
 * Resolves once it answers /-/ready.
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = findPrometheusTool('prometheus');
  const dir = await mkdtemp(join(tmpdir(), 'colt-relay-prometheus-'));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`),
    'scrape_configs:',
    '  - job_name: colt-relay',
    '    static_configs:',
    `      - targets: [${JSON.stringify(options.target)}]`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited ${child.exitCode}:\n${output}`);
    }
    const status = await fetch(`${url}/-/ready`).then((r) => r.status, () => 0);
    if (status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100)); // polling another process: no clock to drive
  }

  return {
    url,
    output: () => output,
    api: async <T>(path: string) => {
      const res = await fetch(url + path);
      const body = (await res.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`GET ${path}: ${res.status} ${body.error ?? ''}`);
      return body.data;
    },
    stop,
  };
}
