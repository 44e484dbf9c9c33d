/**
 * `colt-relay config show [--json]`: the configuration this process would run with (every
 * variable, its value in effect with secrets redacted, and where it came from), the rules
 * source and the Colt environment. Exit 0 when serve would accept it, 1 with every problem
 * listed otherwise, 2 on a usage error. The report is built in config-report.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv as parseDotEnv } from 'node:util';
import { loadRules } from '../config/rules/rules.js';
import { readIfExists } from '../runtime/node/files.js';
import { parseCommandLine, subcommandProblem } from './args.js';
import { buildConfigReport, type ConfigEntry, type ConfigReport } from './config-report.js';
import type { OpsIo } from './ops.command.js';
import { COMMAND_USAGE } from './usage.js';

/** What the command reads besides its io: node's own options (`--env-file`) and the working folder. */
export interface ConfigShowIo extends OpsIo {
  /** @default process.execArgv */
  execArgv?: readonly string[];
  /** @default process.cwd() */
  cwd?: string;
}

export async function runConfig(args: string[], io: ConfigShowIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'show') {
    io.stderr(`colt-relay config: ${subcommandProblem(sub, ['show'])}\n\n${COMMAND_USAGE['config']}`);
    return 2;
  }
  const parsed = parseCommandLine(rest, { json: { type: 'boolean' } });
  if (!parsed.ok) {
    io.stderr(`colt-relay config show: ${parsed.message}\n\n${COMMAND_USAGE['config']}`);
    return 2;
  }
  const report = await readConfig(io);
  io.stdout(parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
}

async function readConfig(io: ConfigShowIo): Promise<ConfigReport> {
  const cwd = io.cwd ?? process.cwd();
  const envFiles = envFilesRead(io.execArgv ?? process.execArgv, cwd);
  const dotEnv = resolve(cwd, '.env');
  const unreadDotEnv = existsSync(dotEnv) && !envFiles.some((f) => resolve(cwd, f.path) === dotEnv) ? '.env' : null;
  const load = await loadRules({ env: io.env, readFile: (path) => readIfExists(resolve(cwd, path)) });
  const rules = { source: load.source, origin: load.origin, ok: load.ok, problems: load.ok ? 0 : load.problems.length };
  return buildConfigReport({ env: io.env, envFiles, unreadDotEnv, rules });
}

const ENV_FILE_FLAG = /^--env-file(?:-if-exists)?(?:=(.*))?$/;

/** The files node read before this process started (`node --env-file=.env …`), with their variables. */
function envFilesRead(execArgv: readonly string[], cwd: string): { path: string; values: Record<string, string> }[] {
  const files: { path: string; values: Record<string, string> }[] = [];
  execArgv.forEach((arg, i) => {
    const flag = ENV_FILE_FLAG.exec(arg);
    const path = flag ? (flag[1] ?? execArgv[i + 1]) : undefined;
    if (path === undefined || !existsSync(resolve(cwd, path))) return;
    files.push({ path, values: parseDotEnv(readFileSync(resolve(cwd, path), 'utf8')) as Record<string, string> });
  });
  return files;
}

/** The text form: one line a variable under its group, then rules, Colt, files, problems and warnings. */
function formatReport(report: ConfigReport): string {
  const width = Math.max(...report.variables.map((v) => v.name.length));
  const fromWidth = Math.max(...report.variables.map((v) => sourceOf(v).length));
  const lines: string[] = [];
  let group = '';
  for (const v of report.variables) {
    if (v.group !== group) {
      group = v.group;
      lines.push(...(lines.length > 0 ? [''] : []), group);
    }
    const problem = v.problem ? `  ✗ ${v.problem}` : '';
    lines.push(`  ${v.name.padEnd(width)}  ${sourceOf(v).padEnd(fromWidth)}  ${v.value ?? '—'}${v.secret ? '  (secret)' : ''}${problem}`);
  }
  const { rules, colt } = report;
  const via = rules.variable === null ? '' : ` (${rules.variable})`;
  lines.push('', `Rules: ${rules.source}${via}${rules.ok ? '' : `: ${rules.problems} problem(s)`}`);
  const credentials = colt.credentials ? 'credentials set' : 'no credentials (COLT_CLIENT_ID/COLT_CLIENT_SECRET): Colt is not called';
  lines.push(`Colt:  ${colt.environment} (${colt.why}): ${colt.apiBaseUrl}, ${credentials}`);
  if (colt.guessed) lines.push('       guessed: the ordering commands refuse to run until COLT_ENV is set (or both COLT_API_BASE_URL and COLT_TOKEN_URL)');
  for (const f of report.envFiles) {
    lines.push(f.loaded ? `Read:  ${f.path}` : `Note:  ${f.path} exists but was not read: the command reads the environment only (npm start reads ./.env)`);
  }
  if (report.problems.length > 0) lines.push('', 'Problems:', ...report.problems.map((p) => `  - ${p}`));
  if (report.warnings.length > 0) lines.push('', 'Warnings:', ...report.warnings.map((w) => `  - ${w}`));
  return `${lines.join('\n')}\n`;
}

/** `env`, `default`, `unset`, or `from <file>`. */
function sourceOf(v: ConfigEntry): string {
  return v.source === 'env-file' ? `from ${v.file}` : v.source;
}
