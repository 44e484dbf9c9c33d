/**
 * The pattern language of the rules' `{ regex: … }`: ECMAScript syntax without the features
 * that need backtracking (backreferences, lookaround). Parsed into a small tree that
 * linear-regex.ts turns into an automaton; anything else is refused with its position.
 */

/** A set of code points, tested one at a time. */
export type CodePointTest = (cp: number) => boolean;

export type RegexNode =
  | { t: 'char'; test: CodePointTest }
  | { t: 'assert'; kind: 'start' | 'end' | 'word' | 'notWord' }
  | { t: 'cat'; items: RegexNode[] }
  | { t: 'alt'; items: RegexNode[] }
  | { t: 'repeat'; node: RegexNode; min: number; max: number };

/** A pattern the engine refuses, with the 1-based position of the offending character when there is one. */
export class RegexSyntaxError extends Error {
  constructor(
    message: string,
    readonly position?: number,
  ) {
    super(position === undefined ? message : `at position ${position}: ${message}`);
    this.name = 'RegexSyntaxError';
  }
}

/** Largest count in `{n,m}`: repetition is expanded, so counts cost automaton size. */
export const MAX_REPEAT = 100;

const LINEAR_ONLY = 'regexes here run on a linear-time engine, which has no backreferences or lookaround';

const isDigit: CodePointTest = (cp) => cp >= 48 && cp <= 57;
/** ASCII word characters, as `\w` and `\b` mean in JavaScript. */
export const isWordChar: CodePointTest = (cp) => isDigit(cp) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95;
const SPACES = new Set([9, 10, 11, 12, 13, 32, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);
const isSpace: CodePointTest = (cp) => SPACES.has(cp) || (cp >= 0x2000 && cp <= 0x200a);
/** Line terminators: what `.` skips without `s`, and where `^`/`$` match with `m`. */
export const isLineTerminator: CodePointTest = (cp) => cp === 10 || cp === 13 || cp === 0x2028 || cp === 0x2029;
const not =
  (test: CodePointTest): CodePointTest =>
  (cp) =>
    !test(cp);

const CLASS_ESCAPES: Record<string, CodePointTest> = {
  d: isDigit,
  D: not(isDigit),
  w: isWordChar,
  W: not(isWordChar),
  s: isSpace,
  S: not(isSpace),
};
const CONTROL_ESCAPES: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13 };

