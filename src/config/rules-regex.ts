/**
 * `{ regex: … }` patterns, compiled once when the rules load. Patterns come from an operator's
 * file, not from callers, but a careless one could still stall the worker on every event
 * (catastrophic backtracking), so length and nested unbounded quantifiers are limited.
 */

/** Longest pattern accepted. */
export const MAX_REGEX_LENGTH = 256;

/** Flags a `/pattern/flags` form may carry; `g` and `y` would make `test()` stateful. */
const ALLOWED_FLAGS = /^[imsu]*$/;

export type CompiledRegex = { regex: RegExp } | { error: string };

/**
 * Compiles `pattern` (plain, or `/pattern/flags`). The pattern searches (`test`), so anchor it
 * with `^…$` to match a whole value. `caseInsensitive` adds `i` (enum fields).
 */
export function compileRegex(pattern: string, caseInsensitive = false): CompiledRegex {
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  const source = literal ? literal[1]! : pattern;
  let flags = literal ? literal[2]! : '';
  if (!ALLOWED_FLAGS.test(flags)) return { error: `unsupported regex flags "${flags}": use i, m, s or u` };
  if (source.length > MAX_REGEX_LENGTH) return { error: `regex is longer than ${MAX_REGEX_LENGTH} characters` };
  if (hasNestedUnboundedQuantifier(source)) {
    return { error: 'regex nests unbounded quantifiers like (a+)+, which can backtrack catastrophically' };
  }
  if (caseInsensitive && !flags.includes('i')) flags += 'i';
  try {
    return { regex: new RegExp(source, flags) };
  } catch (error) {
    return { error: `invalid regex: ${(error as Error).message}` };
  }
}

/** `*`, `+` or `{n,}` at `i`. */
function isUnbounded(source: string, i: number): boolean {
  const c = source[i];
  return c === '*' || c === '+' || (c === '{' && /^\{\d*,\}/.test(source.slice(i)));
}

/**
 * True when a group that contains an unbounded quantifier is itself repeated without bound:
 * `(a+)+`, `(\w*)*`, `(?:x+y*){2,}` — the shape behind most catastrophic backtracking.
 */
export function hasNestedUnboundedQuantifier(source: string): boolean {
  const groups: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(') {
      groups.push(false);
    } else if (c === ')') {
      const innerUnbounded = groups.pop() ?? false;
      if (innerUnbounded && isUnbounded(source, i + 1)) return true;
      if (innerUnbounded && groups.length > 0) groups[groups.length - 1] = true;
    } else if (isUnbounded(source, i) && groups.length > 0) {
      groups[groups.length - 1] = true;
    }
  }
  return false;
}
