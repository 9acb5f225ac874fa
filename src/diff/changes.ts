/**
 * Changes: what differs between two schemas, as values (a discriminated union).
 * Table-scoped changes name the table by its target name; a `renameTable` comes first.
 * Column changes name the column by its target name; a `renameColumn` comes first.
 * Every consumer dispatches exhaustively (`assertNever`), so no change is ever dropped silently.
 */
import type { ColumnIR, ForeignKeyIR, IndexIR, PrimaryKeyIR, TableIR, UniqueIR } from '../ir/schema.js';

/** Which attributes of a column differ (Atlas's change bitset, as named flags). */
export interface ColumnChangeFlags {
  readonly type: boolean;
  readonly nullable: boolean;
  readonly default: boolean;
  readonly autoIncrement: boolean;
}

export type Change =
  | { readonly kind: 'createTable'; readonly table: TableIR }
  | { readonly kind: 'dropTable'; readonly table: TableIR }
  | { readonly kind: 'renameTable'; readonly from: string; readonly to: string }
  | { readonly kind: 'addColumn'; readonly table: string; readonly column: ColumnIR }
  | { readonly kind: 'dropColumn'; readonly table: string; readonly column: ColumnIR }
  | { readonly kind: 'renameColumn'; readonly table: string; readonly from: string; readonly to: string }
  | { readonly kind: 'alterColumn'; readonly table: string; readonly from: ColumnIR; readonly to: ColumnIR; readonly changed: ColumnChangeFlags }
  | { readonly kind: 'addIndex'; readonly table: string; readonly index: IndexIR }
  | { readonly kind: 'dropIndex'; readonly table: string; readonly index: IndexIR }
  | { readonly kind: 'addUnique'; readonly table: string; readonly unique: UniqueIR }
  | { readonly kind: 'dropUnique'; readonly table: string; readonly unique: UniqueIR }
  | { readonly kind: 'alterPrimaryKey'; readonly table: string; readonly from: PrimaryKeyIR | null; readonly to: PrimaryKeyIR | null }
  | { readonly kind: 'addForeignKey'; readonly table: string; readonly foreignKey: ForeignKeyIR }
  | { readonly kind: 'dropForeignKey'; readonly table: string; readonly foreignKey: ForeignKeyIR };

export type ChangeKind = Change['kind'];

/** The table a change is about (its target name). */
export function changeTable(c: Change): string {
  switch (c.kind) {
    case 'createTable': case 'dropTable': return c.table.name;
    case 'renameTable': return c.to;
    default: return c.table;
  }
}

/** One line describing a change, for plans and messages. */
export function describeChange(c: Change): string {
  switch (c.kind) {
    case 'createTable': return `create table ${c.table.name}`;
    case 'dropTable': return `drop table ${c.table.name}`;
    case 'renameTable': return `rename table ${c.from} to ${c.to}`;
    case 'addColumn': return `add column ${c.table}.${c.column.name}`;
    case 'dropColumn': return `drop column ${c.table}.${c.column.name}`;
    case 'renameColumn': return `rename column ${c.table}.${c.from} to ${c.to}`;
    case 'alterColumn': {
      const what = (Object.keys(c.changed) as (keyof ColumnChangeFlags)[]).filter((k) => c.changed[k]);
      return `alter column ${c.table}.${c.to.name} (${what.join(', ')})`;
    }
    case 'addIndex': return `add index ${c.index.name} on ${c.table}`;
    case 'dropIndex': return `drop index ${c.index.name} on ${c.table}`;
    case 'addUnique': return `add unique (${c.unique.columns.join(', ')}) on ${c.table}`;
    case 'dropUnique': return `drop unique (${c.unique.columns.join(', ')}) on ${c.table}`;
    case 'alterPrimaryKey': return `change primary key of ${c.table} to (${c.to?.columns.join(', ') ?? 'none'})`;
    case 'addForeignKey': return `add foreign key ${c.table}(${c.foreignKey.columns.join(', ')}) → ${c.foreignKey.refTable}`;
    case 'dropForeignKey': return `drop foreign key ${c.table}(${c.foreignKey.columns.join(', ')}) → ${c.foreignKey.refTable}`;
  }
}
