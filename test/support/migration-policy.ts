/**
 * Expand, then contract (docs/design.md#migration-policy): the migrations of a release must
 * leave the previous release's processes working on the migrated database. This reads the SQL
 * of every migration after the previous release's last one and reports each statement that
 * could break them; an allowance with a written reason lets a planned contract step through.
 * Statements it does not understand are reported too: it fails closed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyStatement, type Finding, type ReleaseState } from './migration-rules.js';
import { splitStatements } from './sql-statements.js';

export type { Finding } from './migration-rules.js';

/** The release whose processes must keep working: test/packaging/previous-release.json. */
export interface PreviousRelease {
  version: string;
  /** The release's commit (full hash): the rolling-upgrade test checks it out. */
  commit: string;
  /** The tag of the release's last migration in drizzle/meta/_journal.json. */
  lastMigration: string;
}

/** A planned contract step: one finding of one migration, let through for a written reason. */
export interface Allowance {
  migration: string;
  /** The finding's key exactly as the check prints it, e.g. `drop column callback_events.state`. */
  finding: string;
  reason: string;
}

/** The shortest reason accepted: a word or two ("planned", "ok") says nothing to a reviewer. */
export const MIN_REASON_LENGTH = 40;

export interface PolicyReport {
  /** Migrations after the boundary, in journal order. */
  checked: string[];
  /** Findings no allowance covers. */
  violations: Finding[];
  /** Findings let through, with their allowance. */
  allowed: { finding: Finding; allowance: Allowance }[];
  /** Allowances that match no finding (stale: remove them) or give no real reason. */
  badAllowances: { allowance: Allowance; problem: string }[];
}

interface Journal {
  entries: { idx: number; tag: string; when: number }[];
}

/** The journal's migration tags, in the order they are applied. */
export function journalTags(folder: string): string[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
  return [...journal.entries].sort((a, b) => a.idx - b.idx).map((e) => e.tag);
}

/** Checks the migrations of `folder` after `lastMigration` against the policy. */
export function checkMigrations(folder: string, lastMigration: string, allowances: Allowance[] = []): PolicyReport {
  const tags = journalTags(folder);
  const boundary = tags.indexOf(lastMigration);
  if (boundary < 0) throw new Error(`the previous release's last migration ${lastMigration} is not in ${folder}/meta/_journal.json`);
  const checked = tags.slice(boundary + 1);
  const state: ReleaseState = { newTables: new Set(), newColumns: new Map(), newIndexes: new Set() };
  const findings: Finding[] = [];
  for (const tag of checked) {
    for (const statement of splitStatements(readFileSync(join(folder, `${tag}.sql`), 'utf8'))) {
      for (const found of classifyStatement(statement, state)) findings.push({ migration: tag, statement, ...found });
    }
  }
  return judge(checked, findings, allowances);
}

function judge(checked: string[], findings: Finding[], allowances: Allowance[]): PolicyReport {
  const report: PolicyReport = { checked, violations: [], allowed: [], badAllowances: [] };
  const used = new Set<Allowance>();
  for (const finding of findings) {
    const allowance = allowances.find((a) => a.migration === finding.migration && a.finding === finding.key);
    if (allowance && allowance.reason.trim().length >= MIN_REASON_LENGTH) {
      report.allowed.push({ finding, allowance });
      used.add(allowance);
    } else report.violations.push(finding);
  }
  for (const allowance of allowances) {
    if ((allowance.reason ?? '').trim().length < MIN_REASON_LENGTH) {
      report.badAllowances.push({ allowance, problem: `its reason must say why the previous release is safe (at least ${MIN_REASON_LENGTH} characters)` });
    } else if (!used.has(allowance)) {
      report.badAllowances.push({ allowance, problem: 'it matches no statement of the migrations after the previous release: remove it' });
    }
  }
  return report;
}

/** The report as a message: each violation with its statement and how to allow a planned one. */
export function formatReport(report: PolicyReport, previous: PreviousRelease): string {
  const lines: string[] = [];
  for (const v of report.violations) {
    lines.push(
      `${v.migration}: ${v.key}\n    ${v.statement}\n    ${v.why}; ${previous.version} processes still running against the migrated database could fail or misbehave.`,
    );
  }
  if (report.violations.length > 0) {
    lines.push(
      'Expand now, contract one release later (docs/design.md#migration-policy, docs/upgrading.md#rolling-upgrades). ' +
        'For a planned contract step, add to test/packaging/migrations-allowed.json: ' +
        '{ "migration": "<tag>", "finding": "<the key above>", "reason": "<why the previous release no longer uses it>" }',
    );
  }
  for (const { allowance, problem } of report.badAllowances) {
    lines.push(`allowance ${JSON.stringify(allowance)}: ${problem}`);
  }
  return lines.join('\n');
}
