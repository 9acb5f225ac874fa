/**
 * Foreign keys the database would refuse, or accept and then fail on (issue 15 point 14):
 * a key must reference a column set the referenced table holds unique — its primary key, a
 * unique constraint or a (whole-table) unique index over exactly those columns — and each
 * column must be of the referenced column's kind. SQLite accepts either mistake and then fails
 * every later insert ("foreign key mismatch"); MySQL refuses it only after creating the table.
 */
import type { ColumnType, ForeignKeyIR, TableIR } from '../ir/schema.js';
import { typeToString } from '../ir/types.js';
import { EvolveError, ErrorCode } from '../errors.js';

/** The kinds of value a key compares: two types of one family can reference each other; a raw type has none (never refused). */
function family(t: ColumnType): string | null {
  switch (t.kind) {
    case 'integer': case 'bigint': return 'integer';
    case 'text': case 'varchar': return 'text';
    case 'raw': return null;
    default: return t.kind;
  }
}

/** How names compare: as written, or case-insensitively (SQLite, which takes `ID` for `id`). */
type Same = (a: string, b: string) => boolean;
const exact: Same = (a, b) => a === b;
const folded: Same = (a, b) => a.toLowerCase() === b.toLowerCase();

const sameSet = (a: readonly string[], b: readonly string[], same: Same): boolean =>
  a.length === b.length && a.every((c) => b.some((x) => same(c, x)));

/** True when `table` holds the column set `columns` unique: its primary key, a unique constraint or a unique index without WHERE. */
export function holdsUnique(table: TableIR, columns: readonly string[], same: Same = exact): boolean {
  if (table.primaryKey && sameSet(table.primaryKey.columns, columns, same)) return true;
  if (table.uniques.some((u) => sameSet(u.columns, columns, same))) return true;
  return table.indexes.some((i) => i.unique && i.where === null && sameSet(i.columns, columns, same));
}

const list = (cols: readonly string[]): string => cols.join(', ');

/** Options of {@link checkForeignKeys}. */
export interface ForeignKeyCheck {
  /** Where the schema comes from, for the message (` in SQL file 'x.sql'`); empty for models. */
  readonly where?: string;
  /** Check the columns' types too (models; a SQL file's types the database has judged). */
  readonly types?: boolean;
  /** Names compare case-insensitively (SQLite). */
  readonly foldCase?: boolean;
}

/**
 * Refuse a foreign key of `schema` whose referenced columns are not held unique by the
 * referenced table, or (`types`) whose columns are of another kind than the ones they
 * reference. Keys to tables not in the schema are not checked (the database has them, or not).
 * @throws EvolveError `E_MODEL_INVALID` naming the key, the referenced columns and the fix.
 */
export function checkForeignKeys(tables: readonly TableIR[], options: ForeignKeyCheck = {}): void {
  const fold = options.foldCase === true;
  const byName = new Map<string, TableIR>();
  for (const t of tables) byName.set(fold ? t.name.toLowerCase() : t.name, t);
  for (const t of tables) for (const fk of t.foreignKeys) checkForeignKey(t, fk, byName, options);
}

function checkForeignKey(table: TableIR, fk: ForeignKeyIR, byName: ReadonlyMap<string, TableIR>, options: ForeignKeyCheck): void {
  const same = options.foldCase ? folded : exact;
  const target = byName.get(options.foldCase ? fk.refTable.toLowerCase() : fk.refTable);
  if (!target) return;
  // The messages' parts, made only for a message.
  const ref = (): string => `'${fk.refTable}' (${list(fk.refColumns)})`;
  const key = (): string => `The foreign key (${list(fk.columns)}) of table '${table.name}'${options.where ?? ''}`;
  if (!holdsUnique(target, fk.refColumns, same)) {
    throw new EvolveError(ErrorCode.ModelInvalid,
      `${key()} references ${ref()}, which is neither the primary key of '${fk.refTable}' nor unique there: ` +
      'the database cannot enforce it (SQLite fails every later insert with "foreign key mismatch").', {
        hint: `Reference the primary key of '${fk.refTable}'${target.primaryKey ? ` (${list(target.primaryKey.columns)})` : ''}, ` +
          `or make (${list(fk.refColumns)}) unique there (${options.where ? `UNIQUE (${list(fk.refColumns)}) in its CREATE TABLE`
            : '.unique() on one column, unique: [[…]] in its table options'}).`,
        details: { table: table.name, columns: fk.columns, refTable: fk.refTable, refColumns: fk.refColumns },
      });
  }
  if (options.types === false) return;
  fk.columns.forEach((c, i) => {
    const col = table.columns.find((x) => same(x.name, c));
    const refCol = target.columns.find((x) => same(x.name, fk.refColumns[i]!));
    if (!col || !refCol) return;
    const a = family(col.type);
    const b = family(refCol.type);
    if (a === null || b === null || a === b) return;
    throw new EvolveError(ErrorCode.ModelInvalid,
      `${key()}: column '${table.name}.${c}' is ${typeToString(col.type)}, but the column it references, ` +
      `'${fk.refTable}.${refCol.name}', is ${typeToString(refCol.type)}: a key and what it references must be of one type.`, {
        hint: `Give '${table.name}.${c}' the type of '${fk.refTable}.${refCol.name}' (${typeToString(refCol.type)}).`,
        details: { table: table.name, column: c, refTable: fk.refTable, refColumn: refCol.name },
      });
  });
}
