/**
 * `colt-relay rules check [file] [--json]` and `colt-relay rules test [file] --event <json> | --tests <yaml> [--json]`
 * (docs/design.md#command-line). Node-only: reads files; everything it decides comes from config/ and route/.
 * The JSON forms are in rules-report.ts.
 */
import { dirname, resolve } from 'node:path';
import type { NormalisedEvent } from '../event/event.js';
import { formatProblems, loadRules, parseRules } from '../config/rules/rules.js';
import type { RuleProblem, RulesConfig, RulesLoad } from '../config/rules/rules.js';
import { parseRuleCases } from '../config/rules/cases.js';
import type { RuleCase } from '../config/rules/cases.js';
import { createRouter } from '../route/router.js';
import { readIfExists } from '../runtime/node/files.js';
import type { Router } from '../route/router.js';
import { channelsReached, describeEvent, explainRoute } from '../route/explain.js';
import type { PreviewOptions, previewEvent } from '../deliver/dry-run.js';
import { parseCommandLine } from './args.js';
import { caseResult, formatCase, previewReport, summaryOf, type CaseResult, type CheckReport, type TestReport } from './rules-report.js';

/** Where the `rules` commands write, and the environment they read. */
export interface RulesCommandIo {
  /** Receives whole lines, newline included: pass `(s) => process.stdout.write(s)`. */
  stdout(s: string): void;
  stderr(s: string): void;
  /** For `RULES`, `RULES_FILE` and `${VAR}` interpolation. */
  env: Record<string, string | undefined>;
  /** Relative paths resolve here. @default process.cwd() */
  cwd?: string;
}

/** Supplied by the main CLI: the receiver's normaliser and the dry run. */
export interface RulesTestDeps {
  /** Raw callback JSON → event (the receiver's normaliser: eventFromCallback). */
  normalise(payload: unknown): NormalisedEvent;
  /** What the event would cause (src/deliver/dry-run.ts, loaded only by `rules test`). */
  preview: typeof previewEvent;
  /** What the channel would send. @default the real channel renderers */
  render?: PreviewOptions['render'];
}

const CHECK_USAGE = 'usage: colt-relay rules check [file] [--json]\n';
const TEST_USAGE = 'usage: colt-relay rules test [file] --event <callback.json> [--at <ISO time>] | --tests <cases.yaml> [--json]\n';
const JSON_OPTION = { json: { type: 'boolean' } } as const;

/**
 * `rules check [file]`: 0 and a one-line summary when the rules are valid; 1 and every
 * problem (`file:line:col  path  message`) otherwise; 2 on a usage error. Without a file,
 * checks what startup would load: `RULES`, else `RULES_FILE`, else ./rules.yaml or the built-in rules.
 * `--json`: a CheckReport on stdout, whatever the outcome (exit codes as without it).
 */
export async function runRulesCheck(args: string[], io: RulesCommandIo): Promise<number> {
  const parsed = parseCommandArgs(args, JSON_OPTION, io, CHECK_USAGE);
  if (!parsed || parsed.positionals.length > 1) return usage(io, CHECK_USAGE);
  const load = await loadFor(parsed.positionals[0], io);
  if (parsed.values.json) return printCheckReport(load, io);
  if (!reportLoad(load, io)) return 1;
  const missing = missingChannelSettings(load.rules, io.env);
  if (missing.length > 0) {
    io.stderr(`${load.source}:\n${missing.map((m) => `  ${m.path}: ${m.message}`).join('\n')}\n`);
    return 1;
  }
  io.stdout(`${load.source}: ok — ${summarise(load.rules)}\n`);
  return 0;
}

function printCheckReport(load: RulesLoad, io: RulesCommandIo): number {
  const summary = load.ok ? summaryOf(load.rules, load.source, load.origin) : null;
  const problems = load.ok ? missingChannelSettings(load.rules, io.env) : load.problems;
  const report: CheckReport = {
    ok: problems.length === 0,
    source: load.source,
    origin: load.origin,
    channels: summary?.channels ?? null,
    rules: summary?.rules ?? null,
    problems,
  };
  io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  return report.ok ? 0 : 1;
}

