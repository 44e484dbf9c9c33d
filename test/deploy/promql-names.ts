/**
 * The metric names a PromQL expression reads, without a PromQL parser: strings, label
 * matchers, ranges and grouping lists are blanked out, and what is left is numbers,
 * operators, keywords, calls (a name followed by `(`) and metric names. Good for the
 * expressions we ship, which promtool parses separately (rules.test.ts, dashboard.test.ts).
 */

/** Binary operators, modifiers and literals spelled as words: never metric names. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/** Removes what never holds a metric name, keeping the rest's positions readable. */
function blankOut(expr: string): string {
  return (
    expr
      .replace(/#[^\n]*/g, ' ') // comments
      .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings (label values, quantile names)
      .replace(/\{[^}]*\}/g, ' ') // label matchers (hold no braces once strings are gone)
      .replace(/\[[^\]]*\]/g, ' ') // ranges, subqueries, Grafana's $__rate_interval
      // grouping and matching lists: by (a, b), on (), group_left (c)
      .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
  );
}

/** Every metric name `expr` selects, in order of first use. */
export function promqlMetricNames(expr: string): string[] {
  const text = blankOut(expr);
  const names: string[] = [];
  // A number (0.99, 1e3, 0x1f, 5m after offset) is matched first, so its letters are not taken for a name.
  for (const match of text.matchAll(/(\d[\w.]*)|([A-Za-z_:][\w:]*)/g)) {
    const name = match[2];
    if (name === undefined || KEYWORDS.has(name.toLowerCase())) continue;
    const rest = text.slice(match.index + name.length);
    if (/^\s*\(/.test(rest)) continue; // a function or an aggregation: sum(, rate(, histogram_quantile(
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/**
 * The metric names of a Grafana variable query: `label_values(<selector>, <label>)` reads
 * the selector's metric; `label_values(<label>)` and `metrics(...)` read none;
 * `query_result(<expr>)` is an expression.
 */
export function variableQueryMetricNames(query: string): string[] {
  const labelValues = /^\s*label_values\(\s*(.*),\s*\w+\s*\)\s*$/s.exec(query);
  if (labelValues) return promqlMetricNames(labelValues[1]!);
  if (/^\s*(label_values|label_names|metrics)\(/.test(query)) return [];
  const result = /^\s*query_result\((.*)\)\s*$/s.exec(query);
  return promqlMetricNames(result ? result[1]! : query);
}
