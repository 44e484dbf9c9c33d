/** The embedded database runs with the relay's memory settings, not a server's defaults. */
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { PGLITE_SETTINGS } from '../../src/store/pglite.js';
import { rowsOf } from '../../src/store/rows.js';
import { createTestStore } from '../support/store.js';

describe('PGlite memory settings', () => {
  it('are in force', async () => {
    const store = await createTestStore('pglite');
    try {
      for (const setting of PGLITE_SETTINGS) {
        const [name, value] = setting.split('=') as [string, string];
        const rows = rowsOf<{ value: string }>(await store.db.execute(sql`select current_setting(${name}) as value`));
        expect(rows[0]?.value).toBe(value);
      }
    } finally {
      await store.close();
    }
  }, 180_000); // the first PGlite of a run makes the migrated snapshot (initdb)
});