/** Settings a channel type cannot work without (the rules are valid, the environment is not). */
function missingChannelSettings(rules: RulesConfig, env: Record<string, string | undefined>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const [name, config] of Object.entries(rules.channels)) {
    if (config.type === 'colt-ticket' && !env.COLT_TICKET_API_BASE_URL?.trim()) {
      problems.push({
        path: `channels.${name}`,
        message: "COLT_TICKET_API_BASE_URL is not set; colt-ticket channels need it (Colt does not publish the Trouble Ticket API's base URL)",
      });
    }
  }
  return problems;
}

/**
 * `rules test [file] --event <callback.json>` prints the rules that match, the channels and
 * each channel's rendered message. `--tests <cases.yaml>` runs cases and exits 1 on any mismatch.
 */
export async function runRulesTest(args: string[], io: RulesCommandIo, deps: RulesTestDeps): Promise<number> {
  const options = { event: { type: 'string' }, tests: { type: 'string' }, at: { type: 'string' }, ...JSON_OPTION } as const;
  const parsed = parseCommandArgs(args, options, io, TEST_USAGE);
  if (!parsed || parsed.positionals.length > 1) return usage(io, TEST_USAGE);
  const { event, tests, at: atText, json } = parsed.values;
  if (event === undefined && tests === undefined) return usage(io, TEST_USAGE);
  // Quiet hours depend on when: --at says when the event would be routed (default now).
  const at = atText === undefined ? new Date() : new Date(atText);
  if (Number.isNaN(at.getTime()) || (atText !== undefined && !/^\d{4}-\d{2}-\d{2}T/.test(atText))) {
    io.stderr(`--at: "${atText}" is not an ISO 8601 time like 2026-03-29T00:30:00Z\n${TEST_USAGE}`);
    return 2;
  }
  const load = await loadFor(parsed.positionals[0], io);
  if (!reportLoad(load, io)) return 1;
  if (json) return printTestReport(load, { event, tests, at }, io, deps);
  io.stdout(`rules    ${load.source}: ${summarise(load.rules)}\n`);
  const router = createRouter(load.rules);
  let code = 0;
  if (event !== undefined) code = Math.max(code, await showEvent(event, load.rules, io, deps, at));
  if (tests !== undefined) code = Math.max(code, await runCases(tests, router, io, deps));
  return code;
}

/** `rules test --json`: one TestReport on stdout; unreadable inputs on stderr (exit 1, nothing on stdout). */
async function printTestReport(
  load: RulesLoad & { ok: true },
  asked: { event?: string | undefined; tests?: string | undefined; at: Date },
  io: RulesCommandIo,
  deps: RulesTestDeps,
): Promise<number> {
  const report: TestReport = { rules: summaryOf(load.rules, load.source, load.origin), preview: null, cases: null };
  if (asked.event !== undefined) {
    const event = await readEvent(asked.event, io, deps);
    if (!event) return 1;
    const preview = deps.preview(load.rules, event, { nowMs: Date.now(), at: asked.at, ...(deps.render && { render: deps.render }) });
    report.preview = previewReport(preview, asked.at);
  }
  if (asked.tests !== undefined) {
    const items = await evaluateCases(asked.tests, createRouter(load.rules), io, deps);
    if (!items) return 1;
    const failed = items.filter((c) => !c.ok).length;
    report.cases = { passed: items.length - failed, failed, items };
  }
  io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  const renderFailed = report.preview?.deliveries.some((d) => d.message === null) ?? false;
  return renderFailed || (report.cases?.failed ?? 0) > 0 ? 1 : 0;
}

function parseCommandArgs<O extends Parameters<typeof parseCommandLine>[1]>(args: string[], options: O, io: RulesCommandIo, help: string) {
  const parsed = parseCommandLine(args, options, { allowPositionals: true });
  if (parsed.ok) return parsed;
  io.stderr(`${parsed.message}\n${help}`);
  return undefined;
}

function usage(io: RulesCommandIo, text: string): number {
  io.stderr(text);
  return 2;
}

/** A named file must exist; without one, the startup precedence applies. */
async function loadFor(file: string | undefined, io: RulesCommandIo): Promise<RulesLoad> {
  const reader = (path: string) => readIfExists(resolve(io.cwd ?? process.cwd(), path));
  if (file === undefined) return loadRules({ env: io.env, readFile: reader });
  const text = await reader(file).catch((error: Error) => error);
  if (typeof text === 'string') return { ...parseRules(text, io.env, file), source: file, origin: 'file' };
  const message = text === null ? `rules file ${file} does not exist` : `cannot read ${file}: ${text.message}`;
  return { ok: false, problems: [{ path: '', message }], source: file, origin: 'file' };
}

