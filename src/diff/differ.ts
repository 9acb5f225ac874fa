/**
 * The generic differ: live schema → desired schema, as an ordered list of changes.
 * Both sides must already be normalised by the same dialect. Renames come only from `aka`
 * on the desired side; nothing is guessed.
 */
import type { ColumnIR, ForeignKeyIR, IndexIR, SchemaIR, TableIR, UniqueIR } from '../ir/schema.js';
import { COLUMN_ATTRIBUTES } from '../ir/fields.js';
import { isEvolveTable } from '../ir/canonical.js';
import { EvolveError, ErrorCode } from '../errors.js';
import type { Change, ColumnChangeFlags } from './changes.js';
import { canonicalOptions } from '../ir/canonical.js';
import { diffObjects } from './objects.js';
import { CONSERVATIVE_DIFF_HOOKS, type DiffHooks } from './hooks.js';
import { caseOnlyPairs } from './case-only.js';
export type { DiffHooks } from './hooks.js';

/**
 * A rename the plan uses: justified by an `aka`, or a case-only rename (the desired name differs
 * from the live one only in case, see `case-only.ts`).
 */
export interface Rename {
  readonly kind: 'table' | 'column';
  readonly table: string;
  readonly from: string;
  readonly to: string;
}

/** The result of a diff. */
export interface Diff {
  readonly from: SchemaIR;
  readonly to: SchemaIR;
  readonly changes: readonly Change[];
  readonly renames: readonly Rename[];
  /** Target table name → live table name, for every matched table. */
  readonly liveName: ReadonlyMap<string, string>;
}

const key = (v: unknown): string => JSON.stringify(v);

// The comparisons below run for every column, index and key of every table (15,000 columns at
// 1,000 tables): plain equality, no JSON, with the same meaning as comparing canonical forms.
function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same index (`live` with its columns already renamed) as canonicalIndex would say: name, columns, unique, predicate. */
function sameIndex(live: IndexIR, liveColumns: readonly string[], target: IndexIR): boolean {
  return live.name === target.name && live.unique === target.unique && live.where === target.where && sameList(liveColumns, target.columns);
}

function sameOptions(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const empty = (o: Readonly<Record<string, string>> | undefined): boolean => { for (const _ in o) return false; return true; };
  if (empty(a) && empty(b)) return true;
  return key(canonicalOptions(a) ?? {}) === key(canonicalOptions(b) ?? {});
}

function renameCols(cols: readonly string[], map: ReadonlyMap<string, string>): string[] {
  return cols.map((c) => map.get(c) ?? c);
}

/** Flags with nothing changed, in the order `describeChange` lists them (every flag: the compiler checks). */
const NO_CHANGE: Readonly<Record<keyof ColumnChangeFlags, false>> = {
  type: false, nullable: false, default: false, autoIncrement: false, generated: false, collation: false, onUpdate: false,
};

/**
 * What differs between two matched columns, or null when nothing does (no object built for the
 * unchanged ones): every attribute of `COLUMN_FIELDS` (src/ir/fields.ts), each setting its flag.
 */
function columnFlags(a: ColumnIR, b: ColumnIR): ColumnChangeFlags | null {
  let changed: { -readonly [K in keyof ColumnChangeFlags]: boolean } | null = null;
  for (const rule of COLUMN_ATTRIBUTES) {
    if (!rule.same(a, b)) (changed ??= { ...NO_CHANGE })[rule.flag] = true;
  }
  return changed;
}

/**
 * True when the live keys, with renames applied as the key comparison below applies them, are
 * the target's keys one for one in the same order (then neither side has a key the other lacks).
 */
