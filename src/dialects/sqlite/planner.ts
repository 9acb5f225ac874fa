/**
 * SQLite planner. ALTER TABLE where SQLite can (rename table/column, add a plain column,
 * drop an unconstrained column); everything else rebuilds the table the way SQLite's own
 * documentation prescribes: new table, copy every row, drop, rename, restore indexes — with
 * foreign key enforcement off around the transaction so nothing cascades, and
 * `PRAGMA foreign_key_check` before commit.
 */
import type { Change } from '../../diff/changes.js';
import type { Diff } from '../../diff/differ.js';
import type { ColumnIR, TableIR } from '../../ir/schema.js';
import type { Plan, PlanOptions, PlanStatement } from '../../plan/plan.js';
import { markRowCopy } from './row-copy.js';
import { consentedValue, lossyRule } from '../../plan/lossy.js';
import { sqliteLossyPredicate } from './conversions.js';
import { describeChange } from '../../diff/changes.js';
import { assertNever } from '../../errors.js';
import { objectStatements } from '../../plan/object-statements.js';
import { CASE_RENAME_TABLE, differsOnlyInCase } from '../../diff/case-only.js';
import { sqliteColumnSql, sqliteCreateIndexSql, sqliteCreateTableSql, sqliteDefaultSql, sqliteSql } from './sql-builder.js';

const q = sqliteSql.ident;
type AlterColumn = Extract<Change, { kind: 'alterColumn' }>;

/** Lookups over one diff, built once per plan: a plan of thousands of changes stays linear. */
interface DiffIndex {
  readonly from: Map<string, TableIR>;
  readonly to: Map<string, TableIR>;
  /** alterColumn changes by table, then by the column's new name. */
  readonly alters: Map<string, Map<string, AlterColumn>>;
  /** Column renames by table: new name → live name. */
  readonly renamed: Map<string, Map<string, string>>;
}

function indexDiff(diff: Diff): DiffIndex {
  const byName = (tables: readonly TableIR[]): Map<string, TableIR> => {
    const m = new Map<string, TableIR>();
    for (const t of tables) if (!m.has(t.name)) m.set(t.name, t);
    return m;
  };
  const alters = new Map<string, Map<string, AlterColumn>>();
  for (const c of diff.changes) {
    if (c.kind !== 'alterColumn') continue;
    let m = alters.get(c.table);
    if (!m) alters.set(c.table, m = new Map());
    if (!m.has(c.to.name)) m.set(c.to.name, c);
  }
  const renamed = new Map<string, Map<string, string>>();
  for (const r of diff.renames) {
    if (r.kind !== 'column') continue;
    let m = renamed.get(r.table);
    if (!m) renamed.set(r.table, m = new Map());
    m.set(r.to, r.from);
  }
  return { from: byName(diff.from.tables), to: byName(diff.to.tables), alters, renamed };
}

/** Can `ALTER TABLE ADD COLUMN` add this column? */
function addable(c: ColumnIR): boolean {
  if (c.autoIncrement) return false;
  if (c.generated) return !c.generated.stored;
  if (c.default?.kind === 'expression') return false;
  return c.nullable || c.default !== null;
}

/** Can `ALTER TABLE DROP COLUMN` drop this column of `live`? */
function droppable(live: TableIR, col: string): boolean {
  if (live.primaryKey?.columns.includes(col)) return false;
  if (live.uniques.some((u) => u.columns.includes(col))) return false;
  if (live.foreignKeys.some((f) => f.columns.includes(col))) return false;
  // SQLite refuses to drop a column a CHECK or a generated column reads, or a stored generated one.
  const mentions = (expr: string): boolean => new RegExp(`(^|[^\\w$])["\`[]?${col.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["\`\\]]?($|[^\\w$])`, 'i').test(expr);
  if ((live.checks ?? []).some((c) => mentions(c.expression))) return false;
  if (live.columns.some((c) => c.generated && (c.name === col ? c.generated.stored : mentions(c.generated.expression)))) return false;
  return true;
}

