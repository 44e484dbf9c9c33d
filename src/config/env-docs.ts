/**
 * docs/configuration.md and .env.example, written from VARIABLES (src/config/env.ts), the one
 * place each variable is defined. `npm run docs:config` rewrites both files;
 * test/packaging/configuration-docs.test.ts fails when they differ from what this renders.
 */
import { ENV_GROUPS, VARIABLES, type EnvDoc, type EnvName } from './env.js';

const entries = () => Object.entries(VARIABLES) as [EnvName, EnvDoc][];

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown reference of every variable, grouped. */
export function renderConfigurationDoc(): string {
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/env.ts by `npm run docs:config`; edit there, not here. -->',
    '',
    'colt-relay reads its settings from environment variables (on Workers: `[vars]` and secrets).',
    'All are optional. An invalid value stops the start with every problem listed, each naming its',
    'variable. Durations are a number with `s`, `m`, `h` or `d` (`90s`, `1.5h`, `3d`).',
    'Variables marked *secret* are redacted by `colt-relay config show` and never logged.',
    '`.env.example` in the repository lists the same variables, commented.',
    '',
  ];
  for (const group of ENV_GROUPS) {
    lines.push(`## ${group}`, '', '| variable | meaning | default | example |', '|---|---|---|---|');
    for (const [name, doc] of entries().filter(([, d]) => d.group === group)) {
      const meaning = doc.secret ? `${doc.meaning} *secret*` : doc.meaning;
      lines.push(`| ${code(name)} | ${cell(meaning)} | ${doc.default === undefined ? '—' : code(doc.default)} | ${doc.example === undefined ? '' : code(doc.example)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Strips Markdown the .env file does not need. */
const plain = (text: string) => text.replace(/`/g, '');

/** Wraps a comment at about 94 columns. */
function comment(text: string): string[] {
  const out: string[] = [];
  let line = '#';
  for (const word of plain(text).split(' ')) {
    if (line.length + word.length + 1 > 94 && line !== '#') {
      out.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  out.push(line);
  return out;
}

/** Every variable, commented out, with its meaning and default or example. */
export function renderEnvExample(): string {
  const lines = [
    '# colt-relay settings: copy this file to .env and uncomment what you need. `npm start` reads',
    '# ./.env when it exists; elsewhere set the variables in your service manager, compose file or',
    '# Worker. Generated from src/config/env.ts by `npm run docs:config`; docs/configuration.md',
    '# explains each one. Never commit a .env that holds real secrets.',
    '',
  ];
  for (const group of ENV_GROUPS) {
    lines.push(`# ── ${group} ${'─'.repeat(Math.max(3, 88 - group.length))}`, '');
    for (const [name, doc] of entries().filter(([, d]) => d.group === group)) {
      lines.push(...comment(doc.secret ? `${doc.meaning} Secret.` : doc.meaning));
      lines.push(`# ${name}=${doc.example ?? doc.default ?? ''}`, '');
    }
  }
  return lines.join('\n');
}
