/**
 * `colt-relay rules compile [file]`: the rules file as one line of JSON, for a RULES that
 * must be one line (both runtimes also read YAML). The rules are validated first, exactly as the relay
 * loads them; `${VAR}` references stay references, so secrets never land in the output.
 */
import { resolve } from 'node:path';
import { formatProblems, parseRules } from '../config/rules/rules.js';
import { readYaml } from '../config/rules/yaml.js';
import { readIfExists } from '../runtime/node/files.js';
import type { RulesCommandIo } from './rules.command.js';

const USAGE = 'usage: colt-relay rules compile [file]   (default: RULES_FILE, else ./rules.yaml)\n';
const MISSING_VARIABLE = /^environment variable (\w+) is not set$/;
// Private-use marks around a reference's name while the document is parsed.
const OPEN = '\uE002';
const CLOSE = '\uE003';

/** 0 and the JSON on stdout; 1 with every problem when the rules are invalid; 2 on a usage error. */
export async function runRulesCompile(args: string[], io: RulesCommandIo): Promise<number> {
  if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
    io.stderr(USAGE);
    return 2;
  }
  const file = args[0] ?? (io.env.RULES_FILE?.trim() || './rules.yaml');
  let text: string | null;
  try {
    text = await readIfExists(resolve(io.cwd ?? process.cwd(), file));
  } catch (error) {
    io.stderr(`colt-relay: cannot read ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  if (text === null) {
    io.stderr(`colt-relay: rules file ${file} does not exist\n${USAGE}`);
    return 1;
  }
  const checked = parseRules(text, io.env, file);
  if (!checked.ok) {
    // Secrets the Worker will have but this shell does not are not a reason to refuse.
    const missing = checked.problems.filter((p) => MISSING_VARIABLE.test(p.message));
    const other = checked.problems.filter((p) => !MISSING_VARIABLE.test(p.message));
    if (other.length > 0) {
      io.stderr(`${formatProblems(checked.problems, file)}\n${checked.problems.length} problem(s) in ${file}; nothing compiled\n`);
      return 1;
    }
    for (const p of missing) {
      const name = MISSING_VARIABLE.exec(p.message)?.[1] ?? '';
      io.stderr(`note: ${p.path} uses \${${name}}, not set here: the Worker needs it (npx wrangler secret put ${name})\n`);
    }
  }
  io.stdout(`${JSON.stringify(compileRules(text))}\n`);
  return 0;
}

/** The document as data, with `${VAR}` kept as written and `$${…}` escapes kept escaped. */
export function compileRules(text: string): unknown {
  const keepReferences = new Proxy({} as Record<string, string | undefined>, {
    get: (_target, name) => (typeof name === 'string' ? `${OPEN}${name}${CLOSE}` : undefined),
  });
  const { value } = readYaml(text, { env: keepReferences, numbersAsTextUnder: 'match' });
  return restore(value);
}

function restore(value: unknown): unknown {
  if (typeof value === 'string') {
    return value
      .replace(/\$\{/g, () => '$${')
      .replace(new RegExp(`${OPEN}([^${CLOSE}]*)${CLOSE}`, 'g'), (_, name: string) => `\${${name}}`);
  }
  if (Array.isArray(value)) return value.map(restore);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restore(v)]));
  return value;
}