function sameForeignKeys(
  live: readonly ForeignKeyIR[], target: readonly ForeignKeyIR[], mapped: (cols: readonly string[]) => readonly string[],
  targetOfLive: ReadonlyMap<string, string>, columnRenames: ReadonlyMap<string, ReadonlyMap<string, string>>,
): boolean {
  if (live.length !== target.length) return false;
  for (let i = 0; i < live.length; i++) {
    const f = live[i]!;
    const g = target[i]!;
    const refTable = targetOfLive.get(f.refTable) ?? f.refTable;
    if (refTable !== g.refTable || f.onDelete !== g.onDelete || f.onUpdate !== g.onUpdate) return false;
    if (!sameList(mapped(f.columns), g.columns)) return false;
    const renamed = columnRenames.get(refTable);
    if (!sameList(renamed?.size ? f.refColumns.map((c) => renamed.get(c) ?? c) : f.refColumns, g.refColumns)) return false;
  }
  return true;
}

/**
 * True when the target's columns have the live columns' names in the same order and none has
 * an aka: matching by name then pairs each with the live column at its position, renames none,
 * adds and drops none. (Names within a table are unique: a database, compiled models and SQL
 * sources cannot give a table two columns of one name.)
 */
function alignedColumns(live: readonly ColumnIR[], target: readonly ColumnIR[]): boolean {
  if (live.length !== target.length) return false;
  for (let i = 0; i < target.length; i++) {
    const c = target[i]!;
    if (c.name !== live[i]!.name || c.aka?.length) return false;
  }
  return true;
}

/** Live table names in scope of a diff (Evolve's own tables never are). */
function liveTables(schema: SchemaIR): TableIR[] {
  return schema.tables.filter((t) => !isEvolveTable(t.name));
}

/**
 * Match each desired table with a live one: by name, then by a former name (`aka`), then by a
 * name that differs only in case; a rename found is added to `renames`. Returns target name → live table.
 * @throws EvolveError `E_CONFLICT` when an `aka` is ambiguous against the live schema.
 */
function matchTables(live: ReadonlyMap<string, TableIR>, desired: readonly TableIR[], renames: Rename[]): Map<string, TableIR> {
  const matched = new Map<string, TableIR>(); // target name → live table
  const claimed = new Set<string>();
  const desiredNames = new Set(desired.map((t) => t.name));
  // Former names first: a table renamed away from a name another model table takes (`y` aka `x`,
  // and a new `x`) is renamed, and the new one created, whatever order the models list them in.
  for (const t of desired) {
    if (live.has(t.name)) {
      const both = (t.aka ?? []).filter((a) => live.has(a) && !desiredNames.has(a));
      if (both.length) {
        throw new EvolveError(ErrorCode.Conflict, `Table '${t.name}' has former name '${both[0]}', and the database has both '${t.name}' and '${both[0]}'.`, {
          hint: `Evolve cannot tell which one holds the data. Drop or rename '${both[0]}' yourself, or remove it from the aka of '${t.name}'.`,
          details: { table: t.name, aka: both[0] },
        });
      }
      continue;
    }
    const formers = (t.aka ?? []).filter((a) => live.has(a) && !claimed.has(a));
    if (formers.length > 1) {
      throw new EvolveError(ErrorCode.Conflict,
        `Table '${t.name}' has former names ${formers.map((a) => `'${a}'`).join(' and ')}, and the database has all of them.`, {
          hint: `Evolve cannot tell which one holds the data. Drop or rename all but one of ${formers.map((a) => `'${a}'`).join(', ')} yourself, ` +
            `or keep only that one in the aka of '${t.name}'.`,
          details: { table: t.name, aka: formers },
        });
    }
    const former = formers[0];
    if (former !== undefined) {
      matched.set(t.name, live.get(former)!);
      claimed.add(former);
      renames.push({ kind: 'table', table: t.name, from: former, to: t.name });
    }
  }
  // Then by name: a live table another one was renamed from is not this one (it is created).
  for (const t of desired) {
    if (live.has(t.name) && !claimed.has(t.name)) {
      matched.set(t.name, live.get(t.name)!);
      claimed.add(t.name);
    }
  }
  // A desired table still unmatched whose name differs from an unclaimed live one's only in case.
  if (matched.size < desired.length && claimed.size < live.size) {
    const free = [...live.keys()].filter((n) => !claimed.has(n));
    for (const [to, from] of caseOnlyPairs(desired.filter((t) => !matched.has(t.name)).map((t) => t.name), free)) {
      matched.set(to, live.get(from)!);
      claimed.add(from);
      renames.push({ kind: 'table', table: to, from, to });
    }
  }
  return matched;
}

