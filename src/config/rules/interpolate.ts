/** `${VAR}` references in rules values, shared by the YAML and JSON readers. */

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REFERENCE = /\$(\$?)\{([^}]*)(\}?)/g;

/**
 * Replaces `${NAME}` with `env.NAME`. A missing variable is reported by name and becomes
 * an empty string; `$${NAME}` is an escape for a literal `${NAME}`. A variable that is set
 * but empty (or blanks) is valid, but rarely meant: `noteEmpty` hears of it (a warning).
 */
export function interpolate(
  value: string,
  env: Record<string, string | undefined>,
  report: (message: string) => void,
  noteEmpty?: (message: string) => void,
): string {
  return value.replace(REFERENCE, (whole, escaped: string, name: string, close: string) => {
    if (escaped) return whole.slice(1);
    if (!close) {
      report('unclosed "${" (write "$${" for a literal "${")');
      return whole;
    }
    if (!VARIABLE_NAME.test(name)) {
      report(`invalid variable name "${name}" in "\${${name}}"`);
      return whole;
    }
    const replacement = env[name];
    if (replacement === undefined) {
      report(`environment variable ${name} is not set`);
      return '';
    }
    if (replacement.trim() === '') noteEmpty?.(emptyVariableMessage(name));
    return replacement;
  });
}

/** The warning for `${NAME}` set to nothing. */
export function emptyVariableMessage(name: string): string {
  return `\${${name}} is set but empty: set ${name} to the value this field needs, or write the value in the rules`;
}
