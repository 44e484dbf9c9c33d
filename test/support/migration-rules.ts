/**
 * What each SQL statement of a new migration does to the previous release's processes
 * (docs/design.md#migration-policy). Tables, columns and indexes made by this release's own
 * migrations are free to change: the previous release never uses them. Everything else is
 * judged by what the previous release's code may still do: insert rows without the new
 * columns, read and write the columns it knows, rely on its unique constraints for
 * `on conflict`, and read the values it wrote.
 */
import { bareName, IDENT, quotedIdentifiers, splitTopLevel } from './sql-statements.js';

/** One statement the previous release may not survive. */
export interface Finding {
  migration: string;
  statement: string;
  /** Stable key for allowances: `<what> <table>[.<column>]`. */
  key: string;
  /** Why the previous release could fail. */
  why: string;
}

/** What this release's migrations have made so far (they may change these freely). */
export interface ReleaseState {
  newTables: Set<string>;
  /** table → column → what the previous release's inserts, which leave it out, get there. */
  newColumns: Map<string, Map<string, NewColumn>>;
  newIndexes: Set<string>;
}

/** A column this release added: a default fills it for the previous release's inserts. */
export interface NewColumn {
  hasDefault: boolean;
  notNull: boolean;
}

type Found = Omit<Finding, 'migration' | 'statement'>;

const found = (key: string, why: string): Found[] => [{ key, why }];

/** Statements that change no table the previous release uses, or only add to it. */
const HARMLESS = [
  /^(insert into|select|analyze|vacuum|comment on|grant|set|create extension|create sequence|create schema)\b/i,
  /^create (type|domain)\b/i,
  /^alter type \S+ add value\b/i,
];

/** A pattern and what a statement (or action) it matches means; the first match decides. */
type Pattern = [RegExp, (m: RegExpExecArray, state: ReleaseState, table: string) => Found[]];

const re = (source: string) => new RegExp(source, 'i');

/** Runs the first pattern that matches `text`; null when none does. */
function firstMatch(patterns: Pattern[], text: string, state: ReleaseState, table = ''): Found[] | null {
  for (const [pattern, meaning] of patterns) {
    const m = pattern.exec(text);
    if (m) return meaning(m, state, table);
  }
  return null;
}

const STATEMENTS: Pattern[] = [
  [
    re(`^create (?:unlogged )?table (?:if not exists )?(${IDENT})`),
    (m, state) => {
      state.newTables.add(bareName(m[1]!));
      return [];
    },
  ],
  [
    re(`^create (unique )?index (?:concurrently )?(?:if not exists )?(${IDENT} )?on (?:only )?(${IDENT})(.*)$`),
    (m, state) => {
      const index = m[2] ? bareName(m[2].trim()) : '(unnamed)';
      state.newIndexes.add(index);
      const table = bareName(m[3]!);
      if (!m[1] || isNewTable(state, table)) return [];
      return uniqueOn(state, table, quotedIdentifiers(m[4]!), `unique index ${index} on ${table}`);
    },
  ],
  [
    re(`^alter table (?:if exists )?(?:only )?(${IDENT}) (.*)$`),
    (m, state) => {
      const table = bareName(m[1]!);
      if (isNewTable(state, table)) return trackNewTable(state, m[2]!);
      return splitTopLevel(m[2]!).flatMap((action) => alterAction(state, table, action));
    },
  ],
  [
    /^drop table (?:if exists )?(.*?)(?: cascade| restrict)?$/i,
    (m, state) =>
      splitTopLevel(m[1]!)
        .map(bareName)
        .filter((t) => !isNewTable(state, t))
        .flatMap((t) => found(`drop table ${t}`, 'the previous release reads and writes this table')),
  ],
  [
    re(`^drop index (?:concurrently )?(?:if exists )?(${IDENT})`),
    (m, state) => {
      const index = bareName(m[1]!);
      if (state.newIndexes.has(index)) return [];
      return found(`drop index ${index}`, 'the previous release may rely on it (a unique index is the target of its `on conflict`)');
    },
  ],
  [
    // A backfill of new columns is expand; rewriting values the previous release wrote changes what they mean to it.
    re(`^update (?:only )?(${IDENT})(?: (?:as )?[a-z_]\\w*)? set (.*?)(?: from .*| where .*)?$`),
    (m, state) => {
      const table = bareName(m[1]!);
      if (isNewTable(state, table)) return [];
      const assigned = splitTopLevel(m[2]!).flatMap((assignment) => {
        const target = assignment.split('=')[0]!.trim();
        return target.startsWith('(') ? quotedIdentifiers(target) : [bareName(target)];
      });
      return assigned
        .filter((column) => !newColumn(state, table, column))
        .flatMap((column) =>
          found(`rewrite column ${table}.${column}`, 'the previous release reads and compares the values it wrote (a re-keyed or renamed value means something else to it)'),
        );
    },
  ],
  [
    re(`^(?:delete from |truncate (?:table )?)(?:only )?(${IDENT})`),
    (m, state) => {
      const table = bareName(m[1]!);
      if (isNewTable(state, table)) return [];
      return found(`delete rows ${table}`, 'the previous release may still need these rows');
    },
  ],
];

