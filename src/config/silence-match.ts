/**
 * A silence's `match` (docs/design.md#silences): the rules file's match syntax, checked by the very
 * parser a rule's `match` goes through (rules-match.ts) and compiled by the same matcher
 * (src/route/matcher.ts), so a silence and a rule can never read one match differently.
 * Also the short forms operators type: `field=value` lines (CLI `--match`, dashboard form).
 */
import { parseMatch } from './rules/match.js';
import { formatPath } from './rules/problems.js';
import type { MatchSpec } from './rules/types.js';
import type { PendingProblem } from './rules/yaml.js';

/** One problem with a silence's input: where (`match.status`) and why. */
export interface SilenceIssue {
  path: string;
  message: string;
}

export type SilenceMatchCheck = { ok: true; spec: MatchSpec } | { ok: false; issues: SilenceIssue[] };

/** A match is a few conditions; anything larger is a mistake (or an attack on the dispatcher's memory). */
export const MAX_SILENCE_MATCH_CHARS = 4096;

const EXAMPLE = 'like { "status": "failed", "customerRef": "ACME" }';

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a silence's match and compiles it to a MatchSpec. Unlike a rule's, it must name at
 * least one field: a silence of everything would hide every notification.
 * @param root the name of the input in issue paths.
 */
export function checkSilenceMatch(raw: unknown, root = 'match'): SilenceMatchCheck {
  const fail = (message: string, path = root): SilenceMatchCheck => ({ ok: false, issues: [{ path, message }] });
  if (raw === undefined || raw === null) return fail(`is required: a map of field: condition, ${EXAMPLE}`);
  const clauses = Array.isArray(raw) ? raw : [raw];
  if (clauses.length === 0 || clauses.some((c) => isMap(c) && Object.keys(c).length === 0)) {
    return fail(`names no field: a silence must say what it silences, ${EXAMPLE}`);
  }
  if (JSON.stringify(raw).length > MAX_SILENCE_MATCH_CHARS) return fail(`is longer than ${MAX_SILENCE_MATCH_CHARS} characters`);
  const problems: PendingProblem[] = [];
  const spec = parseMatch(raw, [root], problems);
  if (problems.length > 0 || !spec) {
    return { ok: false, issues: problems.map((p) => ({ path: formatPath(p.path), message: p.message })) };
  }
  return { ok: true, spec };
}

export type MatchTextParse = { ok: true; match: unknown } | { ok: false; issues: SilenceIssue[] };

/**
 * Operator shorthand → a match value for checkSilenceMatch: `field=value` entries (one per
 * line or per `--match`; a field given twice becomes a list, any of them), or a JSON object
 * (`{"customerRef":{"prefix":"AC"}}`) for the operators `=` cannot say.
 */
export function parseMatchText(entries: readonly string[], root = 'match'): MatchTextParse {
  const lines = entries.flatMap((e) => e.split(/\r?\n/)).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 1 && /^[{[]/.test(lines[0]!)) return parseJson(lines[0]!, root);
  if (lines.length > 1 && /^[{[]/.test(lines[0]!)) return parseJson(lines.join('\n'), root);
  const match: Record<string, string | string[]> = {};
  const issues: SilenceIssue[] = [];
  for (const line of lines) {
    const eq = line.indexOf('=');
    const field = eq > 0 ? line.slice(0, eq).trim() : '';
    const value = eq > 0 ? line.slice(eq + 1).trim() : '';
    if (!field || !value) {
      issues.push({ path: root, message: `"${line}" is not field=value (like status=failed or customerRef=ACME)` });
      continue;
    }
    const seen = match[field];
    match[field] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, match };
}

function parseJson(text: string, root: string): MatchTextParse {
  try {
    return { ok: true, match: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, issues: [{ path: root, message: `is not valid JSON: ${(error as Error).message}` }] };
  }
}

/** `status=failed customerRef=ACME` for a stored match: the `=` form where it fits, else JSON. */
export function describeMatch(match: unknown): string {
  if (!isMap(match)) return JSON.stringify(match);
  const parts: string[] = [];
  for (const [field, condition] of Object.entries(match)) {
    if (typeof condition === 'string' || typeof condition === 'number' || typeof condition === 'boolean') parts.push(`${field}=${condition}`);
    else if (Array.isArray(condition) && condition.every((v) => typeof v === 'string')) parts.push(`${field}=${condition.join('|')}`);
    else parts.push(`${field}: ${JSON.stringify(condition)}`);
  }
  return parts.join(' ');
}
