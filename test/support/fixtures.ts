/** The sample callbacks in shared/fixtures/callbacks, as text and as objects. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A copy lives in test/fixtures/callbacks so the repository is self-contained. */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/callbacks/', import.meta.url));

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.json'));
}

export function fixtureText(name: string): string {
  return readFileSync(FIXTURES_DIR + name, 'utf8');
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(name)) as Record<string, unknown>;
}