/** Findings for one statement, updating `state` with what it creates. */
export function classifyStatement(statement: string, state: ReleaseState): Found[] {
  const known = firstMatch(STATEMENTS, statement, state);
  if (known) return known;
  if (HARMLESS.some((pattern) => pattern.test(statement))) return [];
  const head = statement.split(' ').slice(0, 3).join(' ').toLowerCase();
  return found(`unrecognised ${head}`, 'the policy check does not understand this statement; review it by hand');
}

const isNewTable = (state: ReleaseState, table: string) => state.newTables.has(table);
const newColumn = (state: ReleaseState, table: string, column: string) => state.newColumns.get(table)?.get(column);

/** ALTER TABLE on a table this release created: only a rename needs following. */
function trackNewTable(state: ReleaseState, actions: string): Found[] {
  const rename = re(`^rename to (${IDENT})$`).exec(actions.trim());
  if (rename) state.newTables.add(bareName(rename[1]!));
  return [];
}

const ALTER_ACTIONS: Pattern[] = [
  [
    re(`^add (?:column )?(?:if not exists )?(?!constraint\\b|primary\\b|unique\\b|check\\b|foreign\\b)(${IDENT}) (.*)$`),
    (m, state, table) => addColumn(state, table, bareName(m[1]!), m[2]!),
  ],
  [re(`^add (?:constraint (${IDENT}) )?(.*)$`), (m, state, table) => addConstraint(state, table, m[1] ? bareName(m[1]) : '(unnamed)', m[2]!)],
  [
    re(`^drop (?:column )?(?:if exists )?(?!constraint\\b)(${IDENT})(?: cascade| restrict)?$`),
    (m, state, table) => {
      const column = bareName(m[1]!);
      if (newColumn(state, table, column)) return [];
      return found(`drop column ${table}.${column}`, 'the previous release reads or writes this column');
    },
  ],
  [
    re(`^rename (?:column )?(?!to\\b)(${IDENT}) to (${IDENT})$`),
    (m, state, table) => {
      const [from, to] = [bareName(m[1]!), bareName(m[2]!)];
      const column = newColumn(state, table, from);
      if (!column) return found(`rename column ${table}.${from}`, 'the previous release uses the old name');
      state.newColumns.get(table)!.set(to, column);
      return [];
    },
  ],
  [/^rename to /i, (_m, _state, table) => found(`rename table ${table}`, 'the previous release uses the old name')],
  [
    re(`^drop constraint (?:if exists )?(${IDENT})`),
    (m, _state, table) =>
      found(`drop constraint ${bareName(m[1]!)} on ${table}`, 'the previous release may rely on it (a unique constraint is the target of its `on conflict`)'),
  ],
  [re(`^alter (?:column )?(${IDENT}) (.*)$`), (m, state, table) => alterColumn(state, table, bareName(m[1]!), m[2]!)],
];