/** Parses `source` (the part between the slashes); `dotAll` is the `s` flag. */
export function parseRegex(source: string, dotAll: boolean): RegexNode {
  const chars = Array.from(source);
  let pos = 0;
  const fail = (message: string, at = pos): never => {
    throw new RegexSyntaxError(message, at + 1);
  };
  const peek = () => chars[pos];
  const eat = (c: string) => {
    if (chars[pos] !== c) return false;
    pos++;
    return true;
  };

  function alternation(): RegexNode {
    const items = [sequence()];
    while (eat('|')) items.push(sequence());
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  function sequence(): RegexNode {
    const items: RegexNode[] = [];
    while (pos < chars.length && peek() !== '|' && peek() !== ')') items.push(quantified(atom()));
    return items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  function quantified(node: RegexNode): RegexNode {
    const at = pos;
    const bounds = quantifier();
    if (!bounds) return node;
    if (node.t === 'assert') fail('nothing to repeat', at);
    eat('?'); // lazy or greedy: the same for a yes/no match
    const next = pos;
    if (quantifier()) fail('nothing to repeat', next);
    return { t: 'repeat', node, ...bounds };
  }

  function quantifier(): { min: number; max: number } | null {
    if (eat('*')) return { min: 0, max: Infinity };
    if (eat('+')) return { min: 1, max: Infinity };
    if (eat('?')) return { min: 0, max: 1 };
    const braces = /^\{(\d+)(,(\d*))?\}/.exec(chars.slice(pos, pos + 16).join(''));
    if (!braces) return null; // a lone `{` is a literal, as in JavaScript
    const min = Number(braces[1]);
    const max = braces[2] === undefined ? min : braces[3] === '' ? Infinity : Number(braces[3]);
    if (max < min) fail(`numbers out of order in ${braces[0]}`);
    if (Math.max(min, max === Infinity ? 0 : max) > MAX_REPEAT) fail(`repetition ${braces[0]} is above ${MAX_REPEAT}: use * or +`);
    pos += braces[0].length;
    return { min, max };
  }

  function atom(): RegexNode {
    const at = pos;
    const c = chars[pos++]!;
    switch (c) {
      case '(':
        return group(at);
      case '[':
        return { t: 'char', test: charClass() };
      case '.':
        return { t: 'char', test: dotAll ? () => true : not(isLineTerminator) };
      case '^':
        return { t: 'assert', kind: 'start' };
      case '$':
        return { t: 'assert', kind: 'end' };
      case '\\': {
        const escaped = readEscape(true);
        if (escaped === 'word' || escaped === 'notWord') return { t: 'assert', kind: escaped };
        return typeof escaped === 'number' ? literal(escaped) : { t: 'char', test: escaped };
      }
      case '*':
      case '+':
      case '?':
        return fail('nothing to repeat', at);
      default:
        return literal(c.codePointAt(0)!);
    }
  }

  function group(at: number): RegexNode {
    if (eat('?')) {
      if (eat(':')) {
        // non-capturing
      } else if (peek() === '<' && chars[pos + 1] !== '=' && chars[pos + 1] !== '!') {
        const close = chars.indexOf('>', pos);
        if (close < 0) fail('unterminated group name');
        pos = close + 1; // named group: captures are not reported, so it is a plain group
      } else if (peek() === '=' || peek() === '!' || peek() === '<') {
        fail(`lookaround (?${chars.slice(pos, pos + 2).join('').replace(/[^=!<]/g, '')}…) is not supported: ${LINEAR_ONLY}`, at);
      } else {
        fail('unsupported group (?…): use (…) or (?:…)', at);
      }
    }
    const inner = alternation();
    if (!eat(')')) fail('missing )', at);
    return inner;
  }

  /**
   * After `\`: a code point, a class escape's test, or (outside a class) an assertion.
   * Inside a class `\b` is a backspace, as in JavaScript.
   */
  function readEscape(outsideClass: boolean): number | CodePointTest | 'word' | 'notWord' {
    const at = pos - 1;
    const c = chars[pos++];
    if (c === undefined) return fail('\\ at end of pattern', at);
    if (CLASS_ESCAPES[c]) return CLASS_ESCAPES[c];
    if (c === 'b' && outsideClass) return 'word';
    if (c === 'B' && outsideClass) return 'notWord';
    if (c === 'b') return 8;
    if (CONTROL_ESCAPES[c] !== undefined) return CONTROL_ESCAPES[c];
    if (c === '0' && !isDigit(peek()?.codePointAt(0) ?? 0)) return 0;
    if (/^[1-9]$/.test(c) || (c === 'k' && peek() === '<')) fail(`backreference \\${c} is not supported: ${LINEAR_ONLY}`, at);
    if (c === 'x' || c === 'u') return hexEscape(c, at);
    if (/^[A-Za-z0-9]$/.test(c)) fail(`unsupported escape \\${c}`, at);
    return c.codePointAt(0)!;
  }

  function hexEscape(kind: string, at: number): number {
    const braced = kind === 'u' && /^\{([0-9A-Fa-f]{1,6})\}/.exec(chars.slice(pos, pos + 8).join(''));
    const text = braced ? braced[0] : chars.slice(pos, pos + (kind === 'x' ? 2 : 4)).join('');
    const digits = braced ? braced[1]! : text;
    if (!/^[0-9A-Fa-f]+$/.test(digits) || (!braced && digits.length !== (kind === 'x' ? 2 : 4))) fail(`invalid escape \\${kind}`, at);
    pos += text.length;
    const cp = parseInt(digits, 16);
    return cp > 0x10ffff ? fail(`invalid escape \\${kind}`, at) : cp;
  }

  function literal(cp: number): RegexNode & { t: 'char' } {
    return { t: 'char', test: (x) => x === cp };
  }

  function charClass(): CodePointTest {
    const at = pos - 1;
    const negated = eat('^');
    const parts: CodePointTest[] = [];
    while (peek() !== ']') {
      if (pos >= chars.length) fail('missing ]', at);
      const low = classAtom();
      if (peek() === '-' && chars[pos + 1] !== ']' && chars[pos + 1] !== undefined) {
        pos++;
        const high = classAtom();
        if (typeof low !== 'number' || typeof high !== 'number') return fail('a class escape cannot bound a range', pos - 1);
        if (high < low) fail('range out of order in character class', pos - 1);
        parts.push((cp) => cp >= low && cp <= high);
      } else {
        parts.push(typeof low === 'number' ? (cp) => cp === low : low);
      }
    }
    pos++;
    const inClass: CodePointTest = (cp) => parts.some((test) => test(cp));
    return negated ? not(inClass) : inClass;
  }

  /** One class member: a code point, or a class escape (`\\d`…) as a test. */
  function classAtom(): number | CodePointTest {
    const c = chars[pos++]!;
    if (c !== '\\') return c.codePointAt(0)!;
    const escaped = readEscape(false);
    return typeof escaped === 'string' ? fail('unsupported escape in character class', pos - 2) : escaped;
  }

  const tree = alternation();
  if (pos < chars.length) fail('unmatched )');
  return tree;
}
