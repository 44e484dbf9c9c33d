/**
 * A `colt-relay serve` process of any release (its own bin), for tests that run releases side
 * by side: started with only the environment given, its port read from its `listening` log
 * line, every line it writes kept so a test can look for errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EMPTY_CWD } from './cli.js';

export interface RelayProcess {
  /** A name for messages, e.g. the release. */
  name: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  child: ChildProcess;
  /** Every line written to stdout and stderr so far. */
  lines(): string[];
  /** Lines logged at error level or above, and lines that are not log records (stack traces, crashes). */
  errorLines(): string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM (a graceful stop), SIGKILL after `killAfterMs`; the exit code. */
  stop(killAfterMs?: number): Promise<number | null>;
}

/** pino's number for `error`; `fatal` is 60. */
const ERROR_LEVEL = 50;

function isErrorLine(line: string): boolean {
  try {
    const record = JSON.parse(line) as { level?: unknown };
    return typeof record.level !== 'number' || record.level >= ERROR_LEVEL;
  } catch {
    return true;
  }
}

/** Starts `node <bin> serve` with `env` (and PATH) in an empty folder; resolves once it listens. */
export async function startRelayProcess(name: string, bin: string, env: Record<string, string>, timeoutMs = 60_000): Promise<RelayProcess> {
  const child = spawn(process.execPath, [bin, 'serve'], { env: { PATH: process.env.PATH!, ...env }, cwd: EMPTY_CWD, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let onLine: (line: string) => void = () => {};
  const collect = (stream: NodeJS.ReadableStream) => {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      for (const line of parts.filter((l) => l.trim())) {
        lines.push(line);
        onLine(line);
      }
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not listen within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    onLine = (line) => {
      const record = (() => {
        try {
          return JSON.parse(line) as { msg?: string; port?: number };
        } catch {
          return null;
        }
      })();
      if (record?.msg === 'listening' && typeof record.port === 'number') {
        clearTimeout(timer);
        resolve(record.port);
      }
    };
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited ${code} before listening:\n${lines.join('\n')}`));
    });
  });
  onLine = () => {};
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    lines: () => [...lines],
    errorLines: () => lines.filter(isErrorLine),
    exited,
    stop: async (killAfterMs = 30_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
