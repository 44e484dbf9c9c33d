/**
 * The Workers bundle's zod (wrangler.toml `[alias]`): its `z` holds only the members listed in
 * zod-members.ts, and its JSON Schema processors are stubs. These checks keep the lists
 * true as src/ and zod change; the workerd tests then run the relay on them.
 */
import { globSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z as fullZ } from 'zod';
import * as realProcessors from '../../../../node_modules/zod/v4/core/json-schema-processors.js';
import * as processors from './zod-processors.js';
import { z } from './zod.js';

/** `z.X` read as a value in src/ (not `z.infer<…>`-style types nor `z.core.$…` types), per member. */
function zMembersUsed(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const files = globSync('src/**/*.{ts,tsx}').filter((file) => !file.endsWith('.test.ts') && !/src\/runtime\/workers\/shims\//.test(file));
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    if (!/import \{[^}]*\bz\b[^}]*\} from '(zod|@hono\/zod-openapi)'/.test(source)) continue;
    for (const match of source.matchAll(/(?<![\w$.])z\.([A-Za-z_$][\w$]*)(<|\.\$)?/g)) {
      if (match[2]) continue;
      used.set(match[1]!, [...(used.get(match[1]!) ?? []), file]);
    }
  }
  return used;
}

describe("the Workers bundle's zod", () => {
  it('has every member of z that src/ reads', () => {
    const used = zMembersUsed();
    expect(used.size).toBeGreaterThan(10);
    const missing = [...used].filter(([member]) => !(member in z)).map(([member, files]) => `z.${member} (${[...new Set(files)].join(', ')})`);
    expect(missing, 'add these to src/runtime/workers/shims/zod-members.ts').toEqual([]);
  });

  it('takes its members from zod itself', () => {
    for (const [member, value] of Object.entries(z)) expect(value, member).toBe((fullZ as Record<string, unknown>)[member]);
    expect('tuple' in z).toBe(false);
  });

  it("stubs exactly zod's processors, keeping zod's own aggregateChecks", () => {
    expect(Object.keys(processors).sort()).toEqual(Object.keys(realProcessors).sort());
    expect(processors.aggregateChecks).toBe(realProcessors.aggregateChecks);
    expect(() => processors.stringProcessor()).toThrow(/not included in the Worker bundle/);
  });
});
