/**
 * Imports run down: the layer order is written once, in docs/design.md#layers, and every
 * import of src/ is checked against it (test/support/import-layers.ts). The checker is also
 * run on planted files, so a broken checker cannot pass silently.
 */
import { globSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PIPELINE_STAGES } from '../../src/pipeline.js';
import { findViolations, formatViolations, layerOf, readLayerOrder, type SourceFile } from '../support/import-layers.js';

const order = readLayerOrder();
const rankOf = (layer: string) => order.findIndex((names) => names.includes(layer));

function sources(): SourceFile[] {
  return globSync('src/**/*.{ts,tsx}')
    .filter((path) => !path.endsWith('.test.ts'))
    .map((path) => ({ path: path.split('\\').join('/'), text: readFileSync(path, 'utf8') }));
}

describe('import direction', () => {
  it('every folder and top-level file of src/ has a place in the layer order', () => {
    const layers = new Set(sources().map((f) => layerOf(f.path)));
    expect([...layers].filter((layer) => rankOf(layer) === -1)).toEqual([]);
  });

  it('no import in src/ runs up, crosses runtimes or brings Node-only code below src/runtime/node/', () => {
    const violations = findViolations(sources(), order);
    expect(formatViolations(violations)).toBe('');
  });

  it('the pipeline stages are layered in the order a callback passes through them', () => {
    const ranks = PIPELINE_STAGES.map(rankOf);
    expect(ranks.every((rank) => rank >= 0)).toBe(true);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  describe('the checker catches what it must (planted files)', () => {
    const planted = (path: string, text: string) => findViolations([{ path, text }], order);

    it('an upward import: store → deliver', () => {
      const found = planted('src/store/planted.repo.ts', "import { RETRY_SCHEDULE_S } from '../deliver/retry.js';\n");
      expect(formatViolations(found)).toBe("src/store/planted.repo.ts:1 '../deliver/retry.js': store imports deliver, a layer above it");
    });

    it('a type-only and a dynamic upward import: route → deliver, http → cli', () => {
      expect(planted('src/route/planted.ts', "import type { Channel } from '../deliver/channel.js';")).toHaveLength(1);
      expect(planted('src/http/planted.ts', "const m = await import('../cli/usage.js');")).toHaveLength(1);
    });

    it('peers on one line: app.ts ↔ pipeline.ts', () => {
      expect(planted('src/app.ts', "import { createPipeline } from './pipeline.js';")[0]?.why).toBe('app.ts and pipeline.ts are peers: neither imports the other');
    });

    it('one runtime reaching into the other', () => {
      expect(planted('src/runtime/workers/planted.ts', "import { readIfExists } from '../node/files.js';")[0]?.why).toBe('runtime/workers imports runtime/node');
    });

    it('a Node-only module below src/runtime/node/', () => {
      expect(planted('src/deliver/planted.ts', "import { readFile } from 'node:fs/promises';")[0]?.why).toMatch(/Node-only/);
      expect(planted('src/runtime/node/planted.ts', "import { readFile } from 'node:fs/promises';")).toEqual([]);
    });

    it('downward and same-layer imports pass', () => {
      const text = "import { RETRY_SCHEDULE_S } from './retry.js';\nimport type { Store } from '../store/db.js';\nimport { VERSION } from '../lib/version.js';\n";
      expect(planted('src/deliver/planted.ts', text)).toEqual([]);
    });
  });
});
