#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=20 --liftoff-only
// Memory (bench/README.md; `npm start` and the Dockerfile's CMD pass the same flags):
// --max-semi-space-size=8: V8's young generation grew to 64 MB semi-spaces under a burst of
//   callbacks and kept the pages; --heap-growing-percent=20: the old generation is collected
//   before it grows by more than a fifth (≈ 236 → 128 MB resident after 10,000 callbacks, for a
//   few more minor and major GCs). --liftoff-only: PGlite's WebAssembly stays on V8's baseline
//   compiler; its optimizing tier took ≈ 250 MB while compiling Postgres's largest functions and
//   ≈ 60 MB for good (no effect without PGlite).
// The installed command: runs the compiled JavaScript in dist/ (`npm install` builds it through
// the `prepare` script). From a checkout, `npm run dev -- <command>` runs the sources instead.

// Checked before anything is imported: older Node fails on the imports below with a SyntaxError
// that names neither Node nor the version. package.json's engines says the same to npm.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`colt-relay needs Node.js 22.12 or later (this is ${process.version})\n`);
  process.exit(1);
}

// Compiled code is cached on disk (the OS temp folder) across starts; without a writable one, nothing changes.
(await import('node:module')).enableCompileCache?.();
let cli;
try {
  // First: resolving modules without Node's per-module package.json parsing halves the start.
  (await import('../dist/runtime/node/module-hooks.js')).registerFastResolve();
  cli = await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !/dist\/(cli|runtime\/node\/module-hooks)\.js/.test(String(error.message))) throw error;
  process.stderr.write('colt-relay: dist/cli.js is missing: run `npm run build` (or `npm install`, which builds it)\n');
  process.exit(1);
}
process.exit(await cli.main(process.argv.slice(2)));
