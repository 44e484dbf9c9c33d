#!/usr/bin/env node
// The installed command: runs the compiled JavaScript in dist/ (`npm install` builds it through
// the `prepare` script). From a checkout, `npm run dev -- <command>` runs the sources instead.
import { enableCompileCache } from 'node:module';

// Compiled code is cached on disk (the OS temp folder) across starts; without a writable one, nothing changes.
enableCompileCache?.();
let cli;
try {
  // First: resolving modules without Node's per-module package.json parsing halves the start.
  (await import('../dist/runtime/module-hooks.js')).registerFastResolve();
  cli = await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !/dist\/(cli|runtime\/module-hooks)\.js/.test(String(error.message))) throw error;
  process.stderr.write('colt-relay: dist/cli.js is missing: run `npm run build` (or `npm install`, which builds it)\n');
  process.exit(1);
}
process.exit(await cli.main(process.argv.slice(2)));
