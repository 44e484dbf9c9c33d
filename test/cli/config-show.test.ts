/**
 * `colt-relay config show [--json]` as a user runs it (real processes): every variable with
 * its value in effect and where it came from, the rules source, the Colt environment; every
 * secret variable set to a recognisable value never appears, whole or in part, on stdout or
 * stderr; an invalid configuration shows what parses, lists every problem and exits 1.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigEntry, ConfigReport } from '../../src/cli/config-report.js';
import { VARIABLES, type EnvName } from '../../src/config/env.js';
import { BIN, runCli, type CliResult } from '../support/cli.js';

/** A value nobody would print by chance: `Xyzzy<hex>Plugh`. */
const mark = () => `Xyzzy${randomBytes(10).toString('hex')}Plugh`;

/** Every part of `text` a leak could show: the mark's ends, and each 6-character run of its random middle. */
function leakProbes(values: string[]): string[] {
  const probes = new Set(['Xyzzy', 'Plugh']);
  for (const value of values) {
    for (const hex of value.match(/Xyzzy([0-9a-f]+)Plugh/g) ?? []) {
      const middle = hex.slice(5, -5);
      for (let i = 0; i + 6 <= middle.length; i++) probes.add(middle.slice(i, i + 6));
    }
  }
  return [...probes];
}

function expectNoLeak(result: CliResult, probes: string[]): void {
  const output = result.stdout + result.stderr;
  expect(probes.filter((p) => output.includes(p))).toEqual([]);
}

const SECRET_NAMES = (Object.keys(VARIABLES) as EnvName[]).filter((name) => VARIABLES[name].secret === true);

/** A valid value for each secret variable, made of marks: tokens whole, URLs in user info, password, query and fragment. */
function secretEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of SECRET_NAMES) {
    const token = mark();
    const schema = VARIABLES[name].schema;
    if (name === 'CALLBACK_BASIC_AUTH') env[name] = `${mark()}:${mark()}`;
    else if (name === 'COLT_CLIENT_SECRET') env[name] = `${mark()},${mark()}`;
    else if (schema.safeParse(token).success) env[name] = token;
    else {
      const scheme = ['https', 'postgres', 'smtps'].find((s) => schema.safeParse(`${s}://host.example.com`).success)!;
      env[name] = `${scheme}://${mark()}:${mark()}@host.example.com:4443/base/path?token=${mark()}&key=${mark()}#${mark()}`;
    }
  }
  return { ...env, COLT_CLIENT_ID: 'client-a,client-b', COLT_API_KEY_HEADER: 'X-Api-Key' };
}