function reportLoad(load: RulesLoad, io: RulesCommandIo): load is RulesLoad & { ok: true } {
  if (load.ok) return true;
  const count = load.problems.length;
  io.stderr(`${formatProblems(load.problems, load.source)}\n${count} problem${count === 1 ? '' : 's'} in ${load.source}\n`);
  return false;
}

function summarise(rules: RulesConfig): string {
  const channels = Object.keys(rules.channels);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(channels.length, 'channel')} (${channels.join(', ')}), ${plural(rules.rules.length, 'rule')}`;
}

async function readJson(path: string): Promise<unknown> {
  const text = await readIfExists(path);
  if (text === null) throw new Error(`${path} does not exist`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The callback file as the receiver would normalise it; undefined (said on stderr) when it cannot be used. */
async function readEvent(file: string, io: RulesCommandIo, deps: RulesTestDeps): Promise<NormalisedEvent | undefined> {
  try {
    return deps.normalise(await readJson(resolve(io.cwd ?? process.cwd(), file)));
  } catch (error) {
    io.stderr(`cannot use ${file}: ${(error as Error).message}\n`);
    return undefined;
  }
}

async function showEvent(
  file: string,
  rules: RulesConfig,
  io: RulesCommandIo,
  deps: RulesTestDeps,
  at: Date,
): Promise<number> {
  const event = await readEvent(file, io, deps);
  if (!event) return 1;
  const preview = deps.preview(rules, event, { nowMs: Date.now(), at, ...(deps.render && { render: deps.render }) });
  const decisions = preview.deliveries.flatMap((d) => d.decisions.map((line) => `decision ${d.channel}: ${line}`));
  const when = decisions.length > 0 ? [`at       ${at.toISOString()}`] : [];
  io.stdout([`event    ${describeEvent(event)}`, ...explainRoute(preview.route), ...when, ...decisions].join('\n') + '\n');
  let code = 0;
  for (const delivery of preview.deliveries) {
    const header = `\n── ${delivery.channel} (${delivery.channelType}) via ${delivery.rules.join(', ')}\n`;
    const { message } = delivery;
    if (message) {
      io.stdout(`${header}${message.subject === undefined ? '' : `subject: ${message.subject}\n`}${message.text}\n`);
    } else {
      io.stdout(header);
      io.stderr(`cannot render ${delivery.channel}: ${delivery.renderError}\n`);
      code = 1;
    }
  }
  return code;
}

async function runCases(file: string, router: Router, io: RulesCommandIo, deps: RulesTestDeps): Promise<number> {
  const results = await evaluateCases(file, router, io, deps);
  if (!results) return 1;
  for (const result of results) io.stdout(formatCase(result).join('\n') + '\n');
  const failed = results.filter((r) => !r.ok).length;
  io.stdout(`\n${results.length} cases: ${results.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

/** Every case of the file, run; undefined (said on stderr) when the file is missing or invalid. */
async function evaluateCases(file: string, router: Router, io: RulesCommandIo, deps: RulesTestDeps): Promise<CaseResult[] | undefined> {
  const path = resolve(io.cwd ?? process.cwd(), file);
  const text = await readIfExists(path);
  if (text === null) {
    io.stderr(`tests file ${file} does not exist\n`);
    return undefined;
  }
  const parsed = parseRuleCases(text);
  if (!parsed.ok) {
    io.stderr(`${formatProblems(parsed.problems, file)}\n`);
    return undefined;
  }
  const results: CaseResult[] = [];
  for (const testCase of parsed.cases) results.push(await runCase(testCase, dirname(path), router, deps));
  return results;
}

async function runCase(testCase: RuleCase, dir: string, router: Router, deps: RulesTestDeps): Promise<CaseResult> {
  try {
    const payload = typeof testCase.event === 'string' ? await readJson(resolve(dir, testCase.event)) : testCase.event;
    const event = deps.normalise(payload);
    if (testCase.stale !== undefined) event.stale = testCase.stale;
    if (testCase.order !== undefined) event.order = testCase.order;
    return caseResult(testCase.name, testCase.expect, channelsReached(router(event)));
  } catch (error) {
    const none: string[] = [];
    return { name: testCase.name, ok: false, expected: testCase.expect, actual: none, missing: none, unexpected: none, error: (error as Error).message };
  }
}
