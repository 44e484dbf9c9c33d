/** "Did you mean …?" for misspelt names: fields, operators, channels and types in a rules file; commands and options on the command line. */

/** Edits from `a` to `b`: insertions, deletions, substitutions and swaps of two neighbours (`lsit` → `list` is one). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `word` (case-insensitive), if it is close enough to be a typo:
 * at most a third of the word's length in edits, and at least one.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/**
 * ` (did you mean "x"?)`, or an empty string when nothing is close. A dotted word is
 * matched on its first segment (`orders.state` → `order.state`) when `roots` are given.
 */
export function didYouMean(word: string, candidates: readonly string[], roots: readonly string[] = []): string {
  const suggestion = suggest(word, candidates, roots);
  return suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
}

function suggest(word: string, candidates: readonly string[], roots: readonly string[]): string | undefined {
  const dot = word.indexOf('.');
  if (dot > 0 && roots.length > 0) {
    const root = closest(word.slice(0, dot), roots);
    const suggestion = root === undefined ? undefined : `${root}${word.slice(dot)}`;
    return suggestion === word ? undefined : suggestion;
  }
  return closest(word, candidates);
}

/** `a, b or c` for messages that list what is allowed. */
export function oneOf(values: readonly string[]): string {
  if (values.length <= 1) return values.join('');
  return `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/**
 * `unknown field "statu" (did you mean "status"?)`, or with the allowed names listed when
 * nothing is close enough to suggest.
 */
export function unknownName(what: string, word: string, allowed: readonly string[], roots: readonly string[] = []): string {
  const suggestion = suggest(word, allowed, roots);
  return suggestion === undefined
    ? `unknown ${what} "${word}"; expected ${oneOf(allowed)}`
    : `unknown ${what} "${word}" (did you mean "${suggestion}"?)`;
}
