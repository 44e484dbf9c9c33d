/**
 * Splits migration SQL into statements for test/support/migration-policy.ts: comments removed,
 * whitespace collapsed, split on `;` and drizzle's `--> statement-breakpoint` outside quotes
 * ('…', "…", $tag$…$tag$), so a hand-written migration with several statements a chunk is read
 * as drizzle-kit's are.
 */

/** The statements of `sql`, each without its `;`, comments or repeated whitespace. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const flush = () => {
    const text = current.replace(/\s+/g, ' ').trim();
    if (text) statements.push(text);
    current = '';
  };
  while (i < sql.length) {
    const rest = sql.slice(i);
    if (rest.startsWith('--')) {
      // Line comments, drizzle's breakpoint marker among them (it also ends a statement).
      const end = sql.indexOf('\n', i);
      if (rest.startsWith('--> statement-breakpoint')) flush();
      i = end < 0 ? sql.length : end + 1;
      current += ' ';
      continue;
    }
    if (rest.startsWith('/*')) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      current += ' ';
      continue;
    }
    const quoted = quotedRun(sql, i);
    if (quoted > i) {
      current += sql.slice(i, quoted);
      i = quoted;
      continue;
    }
    if (sql[i] === ';') flush();
    else current += sql[i];
    i++;
  }
  flush();
  return statements;
}

/** Where the quoted run starting at `i` ends ('…', "…" or a dollar quote), or `i` when none starts there. */
function quotedRun(sql: string, i: number): number {
  const ch = sql[i];
  if (ch === "'" || ch === '"') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === ch && sql[j + 1] === ch) j += 2; // '' or "" inside: an escaped quote
      else if (sql[j] === ch) return j + 1;
      else j++;
    }
    return sql.length;
  }
  const dollar = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64));
  if (dollar) {
    const end = sql.indexOf(dollar[0], i + dollar[0].length);
    return end < 0 ? sql.length : end + dollar[0].length;
  }
  return i;
}

/** Splits `text` on commas outside parentheses and quotes (ALTER TABLE actions, column lists). */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const quoted = quotedRun(text, i);
    if (quoted > i) {
      i = quoted;
      continue;
    }
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  parts.push(text.slice(start).trim());
  return parts.filter(Boolean);
}

/** `"name"` or name, optionally schema-qualified (`"public"."name"`): the bare name. */
export const IDENT = String.raw`(?:(?:"[^"]+"|[A-Za-z_][\w$]*)\.)?(?:"[^"]+"|[A-Za-z_][\w$]*)`;

/** The bare name of an identifier matched by IDENT: quotes and schema removed. */
export function bareName(ident: string): string {
  const last = ident.match(/(?:"[^"]+"|[A-Za-z_][\w$]*)$/)![0];
  return last.startsWith('"') ? last.slice(1, -1) : last.toLowerCase();
}

/** The double-quoted identifiers in `text` (the columns of an index or constraint, as drizzle writes them). */
export function quotedIdentifiers(text: string): string[] {
  return [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}