/**
 * What a caller already knows about the two schemas of a diff: `sameTables`, names of tables
 * both hold with the same canonical form (`fingerprintPair` finds them while fingerprinting
 * both). The differ compares only what the canonical form holds (src/ir/fields.ts), so it skips
 * their columns, indexes and constraints; it still matches them and compares their foreign keys.
 */
export interface DiffKnown {
  readonly sameTables?: ReadonlySet<string>;
}

const unrenamed = (cols: readonly string[]): readonly string[] => cols;
const NO_RENAMES: ReadonlyMap<string, string> = new Map();

/** A matched pair of tables, and the live column names as the target names them (after renames). */
interface TablePair {
  readonly t: TableIR;
  readonly old: TableIR;
  readonly mapped: (cols: readonly string[]) => readonly string[];
}

/** How the columns of a matched table pair up with the live table's. */
interface ColumnMatch {
  /** Same names in the same order and no aka: each column is the live one at its position (the maps stay empty). */
  readonly aligned: boolean;
  /** Target column → live column. */
  readonly colMatch: ReadonlyMap<string, ColumnIR>;
  /** Live columns matched. */
  readonly colClaimed: ReadonlySet<string>;
  /** Live name → target name, for every renamed column. */
  readonly renameMap: ReadonlyMap<string, string>;
}

/**
 * Match the columns of target table `t` with those of its live table `old`: by name, then by
 * aka, then by a name that differs only in case; a rename found is added to `renames`.
 * @throws EvolveError `E_CONFLICT` when an `aka` is ambiguous against the live table.
 */
function matchColumns(t: TableIR, old: TableIR, renames: Rename[]): ColumnMatch {
  // Columns: match by name, then by aka. The common case, the same names in the same order
  // and no aka, matches each column with the live one at its position: no maps.
  const aligned = alignedColumns(old.columns, t.columns);
  const oldCols = new Map<string, ColumnIR>();
  const colMatch = new Map<string, ColumnIR>(); // target column → live column
  const colClaimed = new Set<string>();
  const renameMap = new Map<string, string>(); // live name → target name
  if (!aligned) {
    for (const c of old.columns) oldCols.set(c.name, c);
    for (const c of t.columns) {
      if (oldCols.has(c.name)) {
        const both = c.aka?.length ? c.aka.filter((a) => oldCols.has(a)) : [];
        if (both.length) {
          throw new EvolveError(ErrorCode.Conflict, `Column '${t.name}.${c.name}' has former name '${both[0]}', and the database table has both columns.`, {
            hint: `Evolve cannot tell which one holds the data. Drop or rename '${old.name}.${both[0]}' yourself, or remove it from the aka of '${c.name}'.`,
            details: { table: t.name, column: c.name, aka: both[0] },
          });
        }
        colMatch.set(c.name, oldCols.get(c.name)!);
        colClaimed.add(c.name);
      }
    }
    for (const c of t.columns) {
      if (colMatch.has(c.name)) continue;
      const formers = c.aka?.length ? c.aka.filter((a) => oldCols.has(a) && !colClaimed.has(a)) : [];
      if (formers.length > 1) {
        throw new EvolveError(ErrorCode.Conflict,
          `Column '${t.name}.${c.name}' has former names ${formers.map((a) => `'${a}'`).join(' and ')}, and the database table has all of them.`, {
            hint: 'Evolve cannot tell which one holds the data. Drop or rename all but one of ' +
              `${formers.map((a) => `'${old.name}.${a}'`).join(', ')} yourself, or keep only that one in the aka of '${c.name}'.`,
            details: { table: t.name, column: c.name, aka: formers },
          });
      }
      const former = formers[0];
      if (former !== undefined) {
        colMatch.set(c.name, oldCols.get(former)!);
        colClaimed.add(former);
        renameMap.set(former, c.name);
        renames.push({ kind: 'column', table: t.name, from: former, to: c.name });
      }
    }
    // A column still unmatched whose name differs from an unclaimed live one's only in case.
    if (colMatch.size < t.columns.length && colClaimed.size < old.columns.length) {
      const free = old.columns.filter((c) => !colClaimed.has(c.name)).map((c) => c.name);
      for (const [to, from] of caseOnlyPairs(t.columns.filter((c) => !colMatch.has(c.name)).map((c) => c.name), free)) {
        colMatch.set(to, oldCols.get(from)!);
        colClaimed.add(from);
        renameMap.set(from, to);
        renames.push({ kind: 'column', table: t.name, from, to });
      }
    }
  }
  return { aligned, colMatch, colClaimed, renameMap };
}

