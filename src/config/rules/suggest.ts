/** "Did you mean …?" for misspelt field, operator, channel and type names in a rules file. */

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
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
