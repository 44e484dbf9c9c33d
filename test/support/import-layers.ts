/**
 * The import-direction check behind test/packaging/layers.test.ts: reads the layer order from
 * docs/design.md#layers (the one place it is written), scans every import of src/ and lists
 * each arrow that runs up, crosses between runtimes, or brings a Node-only module into code
 * that must also run on Workers.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

/** Layers bottom to top; names on one line are peers, which may not import each other. */
export type LayerOrder = string[][];

export interface SourceFile {
  /** Path from the repository root, e.g. `src/store/events.repo.ts`. */
  path: string;
  text: string;
}

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  why: string;
}

/** Reads the fenced ```layers block of a Markdown document. */
export function parseLayerOrder(markdown: string): LayerOrder {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown);
  if (!block) throw new Error('no ```layers block');
  return block[1]!
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => line.split(/\s+/));
}

export function readLayerOrder(designDoc = 'docs/design.md'): LayerOrder {
  return parseLayerOrder(readFileSync(designDoc, 'utf8'));
}

/**
 * Code outside src/runtime/node/ and the CLI that may still import `node:` modules and
 * Node-only packages, each reached only from Node (the bundle check proves it for Workers).
 */
export const NODE_ONLY_FILES: Record<string, string> = {
  'src/store/pglite.ts': 'the embedded database; src/store/open.ts imports it only when DATABASE_URL is unset (never on Workers)',
  'src/store/migrate.ts': 'finds the drizzle/ folder on disk; Workers are migrated from Node',
  'src/colt/mock/mock-colt.server.ts': "the simulator's HTTP server, started by `colt-relay mock-colt`",
};

/** Packages with no Workers build (pino and nodemailer have stand-ins there: src/runtime/workers/shims/). */
const NODE_ONLY_PACKAGES = ['@hono/node-server', '@electric-sql/pglite', 'prom-client', 'undici'];

/** The layer a source file belongs to: its folder under src/, or its name for files at src/'s top. */
export function layerOf(path: string): string {
  const rest = path.replace(/^src\//, '');
  const slash = rest.indexOf('/');
  return slash === -1 ? rest.replace(/\.js$/, '.ts') : rest.slice(0, slash);
}

function runtimeOf(path: string): 'node' | 'workers' | null {
  const m = /^src\/runtime\/(node|workers)\//.exec(path);
  return m ? (m[1] as 'node' | 'workers') : null;
}

const IMPORT = /(?:^|[^.\w])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

/** Every import specifier of a file with its line (static, dynamic and side-effect imports; type-only ones too). */
export function importsOf(text: string): { specifier: string; line: number }[] {
  const found: { specifier: string; line: number }[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const specifier = m[1] ?? m[2] ?? m[3]!;
    found.push({ specifier, line: text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0) });
  }
  return found;
}

function resolveSpecifier(from: string, specifier: string): string {
  return posix.normalize(posix.join(posix.dirname(from), specifier));
}

/** Every import in `files` that breaks the layer order or the runtime boundaries. */
export function findViolations(files: SourceFile[], order: LayerOrder): Violation[] {
  const rank = new Map<string, number>();
  order.forEach((names, i) => {
    for (const name of names) rank.set(name, i);
  });
  const violations: Violation[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    const fromRank = rank.get(from);
    for (const { specifier, line } of importsOf(file.text)) {
      const at = { file: file.path, line, specifier };
      if (!specifier.startsWith('.')) {
        const nodeOnly = specifier.startsWith('node:') || NODE_ONLY_PACKAGES.some((p) => specifier === p || specifier.startsWith(`${p}/`));
        const allowed = runtimeOf(file.path) === 'node' || from === 'cli' || from === 'cli.ts' || file.path in NODE_ONLY_FILES;
        // Workers code may name what its shims stand in for; Node-only modules are kept out by the bundle check.
        if (nodeOnly && !allowed && runtimeOf(file.path) !== 'workers') {
          violations.push({ ...at, why: `${specifier} is Node-only: only src/runtime/node/ and the CLI import it` });
        }
        continue;
      }
      const target = resolveSpecifier(file.path, specifier);
      if (!target.startsWith('src/')) {
        // A shim may re-export the one piece of the package it stands in for.
        const shimReach = runtimeOf(file.path) === 'workers' && target.startsWith('node_modules/');
        if (target !== 'package.json' && !shimReach) violations.push({ ...at, why: `imports ${target}, outside src/` });
        continue;
      }
      const to = layerOf(target);
      if (fromRank === undefined) {
        violations.push({ ...at, why: `${from} is not in the layer order (docs/design.md#layers)` });
        continue;
      }
      const toRank = rank.get(to);
      if (toRank === undefined) {
        violations.push({ ...at, why: `${to} is not in the layer order (docs/design.md#layers)` });
        continue;
      }
      const [fromRuntime, toRuntime] = [runtimeOf(file.path), runtimeOf(target)];
      if (fromRuntime && toRuntime && fromRuntime !== toRuntime) {
        violations.push({ ...at, why: `runtime/${fromRuntime} imports runtime/${toRuntime}` });
      } else if (to === from) {
        continue;
      } else if (toRank > fromRank) {
        violations.push({ ...at, why: `${from} imports ${to}, a layer above it` });
      } else if (toRank === fromRank) {
        violations.push({ ...at, why: `${from} and ${to} are peers: neither imports the other` });
      }
    }
  }
  return violations;
}

export function formatViolations(violations: Violation[]): string {
  return violations.map((v) => `${v.file}:${v.line} '${v.specifier}': ${v.why}`).join('\n');
}