/** One action of ALTER TABLE on a table the previous release uses. */
function alterAction(state: ReleaseState, table: string, action: string): Found[] {
  return (
    firstMatch(ALTER_ACTIONS, action, state, table) ??
    found(`unrecognised alter table ${table}`, 'the policy check does not understand this ALTER TABLE action; review it by hand')
  );
}

function addColumn(state: ReleaseState, table: string, column: string, definition: string): Found[] {
  const filled = /\b(default|generated|serial|bigserial|smallserial)\b/i.test(definition);
  const notNull = /\b(not null|primary key)\b/i.test(definition);
  const columns = state.newColumns.get(table) ?? new Map<string, NewColumn>();
  state.newColumns.set(table, columns.set(column, { hasDefault: filled, notNull }));
  if (notNull && !filled) {
    return found(`not null without default ${table}.${column}`, "the previous release's inserts leave this column out");
  }
  if (/\b(unique|primary key)\b/i.test(definition) && filled) {
    return found(`unique column ${table}.${column}`, "the previous release's inserts all get the same default, which the constraint refuses");
  }
  return [];
}

function addConstraint(state: ReleaseState, table: string, name: string, definition: string): Found[] {
  const columns = /\((.*)\)/.exec(definition)?.[1] ?? '';
  const on = `${name} on ${table}`;
  if (/^(unique|primary key)\b/i.test(definition)) return uniqueOn(state, table, quotedIdentifiers(columns), `unique constraint ${on}`);
  const onlyNewColumns = (names: string[]) => names.length > 0 && names.every((c) => newColumn(state, table, c));
  if (/^foreign key\b/i.test(definition)) {
    const from = quotedIdentifiers(/^foreign key \(([^)]*)\)/i.exec(definition)?.[1] ?? '');
    if (onlyNewColumns(from) && from.every((c) => !newColumn(state, table, c)!.hasDefault)) return [];
    return found(`foreign key ${on}`, 'the previous release writes these columns without knowing the reference');
  }
  if (/^check\b/i.test(definition)) {
    const names = quotedIdentifiers(columns);
    if (onlyNewColumns(names)) return [];
    return found(`check constraint ${on}`, 'the previous release may write values the check refuses');
  }
  return found(`unrecognised constraint ${on}`, 'the policy check does not understand this constraint; review it by hand');
}

/** A unique index or constraint is safe only over new columns the previous release leaves null. */
function uniqueOn(state: ReleaseState, table: string, columns: string[], key: string): Found[] {
  const safe = columns.length > 0 && columns.every((c) => newColumn(state, table, c)?.hasDefault === false);
  if (safe) return [];
  return found(key, 'the previous release may write rows the constraint refuses (its inserts were never checked against it)');
}

function alterColumn(state: ReleaseState, table: string, column: string, change: string): Found[] {
  const target = `${table}.${column}`;
  const added = newColumn(state, table, column);
  if (/^set default\b/i.test(change)) {
    if (added) added.hasDefault = true;
    return [];
  }
  if (/^(set statistics|set storage|set compression)\b/i.test(change)) return [];
  if (/^(set data type|type)\b/i.test(change)) {
    if (added) return [];
    return found(`type change ${target}`, 'the previous release writes and reads the old type (a narrower type refuses its values)');
  }
  if (/^drop not null\b/i.test(change)) {
    if (added) {
      added.notNull = false;
      return [];
    }
    return found(`drop not null ${target}`, 'the previous release may not expect NULL when it reads rows the new release writes');
  }
  if (/^set not null\b/i.test(change)) {
    if (added?.hasDefault) {
      added.notNull = true;
      return [];
    }
    return found(`set not null ${target}`, "the previous release's inserts may leave it null");
  }
  if (/^drop default\b/i.test(change)) {
    if (added && !added.notNull) {
      added.hasDefault = false;
      return [];
    }
    return found(`drop default ${target}`, "the previous release's inserts may rely on the default");
  }
  return found(`unrecognised alter column ${target}`, 'the policy check does not understand this change; review it by hand');
}