/** Tables (by target name) that need a rebuild. */
function tablesToRebuild(diff: Diff, ix: DiffIndex): Set<string> {
  const out = new Set<string>();
  const created = new Set(diff.changes.filter((c) => c.kind === 'createTable').map((c) => (c as { table: TableIR }).table.name));
  for (const c of diff.changes) {
    switch (c.kind) {
      case 'addColumn': if (!addable(c.column)) out.add(c.table); break;
      case 'dropColumn': {
        const live = ix.from.get(diff.liveName.get(c.table) ?? c.table);
        if (!live || !droppable(live, c.column.name)) out.add(c.table);
        break;
      }
      case 'alterColumn': case 'addUnique': case 'dropUnique': case 'alterPrimaryKey':
      case 'addCheck': case 'dropCheck': case 'alterTableOptions':
        out.add(c.table); break;
      case 'createObject': case 'dropObject': case 'replaceObject': break;
      case 'addForeignKey': if (!created.has(c.table)) out.add(c.table); break;
      case 'dropForeignKey': if (ix.to.has(c.table)) out.add(c.table); break;
      case 'createTable': case 'dropTable': case 'renameTable': case 'renameColumn': case 'addIndex': case 'dropIndex': break;
      default: assertNever(c, 'change');
    }
  }
  return out;
}

/** The statements that rebuild `target` from the live table (already renamed to the target name). */
function rebuildStatements(diff: Diff, ix: DiffIndex, target: TableIR, options: PlanOptions): PlanStatement[] {
  const liveName = diff.liveName.get(target.name) ?? target.name;
  const live = ix.from.get(liveName)!;
  const tmp = `_evolve_new_${target.name}`;
  const why = `rebuild ${target.name} (SQLite cannot ALTER this)`;
  const renamedFrom = ix.renamed.get(target.name) ?? new Map<string, string>();
  const alters = ix.alters.get(target.name);
  const into: string[] = [];
  const select: string[] = [];
  for (const c of target.columns) {
    const liveCol = renamedFrom.get(c.name) ?? c.name;
    const old = live.columns.find((x) => x.name === liveCol);
    if (!old || c.generated) continue; // new column: takes its default; generated: computed
    into.push(q(c.name));
    // Renamed columns already carry their new names (ALTER TABLE RENAME COLUMN runs first, so
    // SQLite also rewrites the foreign keys of other tables that reference them).
    // NULLs in a column that becomes NOT NULL take its default (only reached with consent).
    // A consented lossy type change cuts or NULLs the values that do not convert (plan/lossy.ts).
    const alter = alters?.get(c.name);
    const pred = alter && options.convertLossy?.has(alter) ? sqliteLossyPredicate(q(c.name), alter.from, alter.to) : null;
    const value = pred ? consentedValue(lossyRule(alter!.from, alter!.to), q(c.name), pred, q(c.name), (x, n) => `substr(${x}, 1, ${n})`) : q(c.name);
    select.push(!c.nullable && old.nullable && c.default ? `coalesce(${value}, ${sqliteDefaultSql(c.default)})` : value);
  }
  const out: PlanStatement[] = [{ sql: sqliteCreateTableSql(target, tmp), comment: why, inTransaction: true }];
  if (into.length) {
    out.push(markRowCopy({
      sql: `INSERT INTO ${q(tmp)} (${into.join(', ')}) SELECT ${select.join(', ')} FROM ${q(target.name)}`,
      comment: `${why}: copy every row`, inTransaction: true,
    }, target.name));
  }
  if (live.columns.some((c) => c.autoIncrement) && target.columns.some((c) => c.autoIncrement)) {
    out.push({
      sql: `UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = ${sqliteSql.literal(target.name)})` +
        ` WHERE name = ${sqliteSql.literal(tmp)} AND seq < (SELECT seq FROM sqlite_sequence WHERE name = ${sqliteSql.literal(target.name)})`,
      comment: `${why}: keep the AUTOINCREMENT counter`, inTransaction: true,
    });
  }
  out.push({ sql: `DROP TABLE ${q(target.name)}`, comment: why, inTransaction: true });
  // legacy_alter_table keeps SQLite from re-checking views and triggers that name the dropped table.
  out.push({ sql: 'PRAGMA legacy_alter_table = ON', comment: why, inTransaction: true });
  out.push({ sql: `ALTER TABLE ${q(tmp)} RENAME TO ${q(target.name)}`, comment: why, inTransaction: true });
  out.push({ sql: 'PRAGMA legacy_alter_table = OFF', comment: why, inTransaction: true });
  for (const i of target.indexes) out.push({ sql: sqliteCreateIndexSql(target.name, i), comment: `${why}: restore index ${i.name}`, inTransaction: true });
  return out;
}

