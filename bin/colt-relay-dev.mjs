#!/usr/bin/env node
// Development only: runs the TypeScript sources through tsx (a devDependency), so a change is
// live without a build. `npm run dev -- <command>`; the tests spawn the CLI this way too.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exit(await main(process.argv.slice(2)));
