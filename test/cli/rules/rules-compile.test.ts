/**
 * `rules compile` and the JSON form of the rules (RULES as one line): compiling the
 * documented example (docs/rules.md) and loading the JSON gives the same rules as loading the YAML.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRules, runRulesCompile } from '../../../src/cli/rules-compile.command.js';
import { formatProblems, parseRules, type RulesConfig } from '../../../src/config/rules/rules.js';
import { captureIo, scratchDir, type Scratch } from './cli-io.js';
import { EXAMPLE_RULES_YAML, WEBHOOK_SECRET } from '../../support/events.js';

const ENV = { OSS_WEBHOOK_SECRET: WEBHOOK_SECRET };

function rulesOf(text: string, env: Record<string, string | undefined> = ENV): RulesConfig {
  const result = parseRules(text, env, 'test');
  if (!result.ok) throw new Error(formatProblems(result.problems, 'test'));
  return result.rules;
}

describe('rules as JSON', () => {
  it('the compiled documented example loads to the same rules as its YAML', () => {
    const json = JSON.stringify(compileRules(EXAMPLE_RULES_YAML));
    expect(json).toContain('${OSS_WEBHOOK_SECRET}');
    expect(json).not.toContain(WEBHOOK_SECRET);
    expect(rulesOf(json)).toEqual(rulesOf(EXAMPLE_RULES_YAML));
  });

  it('keeps $${…} escapes escaped and numbers under match as written', () => {
    const yaml = `channels:
  console: { type: log, text: "cost $\${PRICE} for \${NAME}" }
rules:
  - name: r
    match: { number: [+44800, 00123] }
    notify: [console]
`;
    const compiled = compileRules(yaml) as { channels: { console: { text: string } }; rules: { match: { number: string[] } }[] };
    expect(compiled.channels.console.text).toBe('cost $${PRICE} for ${NAME}');
    expect(compiled.rules[0]!.match.number).toEqual(['+44800', '00123']);
    const json = JSON.stringify(compiled);
    expect(rulesOf(json, { NAME: 'x' })).toEqual(rulesOf(yaml, { NAME: 'x' }));
  });

  it('reports JSON syntax errors and invalid JSON rules with their paths', () => {
    const broken = parseRules('{"channels": {', {}, 'RULES');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.problems[0]!.message).toMatch(/^JSON syntax: /);
    const invalid = parseRules(JSON.stringify({ channels: { c: { type: 'pager' } }, rules: [] }), {}, 'RULES');
    expect(!invalid.ok && invalid.problems.map((p) => p.path)).toContain('channels.c.type');
  });

  it('interpolates ${VAR} in JSON and names a missing variable', () => {
    const json = JSON.stringify(compileRules(EXAMPLE_RULES_YAML));
    const missing = parseRules(json, {}, 'RULES');
    expect(!missing.ok && missing.problems.map((p) => p.message)).toContain('environment variable OSS_WEBHOOK_SECRET is not set');
  });
});

describe('colt-relay rules compile', () => {
  let scratch: Scratch;
  beforeAll(async () => {
    scratch = await scratchDir();
  });
  afterAll(() => scratch.remove());

  it('prints one line of JSON; a secret this shell lacks is a note, and a set one is never printed', async () => {
    const file = await scratch.write('rules.yaml', EXAMPLE_RULES_YAML);
    const withoutSecret = captureIo({}, scratch.dir);
    expect(await runRulesCompile(['rules.yaml'], withoutSecret)).toBe(0);
    expect(withoutSecret.err()).toMatch(/note: .*\$\{OSS_WEBHOOK_SECRET\}.*wrangler secret put OSS_WEBHOOK_SECRET/);
    const withSecret = captureIo(ENV);
    expect(await runRulesCompile([file], withSecret)).toBe(0);
    expect(withSecret.out().trim().split('\n')).toHaveLength(1);
    expect(withSecret.out()).not.toContain(WEBHOOK_SECRET);
    expect(rulesOf(withSecret.out())).toEqual(rulesOf(EXAMPLE_RULES_YAML));
  });

  it('refuses invalid rules with every problem, and a missing file', async () => {
    await scratch.write('bad.yaml', 'channels:\n  c: { type: pager }\nrules: []\n');
    const bad = captureIo({}, scratch.dir);
    expect(await runRulesCompile(['bad.yaml'], bad)).toBe(1);
    expect(bad.out()).toBe('');
    expect(bad.err()).toMatch(/bad\.yaml:2:.*channels\.c\.type/);
    const missing = captureIo({}, scratch.dir);
    expect(await runRulesCompile(['nope.yaml'], missing)).toBe(1);
    expect(missing.err()).toMatch(/rules file nope\.yaml does not exist/);
    expect(await runRulesCompile(['a', 'b'], captureIo())).toBe(2);
  });
});
