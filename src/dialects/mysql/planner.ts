/**
 * MySQL/MariaDB planner: native statements only, never a table rebuild; one statement per
 * change (a few changes take two, each labelled with its change), so a failure names exactly
 * what ran. MySQL commits each DDL statement at once, so the order within a table matters:
 * AUTO_INCREMENT needs a key, PRIMARY KEY columns cannot become nullable, and an index that a
 * foreign key needs cannot be dropped (a replacement is added in the same statement).
 */
import type { Change } from '../../diff/changes.js';
import type { Diff } from '../../diff/differ.js';
import type { ColumnIR, ForeignKeyIR, IndexIR, TableIR } from '../../ir/schema.js';
import type { Plan, PlanOptions, PlanStatement } from '../../plan/plan.js';
import { onlinePlan, pendingKeyChecks, widenFacts } from './online-plan.js';
import { consentUpdate, lossyRule } from '../../plan/lossy.js';
import { mysqlLossyPredicate } from './conversions.js';
import { describeChange } from '../../diff/changes.js';
import { assertNever } from '../../errors.js';
import { objectStatements } from '../../plan/object-statements.js';
import { CASE_RENAME_TABLE, differsOnlyInCase } from '../../diff/case-only.js';
import { namedAfterColumn, servesForeignKey, type MysqlCheckIR, type MysqlTableIR } from './normalise.js';
import { collationCharset, type MysqlSchemaIR } from './introspect.js';
import {
  mysqlCheckSql, mysqlColumnSql, mysqlCreateTableSql, defaultValueSql, mysqlForeignKeySql, isLobType, keyPartsSql, mysqlSql, uniqueName,
} from './sql-builder.js';

const q = mysqlSql.ident;
type TableChange = Extract<Change, { kind: 'renameColumn' | 'addColumn' | 'alterColumn' | 'dropColumn' | 'alterPrimaryKey' | 'addUnique' | 'dropUnique' }>;
const TABLE_CHANGE_KINDS = new Set(['renameColumn', 'addColumn', 'alterColumn', 'dropColumn', 'alterPrimaryKey', 'addUnique', 'dropUnique']);

const sameColumns = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
/** True when `key` can serve a foreign key on `fkCols` (they are its leftmost columns). */
const serves = (key: readonly string[], fkCols: readonly string[]): boolean => fkCols.every((c, i) => key[i] === c);

/** Planning state for one diff. */
class MysqlPlanner {
  readonly statements: PlanStatement[] = [];
  /** Live foreign keys the plan drops (the differ's, and those dropped around a type change). */
  readonly droppedFks = new Set<ForeignKeyIR>();
  /** Live foreign keys dropped around a column type change, re-added at the end. */
  readonly rebuiltFks: { table: string; fk: ForeignKeyIR; change: Change }[] = [];
  /** `addForeignKey` changes already written into a CREATE TABLE. */
  readonly inlined = new Set<ForeignKeyIR>();
  /** `table\0index` of addIndex changes an existing (implicit) index already satisfies. */
  readonly satisfied = new Set<string>();
  /** Names of the keys (indexes, uniques, `PRIMARY`) the plan drops, per live table. */
  readonly droppedKeys = new Map<string, Set<string>>();
  /** Indexes added to keep a foreign key served, per live table. */
  readonly addedSupports = new Map<string, (readonly string[])[]>();
  /** The same stand-in indexes by name (live table, index name, live columns), for {@link dropStandIns}. */
  readonly standIns: { live: string; name: string; columns: readonly string[] }[] = [];

  // Lookups by name are maps built once: a plan stays linear in the schema's size.
  readonly #live = new Map<string, MysqlTableIR>();
  readonly #target = new Map<string, TableIR>();
  /** Live table name → target table name, for tables the target keeps (not dropped ones). */
  readonly #targetOf = new Map<string, string>();
  /** Live column name → target column name, per target table. */
  readonly #columnRenames = new Map<string, Map<string, string>>();
  /** The changes that `tableChanges` groups, per target table, in diff order. */
  readonly #tableChanges = new Map<string, TableChange[]>();
  /** Live names of the tables the plan drops. */
  readonly #droppedTables = new Set<string>();

