/**
 * Test cases for `rules test --tests cases.yaml`: events and the channels they must reach,
 * checked with the same line-accurate problems as the rules file.
 */
import { z } from 'zod';
import { readYaml } from './yaml.js';
import type { PendingProblem } from './yaml.js';
import { parseWith } from './schema.js';
import { placeProblems } from './problems.js';
import type { RuleProblem } from './types.js';

export interface RuleCase {
  name: string;
  /** A callback body, or the path of a JSON file holding one (relative to the cases file). */
  event: Record<string, unknown> | string;
  /** Channel names the event must reach, in any order; `[]` means none. */
  expect: string[];
  /** Overrides the normalised event's `stale` (a raw callback cannot say it is late). */
  stale?: boolean;
  /** Overrides the normalised event's `order`, as if fetched from GET /order. */
  order?: Record<string, unknown>;
}

export type RuleCasesResult = { ok: true; cases: RuleCase[] } | { ok: false; problems: RuleProblem[] };

const caseSchema = z.strictObject({
  name: z.string().trim().min(1, { error: 'must not be empty' }),
  event: z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
    error: 'must be a callback body (a map) or the path of a JSON file',
  }),
  expect: z.array(z.string()),
  stale: z.boolean().optional(),
  order: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Parses a cases file: a list of cases, or a map with a `cases` list.
 * ```yaml
 * cases:
 *   - name: failed activation reaches ops
 *     event: { orderId: "ORD-1", status: failed }
 *     expect: [ops-slack, noc-email, oss]
 * ```
 */
export function parseRuleCases(text: string): RuleCasesResult {
  const yaml = readYaml(text);
  if (yaml.value === undefined) return { ok: false, problems: placeProblems(yaml, yaml.problems) };
  const problems: PendingProblem[] = [];
  const isMap = typeof yaml.value === 'object' && yaml.value !== null && !Array.isArray(yaml.value);
  const list: unknown = isMap ? (yaml.value as Record<string, unknown>).cases : yaml.value;
  const base = isMap ? ['cases'] : [];
  if (!Array.isArray(list) || list.length === 0) {
    problems.push({ path: base, message: 'expected a non-empty list of cases ({ name, event, expect })' });
    return { ok: false, problems: placeProblems(yaml, problems) };
  }
  const cases: RuleCase[] = [];
  const names = new Set<string>();
  list.forEach((item, i) => {
    const parsed = parseWith(caseSchema, item, [...base, i], problems);
    if (parsed && names.has(parsed.name)) problems.push({ path: [...base, i, 'name'], message: `duplicate case name "${parsed.name}"` });
    if (parsed) names.add(parsed.name);
    if (parsed) cases.push(parsed);
  });
  return problems.length > 0 ? { ok: false, problems: placeProblems(yaml, problems) } : { ok: true, cases };
}
