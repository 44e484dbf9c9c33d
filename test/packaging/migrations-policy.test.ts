/**
 * Expand, then contract (docs/design.md#migration-policy): every migration newer than the
 * previous release's last one (previous-release.json) must leave that release's processes
 * working, unless migrations-allowed.json lets a planned contract step through with a reason.
 * The checker is also run on planted migrations and on the history it would have caught
 * (0002 and 0006 broke 0.1.0), so a broken checker cannot pass silently.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../../src/store/migrate.js';
import { type Allowance, checkMigrations, formatReport, journalTags, type PreviousRelease } from '../support/migration-policy.js';
import allowances from './migrations-allowed.json' with { type: 'json' };
import previous from './previous-release.json' with { type: 'json' };

const PREVIOUS: PreviousRelease = previous;
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A copy of drizzle/ with one more migration, `tag`, holding `sql`. */
function plantMigration(tag: string, sql: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'colt-relay-policy-'));
  folders.push(folder);
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string; when: number }[] };
  const last = journal.entries.at(-1)!;
  journal.entries.push({ ...last, idx: last.idx + 1, tag, when: last.when + 1 });
  writeFileSync(journalPath, JSON.stringify(journal));
  writeFileSync(join(folder, `${tag}.sql`), sql);
  return folder;
}

/** The last migration of drizzle/ as it is: planted migrations are checked alone, after it. */
const LAST = journalTags(MIGRATIONS_FOLDER).at(-1)!;

/** The findings' keys for one planted migration. */
const keysOf = (sql: string) => checkMigrations(plantMigration('9999_planted', sql), LAST).violations.map((v) => v.key);

