/**
 * Builders of literal IR for the golden cases (test/unit/golden-cases.ts): columns, tables and
 * schemas written in the form a dialect's introspector reports them, so that each case reads
 * as the two schemas it compares. No database, no models: plain data.
 */
import type { ChangeKind } from '../../src/diff/changes.js';
import type {
  CheckIR, ColumnIR, ColumnType, DialectName, ForeignKeyIR, IndexIR, ObjectIR, ReferentialAction, SchemaIR, TableIR,
} from '../../src/ir/schema.js';

/** One golden case: two schemas (live → desired) for each dialect it runs on. */
export interface GoldenCase {
  readonly name: string;
  /** What the case shows (printed in the planner goldens). */
  readonly about: string;
  /** Dialects the case runs on (default: all three). A shorter list says why in `about`. */
  readonly dialects?: readonly DialectName[];
  /**
   * Plan as `apply --allow-data-loss` does once the data checks found rows: consent to every
   * allowable lossy type change (`PlanOptions.convertLossy`).
   */
  readonly consentLossy?: boolean;
  /** The live schema (as introspected) and the desired one (as the models or SQL sources say). */
  build(dialect: DialectName): { readonly from: SchemaIR; readonly to: SchemaIR };
}

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres', 'mysql'];

type SimpleKind = 'integer' | 'bigint' | 'real' | 'text' | 'boolean' | 'date' | 'json' | 'bytes' | 'uuid';

/** A nullable column without default unless `extra` says otherwise. */
export function col(name: string, type: SimpleKind | ColumnType, extra: Partial<ColumnIR> = {}): ColumnIR {
  return { name, type: typeof type === 'string' ? ({ kind: type } as ColumnType) : type, nullable: true, default: null, autoIncrement: false, ...extra };
}

export const varchar = (length: number): ColumnType => ({ kind: 'varchar', length });
export const decimal = (precision: number, scale: number): ColumnType => ({ kind: 'decimal', precision, scale });
export const raw = (sql: string): ColumnType => ({ kind: 'raw', sql });
export const NOT_NULL = { nullable: false } as const;
export const value = (v: string | number | boolean): Pick<ColumnIR, 'default'> => ({ default: { kind: 'value', value: v } });
export const expression = (sql: string): Pick<ColumnIR, 'default'> => ({ default: { kind: 'expression', sql } });

/** An auto-increment integer primary key column. */
export const serialId = (name = 'id'): ColumnIR => col(name, 'integer', { nullable: false, autoIncrement: true });

/** A table with no keys, indexes or constraints unless `extra` gives them. */
export function tbl(name: string, columns: readonly ColumnIR[], extra: Partial<TableIR> = {}): TableIR {
  return { name, columns, primaryKey: null, uniques: [], indexes: [], foreignKeys: [], ...extra };
}

export const pk = (...columns: string[]): Pick<TableIR, 'primaryKey'> => ({ primaryKey: { name: null, columns } });
export const idx = (name: string, columns: string[], extra: Partial<IndexIR> = {}): IndexIR => ({ name, columns, unique: false, where: null, ...extra });
export const check = (name: string | null, expr: string): CheckIR => ({ name, expression: expr });
export function fk(columns: string[], refTable: string, refColumns: string[], onDelete: ReferentialAction = 'no action', extra: Partial<ForeignKeyIR> = {}): ForeignKeyIR {
  return { name: null, columns, refTable, refColumns, onDelete, onUpdate: 'no action', ...extra };
}

/** `author(id, name)`: the parent table of most cases. */
export function author(extraColumns: readonly ColumnIR[] = [], extra: Partial<TableIR> = {}): TableIR {
  return tbl('author', [serialId(), col('name', varchar(100), NOT_NULL), ...extraColumns], { ...pk('id'), ...extra });
}

/** `book(id, author_id → author, title, price)` with an index on title. */
export function book(extraColumns: readonly ColumnIR[] = [], extra: Partial<TableIR> = {}): TableIR {
  return tbl('book', [
    serialId(), col('author_id', 'integer'), col('title', 'text', NOT_NULL), col('price', decimal(10, 2), value(0)), ...extraColumns,
  ], { ...pk('id'), indexes: [idx('book_title_idx', ['title'])], foreignKeys: [fk(['author_id'], 'author', ['id'], 'cascade')], ...extra });
}

/**
 * The index MySQL creates for a foreign key that no key serves (named after the constraint,
 * as the MySQL normaliser names unnamed keys): what introspection of a MySQL database shows.
 */
function withImplicitIndexes(t: TableIR): TableIR {
  const keys = [...(t.primaryKey ? [t.primaryKey.columns] : []), ...t.uniques.map((u) => u.columns), ...t.indexes.map((i) => i.columns)];
  const serving = (cols: readonly string[]): boolean => keys.some((k) => cols.every((c, i) => k[i] === c));
  const extra = t.foreignKeys.filter((f) => !serving(f.columns)).map((f) => idx(f.name ?? `${t.name}_${f.columns.join('_')}_fkey`, [...f.columns]));
  return extra.length ? { ...t, indexes: [...t.indexes, ...extra] } : t;
}

/** A live schema as `dialect` introspects it (MySQL: with its implicit foreign-key indexes). */
export function live(dialect: DialectName, tables: readonly TableIR[], objects: readonly ObjectIR[] = []): SchemaIR {
  return { dialect, tables: dialect === 'mysql' ? tables.map(withImplicitIndexes) : tables, ...(objects.length ? { objects } : {}) };
}

/** A desired schema. */
export function desired(dialect: DialectName, tables: readonly TableIR[], objects: readonly ObjectIR[] = []): SchemaIR {
  return { dialect, tables, ...(objects.length ? { objects } : {}) };
}

/** A case whose schemas are the same tables on every dialect. */
export function tables(name: string, about: string, from: readonly TableIR[], to: readonly TableIR[], more: Partial<GoldenCase> = {}): GoldenCase {
  return { name, about, ...more, build: (d) => ({ from: live(d, from), to: desired(d, to) }) };
}

/**
 * Every `Change` kind, as a Record the compiler checks: a new kind in src/diff/changes.ts does
 * not compile here until it is listed (and then the coverage tests fail until a case makes it).
 */
const KINDS: Record<ChangeKind, true> = {
  createTable: true, dropTable: true, renameTable: true, addColumn: true, dropColumn: true, renameColumn: true, alterColumn: true,
  addIndex: true, dropIndex: true, addUnique: true, dropUnique: true, alterPrimaryKey: true, addForeignKey: true, dropForeignKey: true,
  addCheck: true, dropCheck: true, alterTableOptions: true, createObject: true, dropObject: true, replaceObject: true,
};
export const CHANGE_KINDS: readonly ChangeKind[] = Object.keys(KINDS) as ChangeKind[];