/** Index changes of a matched table (by name; compared after column renames). Dropped first so names can be reused. */
function diffIndexes(
  t: TableIR, old: TableIR, mappedView: (cols: readonly string[]) => readonly string[], dropIndexes: Change[], addIndexes: Change[],
): void {
  const oldIdx = new Map<string, { index: IndexIR; columns: readonly string[] }>();
  for (const i of old.indexes) if (!oldIdx.has(i.name)) oldIdx.set(i.name, { index: i, columns: mappedView(i.columns) });
  const newIdx = new Map(t.indexes.map((i) => [i.name, i]));
  const changedIdx = new Set<string>();
  for (const [name, o] of oldIdx) {
    const n = newIdx.get(name);
    if (!n || !sameIndex(o.index, o.columns, n)) { dropIndexes.push({ kind: 'dropIndex', table: t.name, index: o.index }); changedIdx.add(name); }
  }
  for (const [name, n] of newIdx) {
    if (!oldIdx.has(name) || changedIdx.has(name)) addIndexes.push({ kind: 'addIndex', table: t.name, index: n });
  }
}

/** Column changes of a matched table, in order: renames, adds, changes, drops. */
function diffColumns(t: TableIR, old: TableIR, columns: ColumnMatch, tableChanges: Change[]): void {
  const { colMatch, colClaimed, renameMap } = columns;
  if (columns.aligned) {
    for (let i = 0; i < t.columns.length; i++) {
      const o = old.columns[i]!;
      const c = t.columns[i]!;
      const changed = columnFlags(o, c);
      if (changed) tableChanges.push({ kind: 'alterColumn', table: t.name, from: o, to: c, changed });
    }
  } else {
    for (const [from, to] of renameMap) tableChanges.push({ kind: 'renameColumn', table: t.name, from, to });
    for (const c of t.columns) if (!colMatch.has(c.name)) tableChanges.push({ kind: 'addColumn', table: t.name, column: c });
    for (const c of t.columns) {
      const o = colMatch.get(c.name);
      if (!o) continue;
      const changed = columnFlags(o, c);
      if (changed) tableChanges.push({ kind: 'alterColumn', table: t.name, from: o, to: c, changed });
    }
    for (const o of old.columns) if (!colClaimed.has(o.name)) tableChanges.push({ kind: 'dropColumn', table: t.name, column: o });
  }
}