const byName = (report: ConfigReport) => Object.fromEntries(report.variables.map((v) => [v.name, v])) as Record<EnvName, ConfigEntry>;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'colt-relay-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('colt-relay config show', () => {
  it('every secret variable set: none of them appears, whole or in part, in the text or the JSON', async () => {
    const secrets = secretEnvironment();
    const env = { ...secrets, PORT: '9999', LOG_LEVEL: 'warn' };
    const [text, json] = await Promise.all([runCli(['config', 'show'], env), runCli(['config', 'show', '--json'], env)]);
    const probes = leakProbes(Object.values(secrets));
    for (const result of [text!, json!]) {
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expectNoLeak(result, probes);
    }
    const report = JSON.parse(json!.stdout) as ConfigReport;
    const vars = byName(report);
    expect(report.variables.map((v) => v.name)).toEqual(Object.keys(VARIABLES));
    for (const name of SECRET_NAMES) expect(vars[name], name).toMatchObject({ source: 'env', secret: true, redacted: true, problem: null });
    expect(vars.DATABASE_URL.value).toBe('postgres://***@host.example.com:4443/base/path?token=***&key=***#***');
    expect(vars.SMTP_URL.value).toBe('smtps://***@host.example.com:4443/base/path?token=***&key=***#***');
    expect(vars.ADMIN_TOKEN.value).toBe('[redacted]');
    expect(vars.CALLBACK_BASIC_AUTH.value).toBe('[redacted]');
    expect(vars.PORT).toMatchObject({ source: 'env', value: '9999', redacted: false, problem: null });
    expect(vars.HOST).toMatchObject({ source: 'default', value: '0.0.0.0' });
    expect(vars.MAIL_FROM).toMatchObject({ source: 'unset', value: null });
    expect(vars.COLT_CLIENT_ID).toMatchObject({ source: 'env', value: 'client-a,client-b' });
    expect(report).toMatchObject({ ok: true, problems: [], colt: { environment: 'custom', credentials: true } });
    expect(text!.stdout).toMatch(/^ {2}DATABASE_URL +env +postgres:\/\/\*\*\*@host\.example\.com:4443\/base\/path\?token=\*\*\*&key=\*\*\*#\*\*\* {2}\(secret\)$/m);
    expect(text!.stdout).toMatch(/^ {2}ADMIN_TOKEN +env +\[redacted\] {2}\(secret\)$/m);
    expect(text!.stdout).toMatch(/^ {2}PORT +env +9999$/m);
  }, 60_000);

  it('an invalid configuration: what parses is shown, every problem listed (across variables too), exit 1, still no secret', async () => {
    const password = mark();
    const basic = mark();
    const env = {
      NODE_ENV: 'production',
      PORT: 'eighty',
      LOG_LEVEL: 'debug',
      DATABASE_URL: `mysql://relay:${password}@db.example.com/relay`,
      CALLBACK_BASIC_AUTH: basic,
      COLT_CLIENT_ID: 'client-a',
    };
    const [text, json] = await Promise.all([runCli(['config', 'show'], env), runCli(['config', 'show', '--json'], env)]);
    for (const result of [text!, json!]) {
      expect(result.code).toBe(1);
      expectNoLeak(result, leakProbes([password, basic]));
    }
    const report = JSON.parse(json!.stdout) as ConfigReport;
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.stringMatching(/^PORT: /),
      'DATABASE_URL: must be a URL starting with postgres:// or postgresql://',
      'CALLBACK_BASIC_AUTH: must be user:password',
      expect.stringContaining('no callback authentication configured'),
      'COLT_CLIENT_ID and COLT_CLIENT_SECRET must be set together',
      expect.stringContaining('COLT_ENV: must be set when NODE_ENV=production and Colt credentials are set'),
    ]);
    const vars = byName(report);
    expect(vars.DATABASE_URL).toMatchObject({ value: 'mysql://***@db.example.com/relay', problem: expect.any(String) });
    expect(vars.CALLBACK_BASIC_AUTH).toMatchObject({ value: '[redacted]', problem: 'must be user:password' });
    expect(vars.LOG_LEVEL).toMatchObject({ source: 'env', value: 'debug', problem: null });
    expect(vars.HOST).toMatchObject({ source: 'default', value: '0.0.0.0', problem: null });
    expect(text!.stdout).toContain('\nProblems:\n  - PORT: ');
    expect(text!.stdout).toMatch(/^ {2}PORT +env +eighty {2}✗ /m);
  }, 60_000);

  it('names the rules source: RULES, RULES_FILE, ./rules.yaml or the built-in rules; invalid rules are a problem', async () => {
    const rules = 'channels:\n  console: { type: log }\nrules:\n  - name: all\n    notify: [console]\n';
    const withFile = await mkdtemp(join(dir, 'rules-'));
    await writeFile(join(withFile, 'rules.yaml'), rules);
    await writeFile(join(withFile, 'mine.yaml'), rules);
    const show = (env: Record<string, string>, cwd?: string) => runCli(['config', 'show', '--json'], env, cwd === undefined ? {} : { cwd });
    const [builtIn, dotRules, named, text, broken] = await Promise.all([
      show({}),
      show({}, withFile),
      show({ RULES_FILE: './mine.yaml' }, withFile),
      show({ RULES: rules }),
      show({ RULES: 'channels: {}\nrules:\n  - name: x\n    notify: [nowhere]\n' }),
    ]);
    const rulesOf = (r: CliResult) => (JSON.parse(r.stdout) as ConfigReport).rules;
    expect(rulesOf(builtIn!)).toMatchObject({ variable: null, origin: 'default', ok: true });
    expect(rulesOf(dotRules!)).toEqual({ variable: null, source: './rules.yaml', origin: 'file', ok: true, problems: 0 });
    expect(rulesOf(named!)).toEqual({ variable: 'RULES_FILE', source: './mine.yaml', origin: 'file', ok: true, problems: 0 });
    expect(rulesOf(text!)).toEqual({ variable: 'RULES', source: 'RULES', origin: 'env', ok: true, problems: 0 });
    expect(broken!.code).toBe(1);
    expect(rulesOf(broken!)).toMatchObject({ variable: 'RULES', ok: false, problems: 1 });
    expect((JSON.parse(broken!.stdout) as ConfigReport).problems).toEqual(['rules (RULES): 1 problem(s); `colt-relay rules check` lists them']);
    // RULES is text that may hold webhook secrets: never shown.
    expect(byName(JSON.parse(text!.stdout) as ConfigReport).RULES).toMatchObject({ source: 'env', value: '[redacted]', redacted: true });
  }, 60_000);

  it('derives the Colt environment: sandbox by default, COLT_ENV, or custom when COLT_API_BASE_URL points elsewhere', async () => {
    const [none, production, mock] = await Promise.all([
      runCli(['config', 'show', '--json'], {}),
      runCli(['config', 'show', '--json'], { COLT_ENV: 'production', COLT_CLIENT_ID: 'a', COLT_CLIENT_SECRET: mark() }),
      runCli(['config', 'show', '--json'], { COLT_API_BASE_URL: 'http://127.0.0.1:4010/numberManagement/inbound/v1' }),
    ]);
    const colt = (r: CliResult) => (JSON.parse(r.stdout) as ConfigReport).colt;
    expect(colt(none!)).toEqual({
      environment: 'sandbox',
      why: 'COLT_ENV is not set: the sandbox',
      apiBaseUrl: 'https://sandbox.apis.colt.net/numberManagement/inbound/v1',
      tokenUrl: 'https://sandbox.apis.colt.net/authentication/v1/oauth/token',
      credentials: false,
      guessed: true,
    });
    expect(colt(production!)).toMatchObject({ environment: 'production', why: 'COLT_ENV=production', apiBaseUrl: 'https://apis.colt.net/numberManagement/inbound/v1', credentials: true, guessed: false });
    const text = await runCli(['config', 'show'], {});
    expect(text.stdout).toContain('guessed: the ordering commands refuse to run until COLT_ENV is set');
    expect(colt(mock!)).toMatchObject({ environment: 'custom', why: expect.stringContaining('points to 127.0.0.1, not a Colt host') });
  }, 60_000);

  it('says which values came from a file node read (--env-file), and that ./.env was not read by the command', async () => {
    const cwd = await mkdtemp(join(dir, 'envfile-'));
    const token = mark();
    await writeFile(join(cwd, 'relay.env'), `PORT=7070\nADMIN_TOKEN=${token}\n`);
    await writeFile(join(cwd, '.env'), 'PORT=6060\n');
    const result = await new Promise<CliResult>((resolve) => {
      execFile(
        process.execPath,
        ['--env-file=relay.env', BIN, 'config', 'show', '--json'],
        { cwd, env: { PATH: process.env.PATH!, LOG_LEVEL: 'warn' } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, ms: 0 }),
      );
    });
    expect(result.code).toBe(0);
    expectNoLeak(result, leakProbes([token]));
    const report = JSON.parse(result.stdout) as ConfigReport;
    const vars = byName(report);
    expect(vars.PORT).toMatchObject({ source: 'env-file', file: 'relay.env', value: '7070' });
    expect(vars.ADMIN_TOKEN).toMatchObject({ source: 'env-file', file: 'relay.env', value: '[redacted]' });
    expect(vars.LOG_LEVEL).toMatchObject({ source: 'env', file: null, value: 'warn' });
    expect(report.envFiles).toEqual([
      { path: 'relay.env', loaded: true },
      { path: '.env', loaded: false },
    ]);
  }, 60_000);

  it('usage errors: exit 2, usage on stderr, a misspelt word answered with the right one', async () => {
    const [typo, sub, missing] = await Promise.all([runCli(['config', 'show', '--jsn']), runCli(['config', 'shw']), runCli(['config'])]);
    expect(typo).toMatchObject({ code: 2, stdout: '' });
    expect(typo!.stderr).toContain('colt-relay config show: unknown option --jsn (did you mean "--json"?)');
    expect(typo!.stderr).toContain('usage: colt-relay config show [--json]');
    expect(sub!.stderr).toContain('unknown subcommand "shw" (did you mean "show"?)');
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing!.stderr).toContain('missing subcommand: one of show');
  }, 60_000);
});
