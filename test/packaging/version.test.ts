/** One source for the release number: package.json. `VERSION` (user-agent, /healthz) reads it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/lib/version.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('version', () => {
  it("is package.json's version", () => {
    expect(VERSION).toBe(packageJson.version);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+(?:-[\w.]+)?$/);
  });
});
