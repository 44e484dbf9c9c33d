/**
 * docs/configuration.md and .env.example are generated from VARIABLES in src/config/env.ts
 * (`npm run docs:config` rewrites them): this fails when either differs from what the schema
 * renders, and when a documented default is not what the parser gives an unset variable.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConfigurationDoc, renderEnvExample } from '../../src/config/env-docs.js';
import { parseEnv, VARIABLES, type EnvName } from '../../src/config/env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GENERATED = [
  ['docs/configuration.md', renderConfigurationDoc],
  ['.env.example', renderEnvExample],
] as const;

describe('configuration reference', () => {
  it.each(GENERATED)('%s is generated from src/config/env.ts', (file, render) => {
    const expected = render();
    if (process.env.UPDATE_DOCS) writeFileSync(`${ROOT}${file}`, expected);
    expect(readFileSync(`${ROOT}${file}`, 'utf8'), `${file} is stale: run npm run docs:config`).toBe(expected);
  });

  it('lists every variable the schema reads, each with a meaning', () => {
    const doc = readFileSync(`${ROOT}docs/configuration.md`, 'utf8');
    for (const [name, v] of Object.entries(VARIABLES)) {
      expect(v.meaning.length, name).toBeGreaterThan(10);
      expect(doc).toContain(`| \`${name}\` |`);
    }
  });

  it('each documented default is what an unset variable parses to', () => {
    const unset = parseEnv({});
    for (const [name, v] of Object.entries(VARIABLES) as [EnvName, (typeof VARIABLES)[EnvName]][]) {
      if (v.default === undefined) continue;
      expect(parseEnv({ [name]: v.default })[name], name).toEqual(unset[name]);
    }
  });
});