/** Changes of a matched table's primary key, unique constraints, CHECK constraints and storage options (in that order). */
function diffConstraints(t: TableIR, old: TableIR, mappedView: (cols: readonly string[]) => readonly string[], tableChanges: Change[]): void {
  // Primary key.
  const oldPk = old.primaryKey ? mappedView(old.primaryKey.columns) : null;
  const newPk = t.primaryKey ? t.primaryKey.columns : null;
  if (oldPk === null || newPk === null ? oldPk !== newPk : !sameList(oldPk, newPk)) {
    tableChanges.push({ kind: 'alterPrimaryKey', table: t.name, from: old.primaryKey, to: t.primaryKey });
  }

  // Unique constraints (by columns, after renames).
  if (old.uniques.length || t.uniques.length) {
    const oldU = new Map(old.uniques.map((u) => [key(mappedView(u.columns)), u]));
    const newU = new Map(t.uniques.map((u) => [key(u.columns), u]));
    for (const [k, u] of oldU) if (!newU.has(k)) tableChanges.push({ kind: 'dropUnique', table: t.name, unique: u as UniqueIR });
    for (const [k, u] of newU) if (!oldU.has(k)) tableChanges.push({ kind: 'addUnique', table: t.name, unique: u });
  }

  // CHECK constraints (by expression; a column rename changes the text, so drop and add).
  if (old.checks?.length || t.checks?.length) {
    const oldChecks = new Map((old.checks ?? []).map((ck) => [ck.expression, ck]));
    const newChecks = new Map((t.checks ?? []).map((ck) => [ck.expression, ck]));
    for (const [e, ck] of oldChecks) if (!newChecks.has(e)) tableChanges.push({ kind: 'dropCheck', table: t.name, check: ck });
    for (const [e, ck] of newChecks) if (!oldChecks.has(e)) tableChanges.push({ kind: 'addCheck', table: t.name, check: ck });
  }

  // Storage options.
  if (!sameOptions(old.options, t.options)) {
    tableChanges.push({ kind: 'alterTableOptions', table: t.name, from: old.options ?? {}, to: t.options ?? {} });
  }
}

/**
 * Foreign key changes of the matched tables (by structure, after renames — of their columns,
 * and of the table and columns they reference: databases carry a reference along when its
 * target is renamed).
 */
function diffForeignKeys(
  pairs: readonly TablePair[], matched: ReadonlyMap<string, TableIR>, columnRenames: ReadonlyMap<string, ReadonlyMap<string, string>>,
  dropFks: Change[], addFks: Change[],
): void {
  const targetOfLive = new Map([...matched].map(([target, l]) => [l.name, target]));
  // Keys only meet each other here: any one-to-one encoding of the canonical fields will do.
  const fkKey = (f: ForeignKeyIR, cols: readonly string[], refTable: string, refColumns: readonly string[]): string =>
    key([cols, refTable, refColumns, f.onDelete, f.onUpdate]);
  for (const { t, old, mapped } of pairs) {
    // The same keys in the same order (after renames) cannot differ: no maps, no key texts.
    if (sameForeignKeys(old.foreignKeys, t.foreignKeys, mapped, targetOfLive, columnRenames)) continue;
    const oldFk = new Map(old.foreignKeys.map((f) => {
      const refTable = targetOfLive.get(f.refTable) ?? f.refTable;
      const refCols = f.refColumns.map((c) => columnRenames.get(refTable)?.get(c) ?? c);
      return [fkKey(f, mapped(f.columns), refTable, refCols), f] as const;
    }));
    const newFk = new Map(t.foreignKeys.map((f) => [fkKey(f, f.columns, f.refTable, f.refColumns), f]));
    for (const [k, f] of oldFk) if (!newFk.has(k)) dropFks.push({ kind: 'dropForeignKey', table: t.name, foreignKey: f });
    for (const [k, f] of newFk) if (!oldFk.has(k)) addFks.push({ kind: 'addForeignKey', table: t.name, foreignKey: f });
  }
}

/** Whether a column of `t` names former names (an indexed loop: once per table per command, in V8's interpreter). */
function anyColumnAka(t: TableIR): boolean {
  const columns = t.columns;
  for (let k = 0; k < columns.length; k++) if (columns[k]!.aka?.length) return true;
  return false;
}

