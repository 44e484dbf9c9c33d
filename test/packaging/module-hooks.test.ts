/** The start-up resolver (src/runtime/node/module-hooks.ts) answers as Node's would, or defers to it. */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveRelativeModule } from '../../src/runtime/node/module-hooks.js';

const require = createRequire(import.meta.url);
// drizzle-orm is an ES module package ("type": "module"); yaml's .js files are CommonJS.
const drizzleIndex = pathToFileURL(require.resolve('drizzle-orm')).href.replace(/index\.cjs$/, 'index.js');
const NEXT = Symbol('next');
const next = () => NEXT;

describe('resolveRelativeModule', () => {
  it('resolves a relative import inside an ES module package itself, as a module', () => {
    const resolved = resolveRelativeModule('./entity.js', { parentURL: drizzleIndex }, next);
    expect(resolved).toEqual({ url: new URL('./entity.js', drizzleIndex).href, format: 'module', shortCircuit: true });
    // What Node itself resolves the same import to.
    expect((resolved as { url: string }).url).toBe(import.meta.resolve('./entity.js', drizzleIndex));
  });

  it("leaves bare specifiers, CommonJS scopes and missing files to Node's resolver", () => {
    expect(resolveRelativeModule('drizzle-orm', { parentURL: drizzleIndex }, next)).toBe(NEXT);
    const yamlFile = pathToFileURL(require.resolve('yaml')).href;
    expect(resolveRelativeModule('./compose/composer.js', { parentURL: yamlFile }, next)).toBe(NEXT);
    expect(resolveRelativeModule('./no-such-module.js', { parentURL: drizzleIndex }, next)).toBe(NEXT);
    expect(resolveRelativeModule('./data.json', { parentURL: drizzleIndex }, next)).toBe(NEXT);
  });
});
