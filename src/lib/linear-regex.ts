/**
 * A regular-expression matcher whose time is linear in the input: the pattern becomes a
 * Thompson automaton, and matching follows every state at once (Pike's method), so no input
 * can make it backtrack. Answers `test()` only (no captures), which is all the rules need.
 * Plain TypeScript, so it runs on Node and on Workers alike; an RE2 port would add ~45 KiB
 * gzipped to a Workers bundle that has less than 10 KiB to spare.
 */
import { isLineTerminator, isWordChar, parseRegex, RegexSyntaxError, type CodePointTest, type RegexNode } from './linear-regex-parse.js';

export { RegexSyntaxError } from './linear-regex-parse.js';

/** Most automaton states once `{n,m}` repetitions are expanded: bounds the cost per character. */
export const MAX_STATES = 2000;

type AssertKind = 'start' | 'end' | 'word' | 'notWord';
type State =
  | { op: 'char'; test: CodePointTest; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'assert'; kind: AssertKind; next: number }
  | { op: 'match' };

/** Builds the automaton back to front: each node is compiled knowing where it continues. */
function compile(tree: RegexNode): State[] {
  const states: State[] = [{ op: 'match' }];
  const push = (state: State): number => {
    if (states.length >= MAX_STATES) throw new RegexSyntaxError(`regex is too large once its repetitions are expanded (more than ${MAX_STATES} states)`);
    return states.push(state) - 1;
  };
  const emit = (node: RegexNode, next: number): number => {
    switch (node.t) {
      case 'char':
        return push({ op: 'char', test: node.test, next });
      case 'assert':
        return push({ op: 'assert', kind: node.kind, next });
      case 'cat':
        return node.items.reduceRight((continuation, item) => emit(item, continuation), next);
      case 'alt': {
        const starts = node.items.map((item) => emit(item, next));
        return starts.reduceRight((rest, start) => push({ op: 'split', a: start, b: rest }));
      }
      case 'repeat': {
        let tail = next;
        if (node.max === Infinity) {
          const loop = push({ op: 'split', a: -1, b: next });
          (states[loop] as { a: number }).a = emit(node.node, loop);
          tail = loop;
        } else {
          for (let k = node.min; k < node.max; k++) tail = push({ op: 'split', a: emit(node.node, tail), b: next });
        }
        for (let k = 0; k < node.min; k++) tail = emit(node.node, tail);
        return tail;
      }
    }
  };
  const start = emit(tree, 0);
  states.push({ op: 'split', a: start, b: start }); // the entry, last
  return states;
}

const OP_CHAR = 0;
const OP_SPLIT = 1;
const OP_ASSERT = 2;
const OP_MATCH = 3;

/** What assertions can see at a position, as bits: the start/end (of input, or of a line with `m`), and word characters either side. */
const AT_START = 1;
const AT_END = 2;
const WORD_BEFORE = 4;
const WORD_AFTER = 8;
const ASSERTIONS: Record<AssertKind, (context: number) => boolean> = {
  start: (context) => (context & AT_START) !== 0,
  end: (context) => (context & AT_END) !== 0,
  word: (context) => ((context & WORD_BEFORE) !== 0) !== ((context & WORD_AFTER) !== 0),
  notWord: (context) => ((context & WORD_BEFORE) !== 0) === ((context & WORD_AFTER) !== 0),
};

/** A set of automaton states reached together, and where each (code point, context) leads from it. */
interface StateSet {
  states: Int32Array;
  matched: boolean;
  next: Map<number, StateSet>;
}

/** Steps cached per pattern before the cache starts over: bounds memory, whatever the inputs. */
const MAX_CACHED_STEPS = 10_000;

/**
 * A compiled pattern. `flags` may hold i, m, s, u; `g`/`y` make no sense for a yes/no match.
 * Matching follows sets of automaton states (Pike/Thompson), and caches the step from one set
 * to the next (a lazily built DFA, as RE2 does): each character costs one map lookup once seen.
 */
export class LinearRegex {
  private readonly op: Uint8Array;
  private readonly out: Int32Array;
  private readonly alt: Int32Array;
  private readonly tests: (CodePointTest | undefined)[];
  private readonly asserts: (((context: number) => boolean) | undefined)[];
  private readonly entry: number;
  private readonly ignoreCase: boolean;
  private readonly multiline: boolean;
  private sets = new Map<string, StateSet>();
  private cachedSteps = 0;
  private readonly marks: Int32Array;
  private generation = 0;