/**
 * Diff two normalised schemas of the same dialect. `hooks` are the dialect's policies
 * (`dialect.diff(from, to)` passes them); without them every table change recreates the objects
 * that depend on the table. `known`: what the caller already found comparing the two (see
 * {@link DiffKnown}); the changes are the same without it.
 * @throws EvolveError `E_CONFLICT` when an `aka` is ambiguous against the live schema.
 */
export function diffSchemas(from: SchemaIR, to: SchemaIR, hooks: DiffHooks = CONSERVATIVE_DIFF_HOOKS, known: DiffKnown = {}): Diff {
  const live = new Map(liveTables(from).map((t) => [t.name, t]));
  const desired = liveTables(to);
  const renames: Rename[] = [];
  const matched = matchTables(live, desired, renames); // target name → live table

  const changes: Change[] = [];
  const dropFks: Change[] = [];
  const dropIndexes: Change[] = [];
  const tableRenames: Change[] = [];
  const creates: Change[] = [];
  const tableChanges: Change[] = [];
  const addIndexes: Change[] = [];
  const addFks: Change[] = [];
  const drops: Change[] = [];
  const pairs: TablePair[] = [];
  const columnRenames = new Map<string, ReadonlyMap<string, string>>(); // target table → live column → target column

  for (const t of desired) {
    const old = matched.get(t.name);
    if (!old) {
      creates.push({ kind: 'createTable', table: t });
      for (const fk of t.foreignKeys) addFks.push({ kind: 'addForeignKey', table: t.name, foreignKey: fk });
      continue;
    }
    if (old.name !== t.name) tableRenames.push({ kind: 'renameTable', from: old.name, to: t.name });
    if (known.sameTables?.has(t.name) && old.name === t.name && !anyColumnAka(t)) {
      // The same canonical form, no column matched by a former name: no column, index or
      // constraint changes. Its foreign keys are still compared below (a table they reference may be renamed).
      pairs.push({ t, old, mapped: unrenamed });
      columnRenames.set(t.name, NO_RENAMES);
      continue;
    }

    const columns = matchColumns(t, old, renames);
    const renameMap = columns.renameMap;
    const mapped = renameMap.size ? (cols: readonly string[]): string[] => renameCols(cols, renameMap) : (cols: readonly string[]): string[] => [...cols];
    const mappedView = renameMap.size ? mapped : (cols: readonly string[]): readonly string[] => cols; // read-only uses: no copy

    diffIndexes(t, old, mappedView, dropIndexes, addIndexes);

    // Foreign keys are compared once every table's renames are known (below).
    pairs.push({ t, old, mapped: mappedView });
    columnRenames.set(t.name, renameMap);

    diffColumns(t, old, columns, tableChanges);
    diffConstraints(t, old, mappedView, tableChanges);
  }

  diffForeignKeys(pairs, matched, columnRenames, dropFks, addFks);

  const claimedLive = new Set([...matched.values()].map((t) => t.name));
  for (const t of live.values()) {
    if (claimedLive.has(t.name)) continue;
    for (const fk of t.foreignKeys) dropFks.push({ kind: 'dropForeignKey', table: t.name, foreignKey: fk });
    drops.push({ kind: 'dropTable', table: t });
  }

  const liveName = new Map([...matched].map(([k, v]) => [k, v.name]));
  const tablePart = [...dropFks, ...dropIndexes, ...tableRenames, ...creates, ...tableChanges, ...addIndexes, ...addFks, ...drops];
  const objects = diffObjects(from, to, tablePart, liveName, hooks);
  changes.push(...objects.dropFirst, ...objects.createBeforeTables, ...tablePart, ...objects.dropAfterTables, ...objects.createLast);
  return { from, to, changes, renames, liveName };
}
