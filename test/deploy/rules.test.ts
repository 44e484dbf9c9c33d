/**
 * deploy/prometheus: the alerting rules pass `promtool check rules` and their unit tests
 * (`promtool test rules`); each alert carries a severity, a summary, a description and a
 * runbook link to its section, and its unit tests hold a case where it fires and one where
 * it must not.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readAlertRules, RULES_FILE, RULES_TEST_FILE, RUNBOOKS_FILE } from './deploy-files.js';
import { runPromtool } from './prometheus-tools.js';

const ALERTS = [
  'ColtRelayDown',
  'ColtRelayDeadLetters',
  'ColtRelayChannelDisabled',
  'ColtRelayDeliveriesLate',
  'ColtRelayOrdersOverdue',
  'ColtRelayColtUnreachable',
  'ColtRelayCallbacksRefused',
];

interface RuleTestFile {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

describe('Prometheus alerting rules', () => {
  it('pass promtool check rules', async () => {
    const result = await runPromtool(['check', 'rules', RULES_FILE]);
    expect(result.stdout + result.stderr).toContain(`SUCCESS: ${ALERTS.length} rules found`);
    expect(result.code).toBe(0);
  });

  it('pass their promtool unit tests', async () => {
    // From the rules' folder: the test file names the rules file relative to itself.
    const result = await runPromtool(['test', 'rules', RULES_TEST_FILE], dirname(RULES_TEST_FILE));
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
  });

  it('are the seven alerts, each with a severity, summary, description and runbook link', () => {
    const rules = readAlertRules();
    expect(rules.map((r) => r.alert).sort()).toEqual([...ALERTS].sort());
    for (const rule of rules) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toMatch(/\{\{ *(\$labels\.|\$value|with \$labels|with query)/);
      expect(rule.annotations?.runbook_url, rule.alert).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
    }
  });

  it('have a runbook section per alert under "## Runbooks", whose heading gives the runbook link its anchor', () => {
    const guide = readFileSync(RUNBOOKS_FILE, 'utf8');
    const start = guide.search(/^## Runbooks[ \t]*$/m);
    expect(start, 'a "## Runbooks" section').toBeGreaterThanOrEqual(0);
    const next = guide.slice(start + 1).search(/^## /m);
    const headings = guide
      .slice(start, next === -1 ? undefined : start + 1 + next)
      .split('\n')
      .filter((line) => line.startsWith('### '))
      .map((line) => line.slice(4).trim());
    expect([...headings].sort()).toEqual([...ALERTS].sort());
  });

  it('have unit tests where each alert fires and where it does not', () => {
    const file = parse(readFileSync(RULES_TEST_FILE, 'utf8')) as RuleTestFile;
    const cases = file.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const alert of ALERTS) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${alert} fires in a case`).toBe(true);
      expect(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${alert} stays quiet in a case`).toBe(true);
    }
  });
});
