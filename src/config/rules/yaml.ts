/**
 * YAML with positions: parses through the `yaml` document API so every problem found later
 * (by path) can be reported with the line of the node it is about.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node, Scalar } from 'yaml';
import { interpolate } from './interpolate.js';

export type PathSegment = string | number;

/** A problem before it is placed: by document path, or by source offset when known. */
export interface PendingProblem {
  path: readonly PathSegment[];
  message: string;
  /** Source offset; wins over the path lookup. */
  offset?: number;
  /** Point at the key of the last path segment rather than its value (unknown fields). */
  at?: 'key';
}

export interface Position {
  line: number;
  column: number;
}

export interface YamlSource {
  /** The document as plain data, or undefined when syntax errors leave nothing to validate. */
  value: unknown;
  /** Syntax and interpolation problems. */
  problems: PendingProblem[];
  /** `${VAR}` references whose variable is set but empty: valid, but worth a warning. */
  emptyVariables?: PendingProblem[];
  /** Where the node at `path` starts, or the nearest enclosing node when `path` is absent. */
  locate(problem: PendingProblem): Position | undefined;
}

export interface ReadYamlOptions {
  /** Replaces `${VAR}` in string values; `$${VAR}` stays literal as `${VAR}`. Absent: no interpolation. */
  env?: Record<string, string | undefined>;
  /**
   * Under a key of this name, numbers keep the text they were written as (`+44800` stays
   * "+44800", `00123` stays "00123"): match values compare as text.
   */
  numbersAsTextUnder?: string;
}

/** The most aliases one document may expand: guards against "billion laughs" documents. */
const MAX_ALIAS_COUNT = 100;
/** Later syntax errors are mostly echoes of the first ones. */
const MAX_SYNTAX_PROBLEMS = 10;

/**
 * `{` and `}` end a plain scalar inside a flow map, so `{ secret: ${SECRET} }` (the documented
 * example) would not parse. References are shielded before parsing by swapping their braces
 * for private-use characters of the same length (positions stay true) and restored after.
 */
const OPEN = '\uE000';
const CLOSE = '\uE001';
// Only references that cannot span YAML structure (quotes, separators, brackets) are shielded.
const SHIELDABLE = /\$\{([^{}[\],\s"'#:\uE000\uE001]*)\}/g;
const SHIELDED = /\$\uE000([^\uE001]*)\uE001/g;

function shieldReferences(text: string): string {
  return text.replace(SHIELDABLE, (_, name: string) => `$${OPEN}${name}${CLOSE}`);
}

function unshield(value: string): string {
  return value.replace(SHIELDED, (_, name: string) => `\${${name}}`);
}

/**
 * Parses `text` into data with a position index. Syntax errors are reported with their
 * lines and leave `value` undefined, so a broken document is not also reported as invalid.
 */
export function readYaml(text: string, options: ReadYamlOptions = {}): YamlSource {
  const lineCounter = new LineCounter();
  const source = options.env ? shieldReferences(text) : text;
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const locate = (problem: PendingProblem): Position | undefined =>
    problem.offset === undefined ? locatePath(doc, problem, position) : position(problem.offset);

  if (doc.errors.length > 0) {
    const problems: PendingProblem[] = doc.errors
      .slice(0, MAX_SYNTAX_PROBLEMS)
      .map((e) => ({ path: [], offset: e.pos[0], message: syntaxMessage(e, text) }));
    const more = doc.errors.length - MAX_SYNTAX_PROBLEMS;
    if (more > 0) problems.push({ path: [], message: `…and ${more} more YAML syntax errors caused by the ones above` });
    return { value: undefined, problems, locate };
  }
  const problems: PendingProblem[] = [];
  const emptyVariables: PendingProblem[] = [];
  rewriteScalars(doc, options, problems, emptyVariables);
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), problems, emptyVariables, locate };
  } catch (error) {
    problems.push({ path: [], offset: 0, message: `cannot expand the document: ${(error as Error).message}` });
    return { value: undefined, problems, locate };
  }
}

function syntaxMessage(error: { code: string; message: string; pos: [number, number] }, text: string): string {
  if (error.code === 'DUPLICATE_KEY') {
    const key = /^(?:"([^"]*)"|'([^']*)'|([^:#\n]*?))\s*:/.exec(text.slice(error.pos[0]));
    return `duplicate key "${key?.[1] ?? key?.[2] ?? key?.[3] ?? '?'}"`;
  }
  return `YAML syntax: ${unshield(error.message)}`;
}

/** Interpolates `${VAR}` in string values and keeps numbers under `numbersAsTextUnder` as written. */
function rewriteScalars(doc: Document, options: ReadYamlOptions, problems: PendingProblem[], emptyVariables: PendingProblem[]): void {
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key') {
        if (typeof node.value === 'string') node.value = unshield(node.value);
        return;
      }
      if (typeof node.value === 'string' && options.env) {
        const path = pathOf(ancestors, node);
        node.value = interpolate(
          unshield(node.value),
          options.env,
          (message) => problems.push({ path, message, offset: node.range?.[0] }),
          (message) => emptyVariables.push({ path, message, offset: node.range?.[0] }),
        );
      } else if (typeof node.value === 'number' && options.numbersAsTextUnder) {
        if (ancestors.some((a) => isPair(a) && isScalar(a.key) && a.key.value === options.numbersAsTextUnder)) {
          node.value = (node as Scalar).source ?? String(node.value);
        }
      }
    },
  });
}

/** The data path of `node` from the visitor's ancestors: pair keys and sequence indexes. */
function pathOf(ancestors: readonly unknown[], node: unknown): PathSegment[] {
  const chain = [...ancestors, node];
  const path: PathSegment[] = [];
  chain.forEach((ancestor, i) => {
    const child = chain[i + 1];
    if (child === undefined) return;
    if (isPair(ancestor) && isScalar(ancestor.key) && ancestor.value === child) path.push(String(ancestor.key.value));
    else if (isSeq(ancestor)) path.push(ancestor.items.indexOf(child as Node));
  });
  return path;
}

function startOf(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

/** Walks the path as far as it exists and returns the best position for the problem. */
function locatePath(
  doc: Document,
  problem: PendingProblem,
  position: (offset: number) => Position,
): Position | undefined {
  let node: unknown = doc.contents;
  let fallback = startOf(node);
  let keyStart: number | undefined;
  for (const segment of problem.path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return offsetToPosition(fallback, position);
      keyStart = startOf(pair.key);
      // A missing child is reported at the key that leads to its parent (`oss:`).
      fallback = keyStart;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      keyStart = undefined;
      fallback = startOf(node);
    } else {
      return offsetToPosition(fallback, position);
    }
  }
  const offset = problem.at === 'key' ? (keyStart ?? startOf(node)) : (startOf(node) ?? keyStart);
  return offsetToPosition(offset ?? fallback, position);
}

function offsetToPosition(offset: number | undefined, position: (offset: number) => Position): Position | undefined {
  return offset === undefined ? undefined : position(offset);
}
