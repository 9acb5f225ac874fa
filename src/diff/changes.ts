/**
 * Changes: what differs between two schemas, as values (a discriminated union).
 * Table-scoped changes name the table by its target name; a `renameTable` comes first.
 * Column changes name the column by its target name; a `renameColumn` comes first.
 * Every consumer dispatches exhaustively (`assertNever`), so no change is ever dropped silently.
 */
import type { CheckIR, ColumnIR, ForeignKeyIR, IndexIR, ObjectIR, PrimaryKeyIR, TableIR, UniqueIR } from '../ir/schema.js';
import type { ColumnChangeFlag, FieldChangeKind } from '../ir/fields.js';
import { commentLine } from '../ir/names.js';

/** Which attributes of a column differ (Atlas's change bitset, as named flags). */
export interface ColumnChangeFlags {
  readonly type: boolean;
  readonly nullable: boolean;
  readonly default: boolean;
  readonly autoIncrement: boolean;
  /** The generated-column expression (or whether the column is generated at all). */
  readonly generated: boolean;
  readonly collation: boolean;
  readonly onUpdate: boolean;
}

/** One difference between two schemas, as a value; `kind` says which. */
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
  | { readonly kind: 'dropForeignKey'; readonly table: string; readonly foreignKey: ForeignKeyIR }
  | { readonly kind: 'addCheck'; readonly table: string; readonly check: CheckIR }
  | { readonly kind: 'dropCheck'; readonly table: string; readonly check: CheckIR }
  | {
    readonly kind: 'alterTableOptions'; readonly table: string;
    readonly from: Readonly<Record<string, string>>; readonly to: Readonly<Record<string, string>>;
  }
  /** Objects beyond tables; `reason` says why an unchanged object is recreated (a table it depends on changes). */
  | { readonly kind: 'createObject'; readonly object: ObjectIR; readonly reason?: string }
  | { readonly kind: 'dropObject'; readonly object: ObjectIR; readonly reason?: string }
  | { readonly kind: 'replaceObject'; readonly from: ObjectIR; readonly to: ObjectIR };

/** The kinds of {@link Change}. */
export type ChangeKind = Change['kind'];

// The IR's field rules (src/ir/fields.ts) name column flags and change kinds without importing
// this module; these aliases do not compile unless those names are exactly the flags and are kinds.
type Holds<T extends true> = T;
type SameUnion<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type FlagsMatchFieldRules = Holds<SameUnion<keyof ColumnChangeFlags, ColumnChangeFlag>>;
type FieldChangesAreKinds = Holds<[FieldChangeKind] extends [ChangeKind] ? true : false>;

/** The table a change is about (its target name). */
export function changeTable(c: Change): string {
  switch (c.kind) {
    case 'createTable': case 'dropTable': return c.table.name;
    case 'renameTable': return c.to;
    case 'createObject': case 'dropObject': return c.object.table ?? '';
    case 'replaceObject': return c.to.table ?? '';
    default: return c.table;
  }
}

/**
 * One line describing a change, for plans and messages: always one line, whatever the names and
 * expressions it quotes hold (see {@link commentLine}), so it is safe as a `--` comment.
 */
export function describeChange(c: Change): string {
  return commentLine(changeText(c));
}

function changeText(c: Change): string {
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
    case 'addCheck': return `add check (${c.check.expression}) on ${c.table}`;
    case 'dropCheck': return `drop check (${c.check.expression}) on ${c.table}`;
    case 'alterTableOptions': return `change options of ${c.table} (${optionsText(c.from)} → ${optionsText(c.to)})`;
    case 'createObject': return `${c.reason ? 'recreate' : 'create'} ${objectLabel(c.object)}${c.reason ? ` (${c.reason})` : ''}`;
    case 'dropObject': return `drop ${objectLabel(c.object)}${c.reason ? ` to recreate it (${c.reason})` : ''}`;
    case 'replaceObject': return `replace ${objectLabel(c.to)} (definition changed)`;
  }
}

const KIND_WORDS: Record<ObjectIR['kind'], string> = {
  schema: 'schema', extension: 'extension', collation: 'collation', enum: 'enum type', composite: 'composite type', domain: 'domain',
  sequence: 'sequence', function: 'function', aggregate: 'aggregate', exclusion: 'exclusion constraint',
  view: 'view', materializedView: 'materialized view', index: 'index', trigger: 'trigger', comment: 'comment on',
};

/** "trigger t on table x", "view v": an object as users read it. */
export function objectLabel(o: ObjectIR): string {
  const name = o.table && o.name.startsWith(`${o.table}.`) ? o.name.slice(o.table.length + 1) : o.name;
  if (o.kind === 'comment') return `comment on ${name}`;
  return `${KIND_WORDS[o.kind]} ${name}${o.table ? ` on table ${o.table}` : ''}`;
}

function optionsText(o: Readonly<Record<string, string>>): string {
  const keys = Object.keys(o).sort();
  return keys.length ? keys.map((k) => `${k}=${o[k]}`).join(', ') : 'defaults';
}