  /** Throws RegexSyntaxError for what the engine cannot run. */
  constructor(
    readonly source: string,
    readonly flags = '',
  ) {
    const states = compile(parseRegex(source, flags.includes('s')));
    this.op = Uint8Array.from(states, (s) => ({ char: OP_CHAR, split: OP_SPLIT, assert: OP_ASSERT, match: OP_MATCH })[s.op]);
    this.out = Int32Array.from(states, (s) => (s.op === 'split' ? s.a : s.op === 'match' ? -1 : s.next));
    this.alt = Int32Array.from(states, (s) => (s.op === 'split' ? s.b : -1));
    this.tests = states.map((s) => (s.op === 'char' ? s.test : undefined));
    this.asserts = states.map((s) => (s.op === 'assert' ? ASSERTIONS[s.kind] : undefined));
    this.marks = new Int32Array(states.length);
    this.entry = states.length - 1;
    this.ignoreCase = flags.includes('i');
    this.multiline = flags.includes('m');
  }

  /** True when the pattern matches somewhere in `input` (like RegExp.prototype.test). */
  test(input: string): boolean {
    let set = this.step(null, 0, this.context(input, 0));
    if (set.matched) return true;
    for (let at = 0; at < input.length; ) {
      const cp = input.codePointAt(at)!;
      at += cp > 0xffff ? 2 : 1;
      const context = this.context(input, at);
      const key = cp * 16 + context;
      let next = set.next.get(key);
      if (next === undefined) {
        next = this.step(set, cp, context);
        set.next.set(key, next);
        if (++this.cachedSteps >= MAX_CACHED_STEPS) this.forget();
      }
      if (next.matched) return true;
      set = next;
    }
    return false;
  }

  /** Bits of `context` at position `at` of `input`. */
  private context(input: string, at: number): number {
    const before = at > 0 ? input.codePointAt(at - 1 - (at > 1 && isLowSurrogateAt(input, at - 1) ? 1 : 0))! : -1;
    const after = at < input.length ? input.codePointAt(at)! : -1;
    let context = 0;
    if (at === 0 || (this.multiline && isLineTerminator(before))) context |= AT_START;
    if (at === input.length || (this.multiline && isLineTerminator(after))) context |= AT_END;
    if (isWordChar(before)) context |= WORD_BEFORE;
    if (isWordChar(after)) context |= WORD_AFTER;
    return context;
  }

  /**
   * The set after reading `cp` from `from` (null: before the first character), with a new
   * attempt started here too (the search is unanchored), assertions judged by `context`.
   */
  private step(from: StateSet | null, cp: number, context: number): StateSet {
    const reached: number[] = [];
    let matched = false;
    const generation = ++this.generation;
    const follow = (pc: number) => {
      const stack = [pc];
      while (stack.length > 0 && !matched) {
        const i = stack.pop()!;
        if (this.marks[i] === generation) continue;
        this.marks[i] = generation;
        const op = this.op[i];
        if (op === OP_MATCH) matched = true;
        else if (op === OP_SPLIT) stack.push(this.alt[i]!, this.out[i]!);
        else if (op === OP_ASSERT) {
          if (this.asserts[i]!(context)) stack.push(this.out[i]!);
        } else reached.push(i);
      }
    };
    const variants = this.ignoreCase ? caseVariants(cp) : [cp];
    for (const pc of from?.states ?? []) {
      const test = this.tests[pc]!;
      if (variants.some(test)) follow(this.out[pc]!);
    }
    follow(this.entry);
    return this.intern(Int32Array.from(reached.sort((a, b) => a - b)), matched);
  }

  /** Drops the cache; sets still in use by a running test() are collected once it returns. */
  private forget(): void {
    this.sets = new Map();
    this.cachedSteps = 0;
  }

  private intern(states: Int32Array, matched: boolean): StateSet {
    const key = `${matched ? 'm' : ''}${states.join(',')}`;
    let set = this.sets.get(key);
    if (set === undefined) {
      set = { states, matched, next: new Map() };
      this.sets.set(key, set);
    }
    return set;
  }
}

function isLowSurrogateAt(input: string, i: number): boolean {
  const unit = input.charCodeAt(i);
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** A code point with its lower- and upper-case forms (when each is a single code point). */
function caseVariants(cp: number): number[] {
  const text = String.fromCodePoint(cp);
  const variants = [cp];
  for (const form of [text.toLowerCase(), text.toUpperCase()]) {
    const other = form.codePointAt(0)!;
    if (form.length === text.length && other !== cp) variants.push(other);
  }
  return variants;
}
