/**
 * What `rules check --json` and `rules test --json` print, and the outcome of one `--tests`
 * case, shared by the text and JSON forms. The shapes are documented in docs/operations.md#command-line;
 * fields may be added, none renamed or removed.
 */
import type { RoutePreview } from '../deliver/dry-run.js';
import type { RuleProblem, RulesConfig, RulesOrigin } from '../config/rules/rules.js';

/** The rules a command used: where from, their channels (name and type) and rule names. */
export interface RulesSummary {
  source: string;
  origin: RulesOrigin;
  channels: { name: string; type: string }[];
  rules: string[];
}

/** `rules check --json`: `ok` false with `problems` when the rules (or the settings they need) are not usable. */
export interface CheckReport {
  ok: boolean;
  source: string;
  origin: RulesOrigin;
  /** Null when the rules did not parse. */
  channels: RulesSummary['channels'] | null;
  rules: string[] | null;
  problems: RuleProblem[];
}

/** One `--tests` case: which channels it expected, which it got. */
export interface CaseResult {
  name: string;
  ok: boolean;
  expected: string[];
  actual: string[];
  missing: string[];
  unexpected: string[];
  /** Set when the event could not be read or routed. */
  error: string | null;
}

/** `rules test --json`: the rules, then the `--event` preview and the `--tests` cases (null when not asked for). */
export interface TestReport {
  rules: RulesSummary;
  preview: ReturnType<typeof previewReport> | null;
  cases: { passed: number; failed: number; items: CaseResult[] } | null;
}

export function summaryOf(rules: RulesConfig, source: string, origin: RulesOrigin): RulesSummary {
  return {
    source,
    origin,
    channels: Object.entries(rules.channels).map(([name, config]) => ({ name, type: config.type })),
    rules: rules.rules.map((r) => r.name),
  };
}

/** The `--event` preview as JSON: the same fields as `POST /api/rules/dry-run`, plus `at` and each `renderError`. */
export function previewReport(preview: RoutePreview, at: Date) {
  return {
    at: at.toISOString(),
    event: preview.event,
    matched: preview.route.matched,
    stoppedBy: preview.route.stoppedBy ?? null,
    skippedStale: preview.route.skippedStale,
    deliveries: preview.deliveries.map((d) => ({ ...d, heldUntil: d.heldUntil?.toISOString() ?? null })),
  };
}

/** Compares a case's expected channels with those reached. */
export function caseResult(name: string, expected: string[], actual: string[]): CaseResult {
  const missing = expected.filter((c) => !actual.includes(c));
  const unexpected = actual.filter((c) => !expected.includes(c));
  return { name, ok: missing.length === 0 && unexpected.length === 0, expected, actual, missing, unexpected, error: null };
}

/** `ok    name → channels`, or `FAIL  name` with expected, actual and the difference. */
export function formatCase(result: CaseResult): string[] {
  if (result.error !== null) return [`FAIL  ${result.name}`, `        error:      ${result.error}`];
  const list = (names: string[]) => (names.length > 0 ? names.join(', ') : '(none)');
  if (result.ok) return [`ok    ${result.name} → ${list(result.actual)}`];
  return [
    `FAIL  ${result.name}`,
    `        expected:   ${list(result.expected)}`,
    `        actual:     ${list(result.actual)}`,
    ...(result.missing.length > 0 ? [`        missing:    ${result.missing.join(', ')}`] : []),
    ...(result.unexpected.length > 0 ? [`        unexpected: ${result.unexpected.join(', ')}`] : []),
  ];
}
