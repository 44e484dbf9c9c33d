#!/usr/bin/env node
// Development only: runs the TypeScript sources through tsx (a devDependency), so a change is
// live without a build. `npm run dev -- <command>`; the tests spawn the CLI this way too.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The repository's tsconfig whatever the working folder (the tests run the CLI in an empty
// one): without it tsx compiles the dashboard's JSX for React ("React is not defined").
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli.ts');
process.exit(await main(process.argv.slice(2)));
