/**
 * Checks the Workers bundle that `wrangler deploy --dry-run --outdir dist/worker --metafile
 * dist/worker/meta.json` wrote: its gzip size against the budget, a third of what the Free plan
 * allows (what Workers limit per invocation is CPU, measured by bench:worker-cpu), and that no
 * Node-only module slipped in (PGlite, the Node server, nodemailer, web-api, undici,
 * prom-client, pino's Node build, node:fs…). Prints the size and the largest packages; exits 1
 * on a breach.
 *
 *   npm run deploy:dry-run    # wrangler, then this check (tsx test/runtime/workers/check-bundle.ts [dir])
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/** The gzipped Worker's budget: 1 MiB, a third of the Free plan's 3 MB. */
const BUDGET_GZIP_KIB = 1024;

/** Packages that must never be bundled for Workers, with the reason. */
const FORBIDDEN_PACKAGES: Record<string, string> = {
  '@electric-sql/pglite': 'embedded database (Node only)',
  '@hono/node-server': 'Node HTTP server',
  nodemailer: 'SMTP (aliased to a stub in wrangler.toml: a Worker sends email through MAIL_API_KEY)',
  '@slack/web-api': 'aliased to src/deliver/channels/slack/web-api-fetch.ts',
  undici: 'the Node SSRF agent',
  'prom-client': 'Prometheus metrics (Node)',
  'thread-stream': "pino's Node transports",
  'pino-pretty': 'pino transport',
  pino: 'aliased to src/runtime/workers/shims/pino.ts (redaction and JSON lines through console)',
  standardwebhooks: 'webhook signing uses Web Crypto (src/deliver/channels/webhook/signature.ts)',
};

/** Node-only source files of the app (the rest of src/ is runtime-free by convention). */
const FORBIDDEN_SOURCES = [/^src\/runtime\/node\//, /^src\/store\/(pglite|open|migrate)\.ts$/, /^src\/cli\.ts$/];

/**
 * Runtime modules the bundle may import: postgres.js needs these under nodejs_compat, and the
 * runtime resolves each invocation's own clients through node:async_hooks (AsyncLocalStorage).
 */
const ALLOWED_EXTERNALS = new Set(['cloudflare:sockets', 'node:buffer', 'node:events', 'node:stream', 'node:crypto', 'node:util', 'node:async_hooks']);

interface Metafile {
  inputs: Record<string, { imports?: { path: string; external?: boolean }[] }>;
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? match[1]! : input.split('/').slice(0, 2).join('/');
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function main(dir: string): number {
  const code = readFileSync(`${dir}/worker.js`);
  const meta = JSON.parse(readFileSync(`${dir}/meta.json`, 'utf8')) as Metafile;
  const gzip = gzipSync(code, { level: 9 }).byteLength;
  const problems: string[] = [];

  const bySize = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput === 0) continue;
      const pkg = packageOf(input);
      bySize.set(pkg, (bySize.get(pkg) ?? 0) + bytesInOutput);
      const reason = FORBIDDEN_PACKAGES[pkg];
      if (reason && !problems.some((p) => p.startsWith(`bundles ${pkg}`))) problems.push(`bundles ${pkg}: ${reason}`);
      if (FORBIDDEN_SOURCES.some((re) => re.test(input))) problems.push(`bundles Node-only source ${input}`);
      if (input.includes('node_modules/pino/') && !input.endsWith('browser.js') && !input.endsWith('package.json')) {
        problems.push(`bundles pino's Node build (${input}) instead of its browser build`);
      }
    }
  }
  for (const [input, { imports = [] }] of Object.entries(meta.inputs)) {
    for (const i of imports) {
      // `<runtime>` is esbuild's own helper module, not an import.
      if (i.external && i.path !== '<runtime>' && !ALLOWED_EXTERNALS.has(i.path)) problems.push(`imports ${i.path} at runtime (from ${input})`);
    }
  }
  const headroom = BUDGET_GZIP_KIB * 1024 - gzip;
  if (headroom < 0) problems.push(`gzip size ${kib(gzip)} is over the ${BUDGET_GZIP_KIB} KiB budget: see which parts grew below`);

  console.log(`Worker bundle ${dir}/worker.js: ${kib(code.byteLength)} raw, ${kib(gzip)} gzip (budget ${BUDGET_GZIP_KIB} KiB gzip, headroom ${kib(headroom)})`);
  console.log('largest parts (minified bytes before gzip):');
  for (const [pkg, bytes] of [...bySize].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${kib(bytes).padStart(10)}  ${pkg}`);
  for (const problem of problems) console.error(`✗ ${problem}`);
  if (problems.length === 0) console.log('✓ no Node-only module in the bundle; within budget');
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv[2] ?? 'dist/worker');