describe('migration policy: expand now, contract one release later', () => {
  it('the previous release is recorded once, with its full commit and a migration of the journal', () => {
    expect(PREVIOUS.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(PREVIOUS.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(journalTags(MIGRATIONS_FOLDER)).toContain(PREVIOUS.lastMigration);
  });

  it(`the migrations after ${PREVIOUS.lastMigration} leave ${PREVIOUS.version} working`, () => {
    const report = checkMigrations(MIGRATIONS_FOLDER, PREVIOUS.lastMigration, allowances as Allowance[]);
    expect(formatReport(report, PREVIOUS)).toBe('');
  });

  it('migrations apply in journal order: each is newer than the one before (drizzle skips an older one)', () => {
    // The migrator applies only migrations whose `when` is later than the last one applied.
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
    const out = journal.entries.filter((e, i) => i > 0 && e.when <= journal.entries[i - 1]!.when).map((e) => e.tag);
    expect(out).toEqual([]);
  });

  describe('the checker catches what it must', () => {
    it('a planted DROP COLUMN fails, naming the column and how to allow a planned one', () => {
      const folder = plantMigration('9999_planted', 'ALTER TABLE "deliveries" DROP COLUMN "last_code";');
      const report = checkMigrations(folder, LAST);
      expect(report.violations.map((v) => `${v.migration}: ${v.key}`)).toEqual(['9999_planted: drop column deliveries.last_code']);
      expect(formatReport(report, PREVIOUS)).toMatch(/0\.2\.0 processes still running .* could fail or misbehave[\s\S]*migrations-allowed\.json/);
    });

    it('an allowance with a reason lets a planned contract step through; a short reason or a stale one fails', () => {
      const folder = plantMigration('9999_planted', 'ALTER TABLE "deliveries" DROP COLUMN "last_code";');
      const reason = 'contract step: 0.2.0 was the last release to read last_code; 0.3.0 never reads it';
      const ok = checkMigrations(folder, LAST, [{ migration: '9999_planted', finding: 'drop column deliveries.last_code', reason }]);
      expect(ok.violations).toEqual([]);
      expect(ok.badAllowances).toEqual([]);
      const terse = checkMigrations(folder, LAST, [{ migration: '9999_planted', finding: 'drop column deliveries.last_code', reason: 'planned' }]);
      expect(terse.violations).toHaveLength(1);
      expect(terse.badAllowances.map((b) => b.problem)).toEqual([expect.stringMatching(/reason must say why/)]);
      const stale = checkMigrations(folder, LAST, [{ migration: '9999_planted', finding: 'drop column orders.status', reason }]);
      expect(stale.badAllowances.map((b) => b.problem)).toEqual([expect.stringMatching(/matches no statement/)]);
    });

    it('each destructive or narrowing statement on a table the previous release uses is a finding', () => {
      expect(
        keysOf(`
          DROP TABLE "silences" CASCADE;
          ALTER TABLE "orders" RENAME COLUMN "status" TO "state";
          ALTER TABLE "orders" RENAME TO "colt_orders";
          ALTER TABLE "deliveries" ALTER COLUMN "attempts" SET DATA TYPE smallint;
          ALTER TABLE "deliveries" ALTER COLUMN "last_error" SET NOT NULL;
          ALTER TABLE "orders" ALTER COLUMN "reconcile_checks" DROP DEFAULT;
          ALTER TABLE "orders" ALTER COLUMN "ticket_id" DROP NOT NULL;
          ALTER TABLE "callback_events" ADD COLUMN "content_type" text NOT NULL;
          CREATE UNIQUE INDEX "orders_ticket_uq" ON "orders" USING btree ("ticket_id");
          ALTER TABLE "silences" ADD CONSTRAINT "silences_comment_ck" CHECK (length("comment") > 3);
          ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_group_fk" FOREIGN KEY ("group_id") REFERENCES "delivery_groups"("id");
          ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_event_channel_gen_uq";
          DROP INDEX "orders_sla_due_idx";
          UPDATE "callback_events" SET "dedupe_key" = 'ticket:' || "dedupe_key" WHERE "source" = 'ticket';
          DELETE FROM "dashboard_sessions";
          TRUNCATE "callback_refusals";
          DO $$ BEGIN PERFORM 1; END $$;
        `),
      ).toEqual([
        'drop table silences',
        'rename column orders.status',
        'rename table orders',
        'type change deliveries.attempts',
        'set not null deliveries.last_error',
        'drop default orders.reconcile_checks',
        'drop not null orders.ticket_id',
        'not null without default callback_events.content_type',
        'unique index orders_ticket_uq on orders',
        'check constraint silences_comment_ck on silences',
        'foreign key deliveries_group_fk on deliveries',
        'drop constraint deliveries_event_channel_gen_uq on deliveries',
        'drop index orders_sla_due_idx',
        'rewrite column callback_events.dedupe_key',
        'delete rows dashboard_sessions',
        'delete rows callback_refusals',
        'unrecognised do $$ begin',
      ]);
    });

    it('additive changes pass: new tables, nullable or defaulted columns, indexes, backfills, changes to what this release made', () => {
      expect(
        keysOf(`
          CREATE TABLE "silence_channels" ("silence_id" uuid NOT NULL, "channel" text NOT NULL);
          --> statement-breakpoint
          ALTER TABLE "silence_channels" ADD CONSTRAINT "silence_channels_fk" FOREIGN KEY ("silence_id") REFERENCES "public"."silences"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
          CREATE UNIQUE INDEX "silence_channels_uq" ON "silence_channels" USING btree ("silence_id","channel");--> statement-breakpoint
          ALTER TABLE "deliveries" ADD COLUMN "failure_reason" text;--> statement-breakpoint
          ALTER TABLE "callback_events" ADD COLUMN "content_type" text DEFAULT 'application/json' NOT NULL;--> statement-breakpoint
          ALTER TABLE "orders" ADD COLUMN "external_ref" text;--> statement-breakpoint
          CREATE UNIQUE INDEX "orders_external_ref_uq" ON "orders" USING btree ("external_ref");--> statement-breakpoint
          ALTER TABLE "deliveries" ADD COLUMN "parent_id" uuid;--> statement-breakpoint
          ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_parent_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."deliveries"("id");--> statement-breakpoint
          CREATE INDEX "deliveries_reason_idx" ON "deliveries" USING btree ("failure_reason") WHERE failure_reason is not null;--> statement-breakpoint
          -- a backfill; semicolons and keywords inside strings are not statements
          UPDATE "deliveries" SET "failure_reason" = 'was; DROP TABLE orders' WHERE "status" = 'dead';--> statement-breakpoint
          ALTER TABLE "orders" ALTER COLUMN "status" SET DEFAULT 'raised';--> statement-breakpoint
          ALTER TABLE "deliveries" DROP COLUMN "parent_id";--> statement-breakpoint
          DROP INDEX "deliveries_reason_idx";--> statement-breakpoint
          DROP TABLE "silence_channels";
        `),
      ).toEqual([]);
    });

    it('it would have caught the migrations that broke 0.1.0: 0002 dropped a table, 0006 two columns', () => {
      const keys = (after: string, upTo: string) =>
        checkMigrations(MIGRATIONS_FOLDER, after)
          .violations.filter((v) => v.migration <= upTo)
          .map((v) => `${v.migration}: ${v.key}`);
      expect(keys('0000_init', '0005_notifications')).toEqual(['0002_callback-refusals: drop table rejected_callbacks']);
      expect(keys('0005_notifications', '0006_processed-events')).toEqual([
        '0006_processed-events: drop column callback_events.state',
        '0006_processed-events: drop column callback_events.processed_at',
      ]);
    });
  });
});
