/**
 * The `{{field}}` placeholder syntax of the rules file's templates: deliver/ renders it,
 * config/ checks the fields a template names without knowing deliver/.
 */

/** One `{{ field.path }}` placeholder; global, so use it with `replace`/`matchAll`. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

/** The placeholder paths a template uses: lets `rules check` flag typos. */
export function templateFields(template: string): string[] {
  return Array.from(template.matchAll(PLACEHOLDER), (m) => m[1]!);
}
