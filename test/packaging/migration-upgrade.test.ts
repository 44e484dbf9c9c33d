/**
 * Upgrading a database that already holds events: each migration that moves data is applied to
 * a store migrated to the release before it, with rows in it, and must keep what they said.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { getEventDetail } from '../../src/store/admin.repo.js';
import { openPgliteStore } from '../../src/store/pglite.js';
import { MIGRATIONS_FOLDER, migrateStore } from '../../src/store/migrate.js';
import { rowsOf } from '../../src/store/rows.js';
import { createTestStore, STORE_KINDS } from '../support/store.js';
import type { Store } from '../../src/store/db.js';

interface Journal {
  entries: { idx: number; tag: string }[];
}

const folders: string[] = [];
afterAll(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

/** A copy of drizzle/ that ends at the migration `tag` (included). */
function migrationsUpTo(tag: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'colt-relay-migrations-'));
  folders.push(folder);
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
  const last = journal.entries.findIndex((e) => e.tag === tag);
  if (last < 0) throw new Error(`no migration ${tag} in ${MIGRATIONS_FOLDER}`);
  journal.entries = journal.entries.slice(0, last + 1);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

/** An empty store of this kind with no migrations applied. */
async function emptyStore(kind: (typeof STORE_KINDS)[number]): Promise<Store> {
  if (kind === 'pglite') return openPgliteStore({ dataDir: 'memory://' });
  const store = await createTestStore('postgres');
  // createTestStore migrates: start over from an empty schema.
  await store.db.execute(sql`drop schema public cascade; drop schema if exists drizzle cascade; create schema public`);
  return store;
}

describe.each(STORE_KINDS)('upgrading a %s database', (kind) => {
  it('0006_processed-events keeps each event’s state and processing time', async () => {
    const store = await emptyStore(kind);
    try {
      await migrateStore(store, migrationsUpTo('0005_notifications'));
      const event = (id: string, state: string, processedAt: string | null) => sql`
        insert into callback_events (id, dedupe_key, order_id, status, order_type, number_type, numbers, occurred_at,
          received_at, raw_body, payload, headers, state, processed_at)
        values (${id}, ${id}, 'IN-ORD-1', 'raised', 'activation', 'geo', '[]', '2026-01-01T00:00:00Z',
          '2026-01-01T00:00:00Z', '{}', '{}', '{}', ${state}, ${processedAt})`;
      const processed = '00000000-0000-7000-8000-000000000001';
      const processedNoTime = '00000000-0000-7000-8000-000000000002';
      const received = '00000000-0000-7000-8000-000000000003';
      await store.db.execute(event(processed, 'processed', '2026-01-01T00:00:05Z'));
      await store.db.execute(event(processedNoTime, 'processed', null));
      await store.db.execute(event(received, 'received', null));

      await migrateStore(store);

      const columns = rowsOf<{ column_name: string }>(
        await store.db.execute(sql`select column_name from information_schema.columns where table_name = 'callback_events'`),
      ).map((c) => c.column_name);
      expect(columns).not.toContain('state');
      expect(columns).not.toContain('processed_at');
      expect((await getEventDetail(store.db, processed))!.event).toMatchObject({
        state: 'processed',
        processedAt: new Date('2026-01-01T00:00:05Z'),
      });
      // Processed before processing times were kept: its arrival stands in.
      expect((await getEventDetail(store.db, processedNoTime))!.event).toMatchObject({
        state: 'processed',
        processedAt: new Date('2026-01-01T00:00:00Z'),
      });
      expect((await getEventDetail(store.db, received))!.event).toMatchObject({ state: 'received', processedAt: null });
    } finally {
      await store.close();
    }
  });
});