  constructor(readonly diff: Diff, readonly options: PlanOptions = {}) {
    for (const [target, live] of diff.liveName) this.#targetOf.set(live, target);
    for (const t of diff.from.tables) this.#live.set(t.name, t as MysqlTableIR);
    for (const t of diff.to.tables) this.#target.set(t.name, t);
    for (const r of diff.renames) {
      if (r.kind === 'column') (this.#columnRenames.get(r.table) ?? this.#columnRenames.set(r.table, new Map()).get(r.table)!).set(r.from, r.to);
    }
    for (const c of diff.changes) {
      if (c.kind === 'dropTable') this.#droppedTables.add(c.table.name);
      if (TABLE_CHANGE_KINDS.has(c.kind)) {
        const t = (c as TableChange).table;
        (this.#tableChanges.get(t) ?? this.#tableChanges.set(t, []).get(t)!).push(c as TableChange);
      }
      if (c.kind === 'dropForeignKey') this.droppedFks.add(c.foreignKey);
      if (c.kind === 'dropIndex') this.dropKey(this.liveName(c.table), c.index.name);
      if (c.kind === 'dropUnique' && c.unique.name) this.dropKey(this.liveName(c.table), c.unique.name);
      if (c.kind === 'alterPrimaryKey' && c.from) this.dropKey(this.liveName(c.table), 'PRIMARY');
    }
  }

  liveName(target: string): string { return this.diff.liveName.get(target) ?? target; }
  /** Live table name → target table name, for tables the target keeps. */
  targetName(live: string): string { return this.#targetOf.get(live) ?? live; }
  live(target: string): MysqlTableIR | undefined { return this.#live.get(this.liveName(target)); }
  target(name: string): TableIR | undefined { return this.#target.get(name); }
  dropKey(table: string, name: string): void { (this.droppedKeys.get(table) ?? this.droppedKeys.set(table, new Set()).get(table)!).add(name); }

  /** Live column name → target column name, for a (target) table. */
  renamer(target: string): (col: string) => string {
    const m = this.#columnRenames.get(target);
    return m ? (col) => m.get(col) ?? col : (col) => col;
  }

  /** The change each statement comes from (by position), for the algorithm of its MODIFY COLUMN and its copy check. */
  readonly origins: (Change | undefined)[] = [];

  /** Every MySQL statement runs outside a transaction (DDL commits implicitly): `inTransaction` is false. */
  push(c: Change, sql: string): void { this.add(c, { sql, comment: describeChange(c), inTransaction: false }); }
  add(c: Change | undefined, s: PlanStatement): void { this.statements.push(s); this.origins.push(c); }

  /**
   * `, ADD INDEX fk (cols)` for each surviving foreign key of the live table that would be left
   * without an index once `removed` is gone (MySQL refuses to drop the last index a foreign key
   * can use). `stillThere` lists keys that exist after the statement; `name` maps live column names
   * to the names current when the statement runs.
   */
  supportFor(live: MysqlTableIR, removed: readonly string[], stillThere: readonly (readonly string[])[], name: (c: string) => string): string {
    const dropped = this.droppedKeys.get(live.name) ?? new Set<string>();
    const keys: (readonly string[])[] = [
      ...(live.primaryKey && !dropped.has('PRIMARY') ? [live.primaryKey.columns] : []),
      ...live.uniques.filter((u) => !dropped.has(u.name ?? '')).map((u) => u.columns),
      ...[...live.indexes, ...(live.implicitIndexes ?? [])].filter((i) => !dropped.has(i.name)).map((i) => i.columns),
      ...(this.addedSupports.get(live.name) ?? []),
    ].filter((k) => k !== removed);
    let out = '';
    for (const fk of live.foreignKeys) {
      if (this.droppedFks.has(fk) || !serves(removed, fk.columns)) continue;
      if (keys.some((k) => serves(k, fk.columns)) || stillThere.some((k) => serves(k, fk.columns.map(name)))) continue;
      out += `, ADD INDEX ${q(fk.name!)} (${fk.columns.map((c) => q(name(c))).join(', ')})`;
      (this.addedSupports.get(live.name) ?? this.addedSupports.set(live.name, []).get(live.name)!).push(fk.columns);
      this.standIns.push({ live: live.name, name: fk.name!, columns: fk.columns });
      keys.push(fk.columns);
    }
    return out;
  }

  /**
   * Foreign keys that must be dropped around a column type change (MySQL refuses otherwise):
   * those whose own or referenced columns change type. The live keys are indexed by child and
   * by parent table once, so a plan is linear in the schema's size.
   */
  collectTypeChangeFks(): void {
    type Entry = { fk: ForeignKeyIR; target: string; ord: number };
    const byChild = new Map<string, Entry[]>();
    const byParent = new Map<string, Entry[]>();
    const add = (m: Map<string, Entry[]>, k: string, e: Entry): void => { (m.get(k) ?? m.set(k, []).get(k)!).push(e); };
    let ord = 0;
    for (const t of this.diff.from.tables) {
      const target = this.#targetOf.get(t.name);
      if (target === undefined) continue; // a dropped table: the differ drops its keys
      for (const fk of t.foreignKeys) {
        const e = { fk, target, ord: ord++ };
        add(byChild, t.name, e);
        add(byParent, fk.refTable, e);
      }
    }
    const seen = new Set<ForeignKeyIR>();
    for (const c of this.diff.changes) {
      if (c.kind !== 'alterColumn' || !c.changed.type) continue;
      const table = this.liveName(c.table);
      const col = c.from.name;
      const hits = [
        ...(byChild.get(table) ?? []).filter((e) => e.fk.columns.includes(col)),
        ...(byParent.get(table) ?? []).filter((e) => e.fk.refColumns.includes(col)),
      ].sort((a, b) => a.ord - b.ord);
      for (const { fk, target } of hits) {
        if (this.droppedFks.has(fk) || seen.has(fk)) continue;
        seen.add(fk);
        this.rebuiltFks.push({ table: target, fk, change: c });
      }
    }
    for (const { fk } of this.rebuiltFks) this.droppedFks.add(fk);
  }

  plan(): Plan {
    this.collectTypeChangeFks();
    for (const { table, fk, change } of this.rebuiltFks) {
      this.add(change, {
        sql: `ALTER TABLE ${q(this.liveName(table))} DROP FOREIGN KEY ${q(fk.name!)}`,
        comment: `drop foreign key ${fk.name} while a column it uses changes type`, inTransaction: false,
      });
    }
    const grouped = new Set<string>();
    const created = new Set<string>();
    for (const c of this.diff.changes) {
      if (TABLE_CHANGE_KINDS.has(c.kind)) {
        const t = (c as TableChange).table;
        if (!grouped.has(t)) { grouped.add(t); this.tableChanges(t); }
        continue;
      }
      switch (c.kind) {
        case 'createTable': {
          const inline = c.table.foreignKeys.filter((fk) => fk.refTable === c.table.name || created.has(fk.refTable));
          for (const fk of inline) this.inlined.add(fk);
          created.add(c.table.name);
          this.push(c, mysqlCreateTableSql(c.table, inline));
          break;
        }
        case 'dropTable': this.push(c, `DROP TABLE ${q(c.table.name)}`); break;
        // Where table names are compared in lower case (lower_case_table_names=2) `Users` and
        // `users` are one name: a case-only rename goes through a name of Evolve's own, in one
        // (atomic) statement.
        case 'renameTable': this.push(c, differsOnlyInCase(c.from, c.to)
          ? `RENAME TABLE ${q(c.from)} TO ${q(CASE_RENAME_TABLE)}, ${q(CASE_RENAME_TABLE)} TO ${q(c.to)}`
          : `RENAME TABLE ${q(c.from)} TO ${q(c.to)}`); break;
        case 'addIndex':
          if (this.satisfied.has(`${c.table}\u0000${c.index.name}`)) break;
          this.push(c, `ALTER TABLE ${q(c.table)} ADD ${c.index.unique ? 'UNIQUE ' : ''}INDEX ${q(c.index.name)} ` +
            keyPartsSql(this.target(c.table), c.index.columns, c.index.unique));
          break;
        case 'dropIndex': {
          // Runs before renames: the live names apply.
          const live = this.live(c.table);
          const support = live ? this.supportFor(live, c.index.columns, [], (x) => x) : '';
          this.push(c, `ALTER TABLE ${q(this.liveName(c.table))} DROP INDEX ${q(c.index.name)}${support}`);
          break;
        }
        case 'addForeignKey':
          if (!this.inlined.has(c.foreignKey)) this.push(c, `ALTER TABLE ${q(c.table)} ADD ${mysqlForeignKeySql(c.table, c.foreignKey)}`);
          break;
        case 'dropForeignKey': this.dropForeignKey(c); break;
        case 'renameColumn': case 'addColumn': case 'alterColumn': case 'dropColumn':
        case 'alterPrimaryKey': case 'addUnique': case 'dropUnique':
          break; // grouped above
        case 'addCheck': this.push(c, `ALTER TABLE ${q(c.table)} ADD ${mysqlCheckSql(c.check)}`); break;
        case 'dropCheck': this.dropCheck(c); break;
        case 'alterTableOptions': this.alterTableOptions(c); break;
        case 'createObject': case 'dropObject': case 'replaceObject':
          for (const sql of objectStatements(c)) this.push(c, sql);
          break;
        default: assertNever(c, 'change');
      }
    }
    for (const { table, fk, change } of this.rebuiltFks) {
      // The keys come back under the target's names: their table or a referenced table may
      // have been renamed meanwhile, and so may their columns.
      const refTable = this.targetName(fk.refTable);
      const readd = { ...fk, columns: fk.columns.map(this.renamer(table)), refTable, refColumns: fk.refColumns.map(this.renamer(refTable)) };
      this.add(change, {
        sql: `ALTER TABLE ${q(table)} ADD ${mysqlForeignKeySql(table, readd)}`,
        comment: `restore foreign key ${fk.name} after the type change`, inTransaction: false,
      });
    }
    this.dropStandIns();
    const online = onlinePlan(this.statements, this.origins, this.options, (t) => this.liveName(t),
      new Set(this.diff.changes.flatMap((c) => (c.kind === 'createTable' ? [c.table.name] : []))),
      (c) => widenFacts(this.diff, c, this.options.onlineFacts));
    const statements = [...pendingKeyChecks(this.diff, this.options.onlineFacts), ...online.statements]; // online-foreign-key.ts
    return {
      dialect: 'mysql', changes: this.diff.changes, renames: this.diff.renames, statements, hazards: [], checks: online.checks,
      foreignKeysOff: false,
    };
  }

  /**
   * A stand-in index kept a foreign key served while the index serving it was replaced. Where
   * the target has a key of its own that serves it, the stand-in would stay behind as an index
   * no model holds — invisible to the fingerprint (it serves a key) but there, so a later plan
   * made from the models (a recorded revert) would add it a second time. Drop it at the end.
   */
  dropStandIns(): void {
    for (const s of this.standIns) {
      if (this.#droppedTables.has(s.live)) continue;
      const table = this.targetName(s.live);
      const target = this.target(table) as MysqlTableIR | undefined;
      if (!target) continue;
      const cols = s.columns.map(this.renamer(table));
      // The target's implicit indexes are set aside, not created: the database serves those keys
      // with an index of its own naming — here, the stand-in.
      const own = [...(target.primaryKey ? [target.primaryKey] : []), ...target.uniques, ...target.indexes];
      if (!own.some((k) => k.name !== s.name && serves(k.columns, cols))) continue;
      this.add(undefined, {
        sql: `ALTER TABLE ${q(table)} DROP INDEX ${q(s.name)}`,
        comment: `drop the stand-in index ${s.name}: ${table} has its own index for the key`, inTransaction: false,
      });
    }
  }

  /**
   * DROP CONSTRAINT (MariaDB, MySQL 8.0.19+). A MariaDB column-level check has no constraint
   * to drop: it goes with a MODIFY of its column, which the plan may already have run.
   */
  dropCheck(c: Extract<Change, { kind: 'dropCheck' }>): void {
    const column = (c.check as MysqlCheckIR).column;
    if (column === undefined) { this.push(c, `ALTER TABLE ${q(c.table)} DROP CONSTRAINT ${q(c.check.name!)}`); return; }
    const name = this.renamer(c.table)(column);
    const modified = (this.#tableChanges.get(c.table) ?? []).some((x) => (x.kind === 'alterColumn' || x.kind === 'dropColumn') &&
      (x.kind === 'alterColumn' ? x.to.name : x.column.name) === (x.kind === 'alterColumn' ? name : column));
    const col = this.target(c.table)?.columns.find((x) => x.name === name);
    if (modified || !col) return;
    this.push(c, `ALTER TABLE ${q(c.table)} MODIFY COLUMN ${mysqlColumnSql(col, this.keptColumnCheck(c.table, column))}`);
  }

  /**
   * The expression of a live column-level check (MariaDB) on `liveColumn` that the target still
   * has, so a MODIFY of the column keeps it; undefined when there is none.
   */
  keptColumnCheck(table: string, liveColumn: string): string | undefined {
    const ck = (this.live(table)?.checks ?? []).find((x) => (x as MysqlCheckIR).column === liveColumn);
    if (!ck || !(this.target(table)?.checks ?? []).some((x) => x.expression === ck.expression)) return undefined;
    return ck.expression;
  }

  /**
   * ENGINE = …, and CONVERT TO CHARACTER SET … COLLATE … for a new charset or collation: the
   * IR's columns without a collation of their own follow their table's, so their data is
   * converted with it (DEFAULT CHARSET alone would leave them behind). CONVERT also converts the
   * columns that have their own collation; those are set back right after.
   */
  alterTableOptions(c: Extract<Change, { kind: 'alterTableOptions' }>): void {
    const defaults = (this.diff.from as MysqlSchemaIR).defaults;
    const parts: string[] = [];
    if ((c.from.engine ?? '') !== (c.to.engine ?? '')) parts.push(`ENGINE = ${q(c.to.engine ?? defaults?.engine ?? 'innodb')}`);
    const charsetChanges = (c.from.charset ?? '') !== (c.to.charset ?? '') || (c.from.collation ?? '') !== (c.to.collation ?? '');
    if (charsetChanges) {
      const collation = c.to.collation ?? (c.to.charset ? undefined : defaults?.collation);
      const charset = c.to.charset ?? (collation ? collationCharset(collation) : defaults?.charset);
      parts.push(charset ? `CONVERT TO CHARACTER SET ${q(charset)}${collation ? ` COLLATE ${q(collation)}` : ''}` : 'CONVERT TO CHARACTER SET DEFAULT');
    }
    if (parts.length) this.push(c, `ALTER TABLE ${q(c.table)} ${parts.join(', ')}`);
    if (!charsetChanges) return;
    const target = this.target(c.table);
    const own = (target?.columns ?? []).filter((col) => col.collation);
    if (own.length) {
      const live = this.renamer(c.table);
      const liveOf = (n: string): string => this.live(c.table)?.columns.map((x) => x.name).find((x) => live(x) === n) ?? n;
      const mods = own.map((col) => `MODIFY COLUMN ${mysqlColumnSql(col, this.keptColumnCheck(c.table, liveOf(col.name)))}`);
      this.push(c, `ALTER TABLE ${q(c.table)} ${mods.join(', ')}`);
    }
  }

  /**
   * DROP FOREIGN KEY, and the index MySQL created for it (MySQL keeps that index, which would
   * then show as an index the models do not have) unless something still uses it.
   */
  dropForeignKey(c: Extract<Change, { kind: 'dropForeignKey' }>): void {
    const liveName = this.liveName(c.table);
    this.push(c, `ALTER TABLE ${q(liveName)} DROP FOREIGN KEY ${q(c.foreignKey.name!)}`);
    const live = this.live(c.table);
    const target = this.target(c.table);
    if (!live || !target || this.#droppedTables.has(liveName)) return;
    const fk = c.foreignKey;
    const implicit = (live.implicitIndexes ?? []).find((i) => sameColumns(i.columns, fk.columns) && !this.droppedKeys.get(liveName)?.has(i.name));
    if (!implicit) return;
    const rename = this.renamer(c.table);
    const cols = implicit.columns.map(rename);
    const usedByOther = live.foreignKeys.some((f) => f !== fk && !this.droppedFks.has(f) && serves(implicit.columns, f.columns));
    const wanted = target.indexes.find((i) => i.name === implicit.name && sameColumns(i.columns, cols));
    const servesNew = servesForeignKey({ ...implicit, columns: cols }, target.foreignKeys);
    if (wanted) this.satisfied.add(`${c.table}\u0000${implicit.name}`);
    if (usedByOther || wanted || servesNew) return;
    this.dropKey(liveName, implicit.name);
    this.push(c, `ALTER TABLE ${q(liveName)} DROP INDEX ${q(implicit.name)}`);
  }

  /** The changes of one table, in the order MySQL can carry them out (see the module comment). */
  tableChanges(table: string): void {
    const cs = this.#tableChanges.get(table) ?? [];
    const of = <K extends TableChange['kind']>(k: K): Extract<TableChange, { kind: K }>[] =>
      cs.filter((c): c is Extract<TableChange, { kind: K }> => c.kind === k);
    const pk = of('alterPrimaryKey')[0];
    const oldPk = new Set((pk?.from?.columns ?? []).map(this.renamer(table)));
    const alters = of('alterColumn');
    const loseAuto = alters.filter((a) => a.from.autoIncrement && !a.to.autoIncrement);
    const gainAuto = alters.filter((a) => !a.from.autoIncrement && a.to.autoIncrement);
    // Columns leaving the primary key may become nullable only once the key is gone.
    const afterPk = alters.filter((a) => !gainAuto.includes(a) && !loseAuto.includes(a) && pk && a.to.nullable && oldPk.has(a.to.name));
    const beforePk = alters.filter((a) => !gainAuto.includes(a) && !loseAuto.includes(a) && !afterPk.includes(a));
    const adds = of('addColumn');
    const autoAdds = pk ? adds.filter((a) => a.column.autoIncrement) : [];
    // Columns of the old key go in the key's statement: dropping one alone would change the key.
    const pkDrops = pk ? of('dropColumn').filter((d) => pk.from?.columns.includes(d.column.name)) : [];

    for (const c of of('renameColumn')) {
      this.push(c, `ALTER TABLE ${q(table)} RENAME COLUMN ${q(c.from)} TO ${q(c.to)}${this.renameImplicitIndex(table, c.from)}`);
    }
    for (const c of of('dropUnique')) {
      const live = this.live(table);
      const support = live ? this.supportFor(live, c.unique.columns, [], this.renamer(table)) : '';
      this.push(c, `ALTER TABLE ${q(table)} DROP INDEX ${q(c.unique.name ?? uniqueName(table, c.unique.columns))}${support}`);
    }
    const reindex = new Map<string, IndexIR>();
    for (const c of loseAuto) this.alterColumn(table, c, reindex);
    for (const c of adds) if (!autoAdds.includes(c)) this.push(c, `ALTER TABLE ${q(table)} ADD COLUMN ${mysqlColumnSql(c.column)}`);
    for (const c of beforePk) this.alterColumn(table, c, reindex);
    if (pk) this.primaryKey(table, pk, autoAdds, pkDrops);
    for (const c of afterPk) this.alterColumn(table, c, reindex);
    for (const c of of('dropColumn')) if (!pkDrops.includes(c)) this.push(c, `ALTER TABLE ${q(table)} DROP COLUMN ${q(c.column.name)}`);
    for (const c of gainAuto) this.alterColumn(table, c, reindex);
    const rename = this.renamer(table);
    for (const i of reindex.values()) {
      const cols = i.columns.map(rename);
      this.add(undefined, {
        sql: `ALTER TABLE ${q(table)} ADD INDEX ${q(i.name)} ${keyPartsSql(this.target(table), cols, false)}`,
        comment: `restore index ${i.name} on ${table} for its columns' new types`, inTransaction: false,
      });
    }
    for (const c of of('addUnique')) {
      this.push(c, `ALTER TABLE ${q(table)} ADD UNIQUE KEY ${q(c.unique.name ?? uniqueName(table, c.unique.columns))} ` +
        keyPartsSql(this.target(table), c.unique.columns, true));
    }
  }

  /**
   * MODIFY COLUMN with the full target definition; NULLs take the default first when the column
   * becomes NOT NULL. A column moving between TEXT/BLOB and other types changes how its plain
   * indexes are spelled (a prefix length, or none): they are dropped in the same statement and
   * added back, spelled for the new types, at the end of the table's changes (`reindex`).
   */
  alterColumn(table: string, c: Extract<Change, { kind: 'alterColumn' }>, reindex: Map<string, IndexIR>): void {
    const to: ColumnIR = c.to;
    if (c.changed.generated && !(c.from.generated && to.generated && c.from.generated.stored === to.generated.stored)) {
      this.replaceColumn(table, c, reindex);
      return;
    }
    if (c.changed.nullable && !to.nullable && to.default !== null && !to.generated) {
      // Only reached when the user allowed it: the NOT_NULL_WITH_NULLS hazard blocks otherwise.
      this.push(c, `UPDATE ${q(table)} SET ${q(to.name)} = ${defaultValueSql(to.default)} WHERE ${q(to.name)} IS NULL`);
    }
    if (this.options.convertLossy?.has(c)) this.convertLossy(table, c);
    let drops = '';
    const live = this.live(table);
    if (live && c.changed.type && isLobType(c.from.type) !== isLobType(to.type)) {
      const dropped = this.droppedKeys.get(live.name) ?? new Set<string>();
      for (const i of live.indexes) {
        if (!i.columns.includes(c.from.name) || dropped.has(i.name) || reindex.has(i.name)) continue;
        reindex.set(i.name, i);
        drops += `DROP INDEX ${q(i.name)}${this.supportFor(live, i.columns, [], this.renamer(table))}, `;
      }
    }
    this.push(c, `ALTER TABLE ${q(table)} ${drops}MODIFY COLUMN ${mysqlColumnSql(to, this.keptColumnCheck(table, c.from.name))}`);
  }

  /**
   * A consented lossy type change (plan/lossy.ts): strict mode refuses values MODIFY would cut
   * or not convert, so they are cut or set to NULL first, by the predicate the data check
   * counted with. A NOT NULL column that becomes nullable loses NOT NULL first.
   */
  convertLossy(table: string, c: Extract<Change, { kind: 'alterColumn' }>): void {
    const col = q(c.to.name);
    const pred = mysqlLossyPredicate(col, c.from, c.to);
    const rule = lossyRule(c.from, c.to);
    if (!pred) return;
    if (rule.kind === 'null' && !c.from.nullable) {
      this.push(c, `ALTER TABLE ${q(table)} MODIFY COLUMN ` +
        mysqlColumnSql({ ...c.from, name: c.to.name, nullable: true }, this.keptColumnCheck(table, c.from.name)));
    }
    const update = consentUpdate(rule, q(table), col, pred, (x, n) => `LEFT(${x}, ${n})`);
    if (update) this.push(c, update);
  }

  /**
   * A column that becomes generated, stops being generated, or moves between STORED and
   * VIRTUAL: neither server can MODIFY that, so it is dropped and added in one statement (a
   * generated column's values are computed, so nothing is lost that the target keeps). Its
   * plain indexes go with it and are added back at the end of the table's changes.
   */
  replaceColumn(table: string, c: Extract<Change, { kind: 'alterColumn' }>, reindex: Map<string, IndexIR>): void {
    const live = this.live(table);
    const rename = this.renamer(table);
    let drops = '';
    for (const i of live?.indexes ?? []) {
      if (!i.columns.includes(c.from.name) || this.droppedKeys.get(live!.name)?.has(i.name) || reindex.has(i.name)) continue;
      // Dropped by name: a column dropped and added in one statement keeps its indexes otherwise.
      reindex.set(i.name, i);
      drops += `DROP INDEX ${q(i.name)}, `;
    }
    this.push(c, `ALTER TABLE ${q(table)} ${drops}DROP COLUMN ${q(rename(c.from.name))}, ADD COLUMN ` +
      mysqlColumnSql(c.to, this.keptColumnCheck(table, c.from.name)));
  }

  /**
   * DROP PRIMARY KEY and ADD PRIMARY KEY in one statement (so a foreign key served by the key is
   * never left without an index), with any new AUTO_INCREMENT column (it needs the key at once)
   * and any dropped column of the old key.
   */
  primaryKey(table: string, c: Extract<Change, { kind: 'alterPrimaryKey' }>, autoAdds: readonly Extract<Change, { kind: 'addColumn' }>[],
    drops: readonly Extract<Change, { kind: 'dropColumn' }>[]): void {
    const parts: string[] = [];
    if (c.from) parts.push('DROP PRIMARY KEY');
    for (const d of drops) parts.push(`DROP COLUMN ${q(d.column.name)}`);
    for (const a of autoAdds) parts.push(`ADD COLUMN ${mysqlColumnSql(a.column)}`);
    if (c.to) parts.push(`ADD PRIMARY KEY (${c.to.columns.map(q).join(', ')})`);
    const live = this.live(table);
    const support = live && c.from ? this.supportFor(live, c.from.columns, c.to ? [c.to.columns] : [], this.renamer(table)) : '';
    this.add(c, {
      sql: `ALTER TABLE ${q(table)} ${parts.join(', ')}${support}`, comment: [c, ...drops, ...autoAdds].map(describeChange).join('; '), inTransaction: false,
    });
  }

  /**
   * `, RENAME INDEX` for an index MySQL named after a column (for an unnamed foreign key) when
   * that column is renamed: it takes its key's name, so it is still recognised as the key's own.
   */
  renameImplicitIndex(table: string, column: string): string {
    const live = this.live(table);
    if (!live) return '';
    const dropped = this.droppedKeys.get(live.name);
    let out = '';
    for (const i of live.implicitIndexes ?? []) {
      if (i.columns[0] !== column || dropped?.has(i.name) || !namedAfterColumn(i.name, column)) continue;
      // A key dropped around a type change comes back with the same name: it counts.
      const kept = (f: ForeignKeyIR): boolean => !this.droppedFks.has(f) || this.rebuiltFks.some((r) => r.fk === f);
      const fk = live.foreignKeys.find((f) => sameColumns(f.columns, i.columns) && kept(f));
      if (fk?.name && fk.name !== i.name && !live.indexes.some((x) => x.name === fk.name)) out += `, RENAME INDEX ${q(i.name)} TO ${q(fk.name)}`;
    }
    return out;
  }
}

/** Turn a diff into MySQL/MariaDB statements. */
export function planMysql(diff: Diff, options: PlanOptions = {}): Plan {
  return new MysqlPlanner(diff, options).plan();
}