export function planSqlite(diff: Diff, options: PlanOptions = {}): Plan {
  const ix = indexDiff(diff);
  const rebuild = tablesToRebuild(diff, ix);
  const rebuilt = new Set<string>();
  const statements: PlanStatement[] = [];
  const push = (c: Change, sql: string): void => { statements.push({ sql, comment: describeChange(c), inTransaction: true }); };
  for (const c of diff.changes) {
    if (c.kind === 'createObject' || c.kind === 'dropObject' || c.kind === 'replaceObject') {
      for (const sql of objectStatements(c)) push(c, sql);
      continue;
    }
    const t = c.kind === 'createTable' || c.kind === 'dropTable' ? c.table.name : c.kind === 'renameTable' ? c.to : c.table;
    const inRebuild = rebuild.has(t);
    switch (c.kind) {
      case 'createTable':
        push(c, sqliteCreateTableSql(c.table));
        for (const i of c.table.indexes) push(c, sqliteCreateIndexSql(c.table.name, i));
        break;
      case 'dropTable': push(c, `DROP TABLE ${q(c.table.name)}`); break;
      case 'renameTable':
        // SQLite takes `Users` and `users` for one name ("there is already another table"):
        // a case-only rename goes through a name of Evolve's own.
        if (differsOnlyInCase(c.from, c.to)) {
          push(c, `ALTER TABLE ${q(c.from)} RENAME TO ${q(CASE_RENAME_TABLE)}`);
          push(c, `ALTER TABLE ${q(CASE_RENAME_TABLE)} RENAME TO ${q(c.to)}`);
        } else push(c, `ALTER TABLE ${q(c.from)} RENAME TO ${q(c.to)}`);
        break;
      case 'dropIndex': push(c, `DROP INDEX ${q(c.index.name)}`); break;
      case 'addIndex': if (!inRebuild) push(c, sqliteCreateIndexSql(c.table, c.index)); break;
      case 'addForeignKey': case 'dropForeignKey': break; // in CREATE TABLE, or by rebuild
      // Always renamed in place, before any rebuild of the table: SQLite then rewrites every
      // foreign key that references the column (a rebuild's copy would leave them dangling).
      case 'renameColumn': push(c, `ALTER TABLE ${q(c.table)} RENAME COLUMN ${q(c.from)} TO ${q(c.to)}`); break;
      case 'addColumn': if (!inRebuild) push(c, `ALTER TABLE ${q(c.table)} ADD COLUMN ${sqliteColumnSql(c.column, false)}`); break;
      case 'dropColumn': if (!inRebuild) push(c, `ALTER TABLE ${q(c.table)} DROP COLUMN ${q(c.column.name)}`); break;
      case 'alterColumn': case 'addUnique': case 'dropUnique': case 'alterPrimaryKey':
      case 'addCheck': case 'dropCheck': case 'alterTableOptions':
        break; // by rebuild
      default: assertNever(c, 'change');
    }
    if (inRebuild && !rebuilt.has(t) && c.kind !== 'dropIndex' && c.kind !== 'renameTable' && c.kind !== 'dropForeignKey' && c.kind !== 'renameColumn') {
      rebuilt.add(t);
      statements.push(...rebuildStatements(diff, ix, ix.to.get(t)!, options));
    }
  }
  for (const t of rebuild) if (!rebuilt.has(t)) statements.push(...rebuildStatements(diff, ix, ix.to.get(t)!, options));
  const foreignKeysOff = rebuild.size > 0 || diff.changes.some((c) => c.kind === 'dropTable');
  return { dialect: 'sqlite', changes: diff.changes, renames: diff.renames, statements, hazards: [], checks: [], foreignKeysOff };
}
