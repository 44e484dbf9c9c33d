/**
 * The rules file (docs/design.md#rules-file): load it from `RULES` or `RULES_FILE`, interpolate `${VAR}`,
 * validate it with every problem listed (line, field, why). Runtime-free: files are read
 * through an injected reader.
 */
import { readYaml } from './yaml.js';
import { looksLikeJson, readJson } from './json.js';
import type { PathSegment } from './yaml.js';
import { validateRules } from './validate.js';
import { placeProblems } from './problems.js';
import type { RuleProblem, RulesConfig, RulesResult } from './types.js';

export * from './types.js';
export { formatPath, formatProblems } from './problems.js';

/** Where rules come from when neither `RULES` nor `RULES_FILE` is set. */
export const DEFAULT_RULES_FILE = './rules.yaml';

/** Used when no rules are configured and `./rules.yaml` does not exist: every event to the log. */
export const DEFAULT_RULES_YAML = `# Built-in rules: used when RULES is unset and ./rules.yaml does not exist.
channels:
  console: { type: log }
rules:
  - name: everything-to-log
    notify: [console]
`;

/**
 * Parses and validates rules text. `${VAR}` is replaced from `env` before validation.
 * Every problem is returned at once, each with the line of the node it is about.
 * @param source names the text in messages, e.g. the file path or `RULES`.
 */
export function parseRules(text: string, env: Record<string, string | undefined>, source = 'rules.yaml'): RulesResult {
  // Workers build the pipeline per invocation from the same RULES text: parse it once per isolate.
  const key = `${source}\u0000${text}\u0000${JSON.stringify(env)}`;
  if (lastParse?.key === key) return lastParse.result;
  const result = parseRulesUncached(text, env, source);
  lastParse = { key, result };
  return result;
}

let lastParse: { key: string; result: RulesResult } | undefined;

function parseRulesUncached(text: string, env: Record<string, string | undefined>, source: string): RulesResult {
  // JSON is the compiled form (`rules compile`); both runtimes read either.
  const read = looksLikeJson(text) ? readJson : readYaml;
  const yaml = read(text, { env, numbersAsTextUnder: 'match' });
  if (yaml.value === undefined && yaml.problems.length > 0) return { ok: false, problems: placeProblems(yaml, yaml.problems) };
  const validation = validateRules(yaml.value, source);
  // A missing ${VAR} is the cause; "secret is invalid" at the same place would be noise.
  const interpolated = yaml.problems.map((p) => pathKey(p.path));
  const consequences = validation.problems.filter((p) => !interpolated.some((key) => pathKey(p.path).startsWith(key)));
  const problems = [...yaml.problems, ...consequences];
  if (problems.length > 0 || !validation.rules) {
    const placed = placeProblems(yaml, problems);
    return { ok: false, problems: placed.length > 0 ? placed : [{ path: '', message: `${source} is not valid` }] };
  }
  const emptyVariables = placeProblems(yaml, yaml.emptyVariables ?? []);
  return { ok: true, rules: validation.rules, ...(emptyVariables.length > 0 && { emptyVariables }) };
}

/**
 * The built-in rules: one `log` channel `console` and the catch-all rule `everything-to-log`
 * (DEFAULT_RULES_YAML, as data: the Worker has no YAML reader).
 */
export function defaultRules(): RulesConfig {
  const validation = validateRules(
    { channels: { console: { type: 'log' } }, rules: [{ name: 'everything-to-log', notify: ['console'] }] },
    'built-in rules',
  );
  if (!validation.rules) throw new Error('the built-in rules are invalid');
  return validation.rules;
}

function pathKey(path: readonly PathSegment[]): string {
  return path.map((s) => `${s}\u0000`).join('');
}

/** Where loaded rules came from: `RULES` text, a file, or the built-in default. */
export type RulesOrigin = 'env' | 'file' | 'default';

/** Loaded rules (or every problem), with where they came from. */
export type RulesLoad = (
  | { ok: true; rules: RulesConfig; emptyVariables?: RuleProblem[] }
  | { ok: false; problems: RuleProblem[] }
) & {
  /** For messages: `RULES`, the file path, or `built-in default (./rules.yaml not found)`. */
  source: string;
  origin: RulesOrigin;
};

/** Inputs of loadRules; the reader is injected so this runs on Workers too. */
export interface LoadRulesOptions {
  /** Rules as YAML text (`RULES`); wins over `file`. @default env.RULES */
  text?: string;
  /** Rules file path (`RULES_FILE`). @default env.RULES_FILE, else ./rules.yaml */
  file?: string;
  /** For `${VAR}` interpolation. */
  env: Record<string, string | undefined>;
  /** Reads a file; resolves to null when it does not exist. */
  readFile(path: string): Promise<string | null>;
}

/**
 * Loads rules with the precedence of docs/design.md#configuration: `RULES` text, else `RULES_FILE`, else
 * `./rules.yaml`. When that default file does not exist the built-in rules apply (origin
 * `default`); a file that was configured (any other path) and is missing is a problem.
 */
export async function loadRules(options: LoadRulesOptions): Promise<RulesLoad> {
  const text = options.text ?? options.env.RULES;
  if (text !== undefined && text.trim() !== '') {
    return { ...parseRules(text, options.env, 'RULES'), source: 'RULES', origin: 'env' };
  }
  const configured = options.file ?? options.env.RULES_FILE;
  const file = configured === undefined || configured.trim() === '' ? DEFAULT_RULES_FILE : configured;
  let content: string | null;
  try {
    content = await options.readFile(file);
  } catch (error) {
    const problems = [{ path: '', message: `cannot read ${file}: ${(error as Error).message}` }];
    return { ok: false, problems, source: file, origin: 'file' };
  }
  if (content !== null) return { ...parseRules(content, options.env, file), source: file, origin: 'file' };
  if (isDefaultFile(file)) {
    return { ok: true, rules: defaultRules(), source: `built-in default (${file} not found)`, origin: 'default' };
  }
  return { ok: false, problems: [{ path: '', message: `rules file ${file} does not exist` }], source: file, origin: 'file' };
}

function isDefaultFile(file: string): boolean {
  return file.replace(/^\.\//, '') === DEFAULT_RULES_FILE.replace(/^\.\//, '');
}
