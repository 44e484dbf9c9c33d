/**
 * `{ regex: … }` patterns, compiled once when the rules load. They run on a linear-time engine
 * (src/lib/linear-regex.ts) because the router runs on the receiver's event loop: a pattern
 * like `^(a|aa)+$` must not let one callback stall every other request. What that engine
 * cannot run (backreferences, lookaround) is refused when the rules load.
 */
import { LinearRegex, RegexSyntaxError } from '../../lib/linear-regex.js';

/** Longest pattern accepted. */
export const MAX_REGEX_LENGTH = 256;

/** Characters of a value a regex looks at: a longer value is cut to its first 4 KiB before matching. */
export const MAX_REGEX_INPUT = 4096;

/** Flags a `/pattern/flags` form may carry; `g` and `y` would make `test()` stateful. */
const ALLOWED_FLAGS = /^[imsu]*$/;

/** A loaded `{ regex }`: the pattern as written, and a linear-time test. */
export class RuleRegex {
  constructor(
    /** The pattern as the rules file gives it (`^IN-` or `/^compl/i`). */
    readonly source: string,
    private readonly engine: LinearRegex,
  ) {}

  /** The pattern as written, wherever it is shown. */
  toString(): string {
    return this.source;
  }

  /** Searches the value's first MAX_REGEX_INPUT characters (anchor with `^…$` for a whole value). */
  test(value: string): boolean {
    return this.engine.test(value.length > MAX_REGEX_INPUT ? value.slice(0, MAX_REGEX_INPUT) : value);
  }
}

/** A regex that matches nothing: the stand-in while a rules file has problems. */
export const NEVER_MATCHES = new RuleRegex('', new LinearRegex('[^\\s\\S]'));

export type CompiledRegex = { regex: RuleRegex } | { error: string };

/**
 * Compiles `pattern` (plain, or `/pattern/flags`). The pattern searches, so anchor it with
 * `^…$` to match a whole value. `caseInsensitive` adds `i` (enum fields).
 */
export function compileRegex(pattern: string, caseInsensitive = false): CompiledRegex {
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  const source = literal ? literal[1]! : pattern;
  let flags = literal ? literal[2]! : '';
  if (!ALLOWED_FLAGS.test(flags)) return { error: `unsupported regex flags "${flags}": use i, m, s or u` };
  if (source.length > MAX_REGEX_LENGTH) return { error: `regex is longer than ${MAX_REGEX_LENGTH} characters` };
  if (caseInsensitive && !flags.includes('i')) flags += 'i';
  try {
    return { regex: new RuleRegex(pattern, new LinearRegex(source, flags)) };
  } catch (error) {
    if (error instanceof RegexSyntaxError) return { error: `invalid regex${error.position === undefined ? ':' : ''} ${error.message}` };
    throw error;
  }
}
