/**
 * Rules as JSON: the compiled form (`colt-relay rules compile`), for those who keep RULES as
 * one line (a Worker's vars, a secret store). Same result shape as the YAML reader, so the
 * same validation applies; problems carry paths but no lines (the JSON is generated).
 */
import { interpolate } from './interpolate.js';
import type { PathSegment, PendingProblem, ReadYamlOptions, YamlSource } from './yaml.js';

/** True when `text` is a JSON object (rules JSON), not YAML. */
export function looksLikeJson(text: string): boolean {
  return text.trimStart().startsWith('{');
}

/** Parses rules JSON; `${VAR}` and `numbersAsTextUnder` work as in the YAML reader. */
export function readJson(text: string, options: ReadYamlOptions = {}): YamlSource {
  const locate = () => undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { value: undefined, problems: [{ path: [], message: `JSON syntax: ${(error as Error).message}` }], locate };
  }
  const problems: PendingProblem[] = [];
  const emptyVariables: PendingProblem[] = [];
  return { value: rewrite(value, [], false, options, { problems, emptyVariables }), problems, emptyVariables, locate };
}

type Found = { problems: PendingProblem[]; emptyVariables: PendingProblem[] };

function rewrite(value: unknown, path: PathSegment[], underNumbersKey: boolean, options: ReadYamlOptions, found: Found): unknown {
  if (typeof value === 'string' && options.env) {
    return interpolate(
      value,
      options.env,
      (message) => found.problems.push({ path, message }),
      (message) => found.emptyVariables.push({ path, message }),
    );
  }
  if (typeof value === 'number' && underNumbersKey) return String(value);
  if (Array.isArray(value)) return value.map((item, i) => rewrite(item, [...path, i], underNumbersKey, options, found));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        rewrite(item, [...path, key], underNumbersKey || key === options.numbersAsTextUnder, options, found),
      ]),
    );
  }
  return value;
}
