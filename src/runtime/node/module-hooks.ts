/**
 * A faster start on Node: relative imports between ES modules resolved without Node's
 * per-module package.json lookup. To learn a `.js` file's format, Node's resolver reads the
 * nearest package.json for every module it loads and, in Node 22–24, parses its whole
 * `exports` map each time. drizzle-orm's map is 130 KB and it loads ~100 modules, so that
 * alone cost most of the start-up time and ~150 MB of garbage at ready. Here each
 * package.json is read once; anything unusual goes to Node's own resolver.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';

export type ResolveHook = (
  specifier: string,
  context: { parentURL?: string },
  next: (specifier: string, context: { parentURL?: string }) => unknown,
) => unknown;
type RegisterHooks = (hooks: { resolve: ResolveHook }) => unknown;

/** Directory URL → whether the nearest package.json says `"type": "module"`. */
const moduleScope = new Map<string, boolean>();

function isModuleScope(dirUrl: string): boolean {
  const known = moduleScope.get(dirUrl);
  if (known !== undefined) return known;
  let isModule: boolean;
  try {
    isModule = (JSON.parse(readFileSync(new URL('package.json', dirUrl), 'utf8')) as { type?: unknown }).type === 'module';
  } catch (error) {
    const parent = new URL('..', dirUrl).href;
    // No package.json here (or an unreadable one: Node decides then, through the fallback).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === dirUrl) return false;
    isModule = isModuleScope(parent);
  }
  moduleScope.set(dirUrl, isModule);
  return isModule;
}

/** The resolve hook: a relative `.js`/`.mjs` import of an ES module, short-circuited; the rest to `next`. */
export const resolveRelativeModule: ResolveHook = (specifier, context, next) => {
  const parent = context.parentURL;
  const relative = specifier.startsWith('./') || specifier.startsWith('../');
  if (!relative || !parent?.startsWith('file:') || !/\.m?js$/.test(specifier)) return next(specifier, context);
  const url = new URL(specifier, parent);
  if (!specifier.endsWith('.mjs') && !isModuleScope(new URL('.', url).href)) return next(specifier, context);
  // A missing file: Node's resolver reports it (ERR_MODULE_NOT_FOUND), as without this hook.
  if (!existsSync(url)) return next(specifier, context);
  return { url: url.href, format: 'module', shortCircuit: true };
};

/** Installs the resolver; a Node without `module.registerHooks` (before 22.15) keeps its own. */
export function registerFastResolve(): boolean {
  const register = (nodeModule as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  if (typeof register !== 'function') return false;
  register({ resolve: resolveRelativeModule });
  return true;
}
