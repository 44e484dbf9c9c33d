import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestStore, STORE_KINDS } from './store.js';

describe.each(STORE_KINDS)('test store (%s)', (kind) => {
  it('is migrated and empty', async () => {
    const store = await createTestStore(kind);
    try {
      const rows = await store.db.execute(sql`select count(*)::int as n from callback_events`);
      const list = Array.isArray(rows) ? rows : (rows as unknown as { rows: unknown[] }).rows;
      expect(list).toEqual([{ n: 0 }]);
    } finally {
      await store.close();
    }
  });
});
