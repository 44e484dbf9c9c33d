#!/usr/bin/env node
// The installed command: runs the compiled JavaScript in dist/ (`npm install` builds it through
// the `prepare` script). From a checkout, `npm run dev -- <command>` runs the sources instead.
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli.js')) throw error;
  process.stderr.write('colt-relay: dist/cli.js is missing: run `npm run build` (or `npm install`, which builds it)\n');
  process.exit(1);
}
process.exit(await cli.main(process.argv.slice(2)));
