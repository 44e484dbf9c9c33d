/** Turns pending problems (by path or offset) into RuleProblems with lines, sorted top to bottom. */
import type { RuleProblem } from './types.js';
import type { PathSegment, PendingProblem, YamlSource } from './yaml.js';

/** `rules[2].match.status` from ['rules', 2, 'match', 'status']. */
export function formatPath(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Adds lines and columns from the document, and sorts by position so the list reads top to bottom. */
export function placeProblems(yaml: YamlSource, problems: readonly PendingProblem[]): RuleProblem[] {
  const placed = problems.map((p) => {
    const position = yaml.locate(p);
    const problem: RuleProblem = { path: formatPath(p.path), message: p.message };
    if (position) Object.assign(problem, { line: position.line, column: position.column });
    return problem;
  });
  const order = (p: RuleProblem): number => (p.line ?? 0) * 1e6 + (p.column ?? 0);
  return placed.sort((a, b) => order(a) - order(b));
}

/**
 * One problem per line: `source:line:col  path  message` (`source  path  message` without a line).
 */
export function formatProblems(problems: readonly RuleProblem[], source: string): string {
  return problems
    .map((p) => {
      const where = p.line === undefined ? source : `${source}:${p.line}:${p.column ?? 1}`;
      return `${where}  ${p.path || '(file)'}  ${p.message}`;
    })
    .join('\n');
}
