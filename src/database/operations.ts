/**
 * The operations API (M11) given to each numbered upgrade step. Dialect-independent: every
 * schema operation introspects the live schema, edits a copy of it, diffs the two and runs the
 * dialect's own plan for the difference on the step's connection (inside the step's
 * transaction where the dialect has one). So SQLite table rebuilds, quoting and native ALTERs
 * are the planner's, exactly as `apply` would do them.
 */
import type { OpenDatabase } from './database.js';
import type { Row } from '../dialects/connection.js';
import type { DialectName, ForeignKeyIR, IndexIR, SchemaIR, TableIR } from '../ir/schema.js';
import { isEvolveTable } from '../ir/canonical.js';
import { compileTableModel, defaultIndexName } from '../model/compile.js';
import { table, type IndexBuilder, type Table } from '../model/table.js';
import type { ColumnBuilder } from '../model/column.js';
import { EvolveError, ErrorCode } from '../errors.js';

/** What a step can do. Every method runs at once, on the step's connection. */
export interface Operations {
  /** The dialect of the database being upgraded. */
  readonly dialect: DialectName;
  /** Is there a table `name`? */
  hasTable(name: string): Promise<boolean>;
  /** Does `table` have a column `column`? (false when the table does not exist) */
  hasColumn(table: string, column: string): Promise<boolean>;
  /** Create a table from a model (its foreign keys may reference tables that exist in the database). */
  createTable(model: Table): Promise<void>;
  /** Drop a table (foreign keys of other tables that reference it are dropped first). */
  dropTable(name: string): Promise<void>;
  /** Rename a table; its data, indexes and keys stay. */
  renameTable(from: string, to: string): Promise<void>;
  /** Add a column: `addColumn('person', 'age', integer().notNull().default(0))`. */
  addColumn(table: string, name: string, column: ColumnBuilder): Promise<void>;
  /** Drop a column (and the indexes, unique constraints and foreign keys that include it). */
  dropColumn(table: string, name: string): Promise<void>;
  /** Rename a column; its data stays. */
  renameColumn(table: string, from: string, to: string): Promise<void>;
  /** Change a column's type, nullability and default to those of `column` (data converted by the dialect). */
  alterColumn(table: string, name: string, column: ColumnBuilder): Promise<void>;
  /** Create an index: `createIndex('person', index('person_name_idx').on('name'))`. */
  createIndex(table: string, index: IndexBuilder): Promise<void>;
  /** Drop the index named `name` (on `table`, when given). */
  dropIndex(name: string, table?: string): Promise<void>;
  /** Run raw SQL (one statement, or several where the driver allows). */
  sql(statement: string): Promise<void>;
  /** Run a query or data change with positional parameters (`?` on SQLite/MySQL, `$1` on PostgreSQL); returns its rows. */
  query(statement: string, params?: readonly unknown[]): Promise<Row[]>;
}

function conflict(message: string, hint: string): EvolveError {
  return new EvolveError(ErrorCode.Conflict, message, { hint });
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const userTables = (s: SchemaIR): TableIR[] => s.tables.filter((t) => !isEvolveTable(t.name));
const mustTable = (tables: readonly TableIR[], name: string): TableIR => {
  const t = tables.find((x) => x.name === name);
  if (!t) throw conflict(`There is no table '${name}'.`, 'Check the table name (ops.hasTable tells whether it exists).');
  return t;
};
const mustColumn = (t: TableIR, name: string): void => {
  if (!t.columns.some((c) => c.name === name)) {
    throw conflict(`Table '${t.name}' has no column '${name}'.`, 'Check the column name (ops.hasColumn tells whether it exists).');
  }
};
const replace = (tables: TableIR[], name: string, fn: (t: Mutable<TableIR>) => TableIR): TableIR[] =>
  tables.map((t) => (t.name === name ? fn({ ...t }) : t));
const dropFksWhere = (tables: TableIR[], pred: (t: TableIR, fk: ForeignKeyIR) => boolean): TableIR[] =>
  tables.map((t) => ({ ...t, foreignKeys: t.foreignKeys.filter((fk) => !pred(t, fk)) }));

/** The tables with `from` renamed to `to`, and the foreign keys that reference it following. */
function renameTableIn(tables: TableIR[], from: string, to: string): TableIR[] {
  mustTable(tables, from);
  if (tables.some((t) => t.name === to)) {
    throw conflict(`Cannot rename '${from}' to '${to}': table '${to}' exists.`, 'Pick a free name, or drop the other table first.');
  }
  return tables.map((t) => ({
    ...t,
    ...(t.name === from ? { name: to, aka: [from] } : {}),
    foreignKeys: t.foreignKeys.map((fk) => (fk.refTable === from ? { ...fk, refTable: to } : fk)),
  }));
}

/** The tables without column `name` of `tableName`, nor the keys, indexes and foreign keys that include it. */
function dropColumnIn(tables: TableIR[], tableName: string, name: string): TableIR[] {
  mustColumn(mustTable(tables, tableName), name);
  const has = (cols: readonly string[]): boolean => cols.includes(name);
  const others = dropFksWhere(tables, (t, fk) => fk.refTable === tableName && has(fk.refColumns) && t.name !== tableName);
  return others.map((x) => (x.name !== tableName ? x : {
    ...x,
    columns: x.columns.filter((c) => c.name !== name),
    primaryKey: x.primaryKey && has(x.primaryKey.columns) ? null : x.primaryKey,
    uniques: x.uniques.filter((u) => !has(u.columns)),
    indexes: x.indexes.filter((i) => !has(i.columns)),
    foreignKeys: x.foreignKeys.filter((fk) => !has(fk.columns) && !(fk.refTable === tableName && has(fk.refColumns))),
  }));
}

/** The tables with column `from` of `tableName` renamed to `to` in its keys, indexes and the foreign keys on either side. */
function renameColumnIn(tables: TableIR[], tableName: string, from: string, to: string): TableIR[] {
  const t = mustTable(tables, tableName);
  mustColumn(t, from);
  if (t.columns.some((c) => c.name === to)) {
    throw conflict(`Cannot rename '${tableName}.${from}' to '${to}': the column exists.`, 'Pick a free name, or drop the other column first.');
  }
  const ren = (cols: readonly string[]): string[] => cols.map((c) => (c === from ? to : c));
  return tables.map((x) => ({
    ...x,
    ...(x.name === tableName ? {
      columns: x.columns.map((c) => (c.name === from ? { ...c, name: to, aka: [from] } : c)),
      primaryKey: x.primaryKey ? { ...x.primaryKey, columns: ren(x.primaryKey.columns) } : null,
      uniques: x.uniques.map((u) => ({ ...u, columns: ren(u.columns) })),
      indexes: x.indexes.map((i) => ({ ...i, columns: ren(i.columns) })),
    } : {}),
    foreignKeys: x.foreignKeys.map((fk) => ({
      ...fk,
      ...(x.name === tableName ? { columns: ren(fk.columns) } : {}),
      ...(fk.refTable === tableName ? { refColumns: ren(fk.refColumns) } : {}),
    })),
  }));
}

/** The tables with the index `builder` defines added to `tableName`. */
function createIndexIn(tables: TableIR[], tableName: string, builder: IndexBuilder): TableIR[] {
  const t = mustTable(tables, tableName);
  const def = builder.definition();
  if (def.using !== null || def.parts.length !== def.columns.length) {
    throw new EvolveError(ErrorCode.ModelInvalid,
      `createIndex('${tableName}'): index ${def.name ?? ''} is on an expression or has a method, which createIndex() does not create.`, {
      hint: 'Create it with ops.sql(`CREATE INDEX …`), or leave it to the models (evolve apply).', details: { table: tableName, index: def.name },
    });
  }
  for (const c of def.columns) mustColumn(t, c);
  const idx: IndexIR = {
    name: def.name ?? defaultIndexName(tableName, def.columns), columns: def.columns, unique: def.unique, where: def.where,
  };
  if (tables.some((x) => x.indexes.some((i) => i.name === idx.name))) throw conflict(`An index named '${idx.name}' exists.`, 'Pick another index name.');
  return replace(tables, tableName, (x) => ({ ...x, indexes: [...x.indexes, idx] }));
}

/** The tables without the index `name` (looked for on `tableName` only, when given). */
function dropIndexIn(tables: TableIR[], name: string, tableName: string | undefined): TableIR[] {
  const owners = tables.filter((t) => (tableName === undefined || t.name === tableName) && t.indexes.some((i) => i.name === name));
  if (owners.length === 0) throw conflict(`There is no index '${name}'${tableName ? ` on '${tableName}'` : ''}.`, 'Check the index name.');
  if (owners.length > 1) {
    throw conflict(`Index name '${name}' is on several tables (${owners.map((t) => t.name).join(', ')}).`, 'Name the table: ops.dropIndex(name, table).');
  }
  return replace(tables, owners[0]!.name, (x) => ({ ...x, indexes: x.indexes.filter((i) => i.name !== name) }));
}

/** Operations on `d`; `onStatement` sees each SQL statement run by a schema operation. */
export function operations(d: OpenDatabase, onStatement?: (sql: string) => void): Operations {
  const conn = d.conn;
  /** One column compiled and normalised as the dialect would report it, with its unique/FK. */
  const compileColumn = (tableName: string, name: string, builder: ColumnBuilder): TableIR => {
    const t = compileTableModel(table(tableName, { [name]: builder }));
    return d.dialect.normalise({ dialect: d.dialect.name, tables: [t] }).tables[0]!;
  };
  /** Edit a copy of the live schema and run the dialect's plan for the difference. */
  const change = async (edit: (tables: TableIR[]) => TableIR[]): Promise<void> => {
    const live = await d.introspect();
    const tables = edit(userTables(live).map((t) => ({ ...t })));
    // Objects beyond tables stay, but for those on a table the edit dropped.
    const objects = (live.objects ?? []).filter((o) => o.table === null || tables.some((t) => t.name === o.table));
    const target: SchemaIR = { ...live, tables, objects };
    const plan = d.dialect.plan(d.dialect.diff(live, target));
    for (const s of plan.statements) {
      onStatement?.(s.sql);
      await conn.execute(s.sql);
    }
  };

  return {
    dialect: d.dialect.name,
    async hasTable(name) {
      return userTables(await d.introspect()).some((t) => t.name === name);
    },
    async hasColumn(tableName, column) {
      const t = userTables(await d.introspect()).find((x) => x.name === tableName);
      return !!t && t.columns.some((c) => c.name === column);
    },
    createTable: (model) => change((tables) => {
      const t = d.dialect.normalise({ dialect: d.dialect.name, tables: [compileTableModel(model)] }).tables[0]!;
      if (tables.some((x) => x.name === t.name)) {
        throw conflict(`Table '${t.name}' already exists.`, 'Guard the step with `if (!(await ops.hasTable(...)))`, or drop the table first.');
      }
      for (const fk of t.foreignKeys) {
        if (fk.refTable !== t.name && !tables.some((x) => x.name === fk.refTable)) {
          throw conflict(`Table '${t.name}' references '${fk.refTable}', which does not exist.`, 'Create the referenced table first.');
        }
      }
      return [...tables, { ...t, aka: [] }];
    }),
    dropTable: (name) => change((tables) => {
      mustTable(tables, name);
      return dropFksWhere(tables, (_, fk) => fk.refTable === name).filter((t) => t.name !== name);
    }),
    renameTable: (from, to) => change((tables) => renameTableIn(tables, from, to)),
    addColumn: (tableName, name, builder) => change((tables) => {
      const t = mustTable(tables, tableName);
      if (t.columns.some((c) => c.name === name)) {
        throw conflict(`Table '${tableName}' already has a column '${name}'.`, 'Guard the step with `if (!(await ops.hasColumn(...)))`.');
      }
      const c = compileColumn(tableName, name, builder);
      return replace(tables, tableName, (x) => ({
        ...x, columns: [...x.columns, { ...c.columns[0]!, aka: [] }],
        uniques: [...x.uniques, ...c.uniques], foreignKeys: [...x.foreignKeys, ...c.foreignKeys],
      }));
    }),
    dropColumn: (tableName, name) => change((tables) => dropColumnIn(tables, tableName, name)),
    renameColumn: (tableName, from, to) => change((tables) => renameColumnIn(tables, tableName, from, to)),
    alterColumn: (tableName, name, builder) => change((tables) => {
      mustColumn(mustTable(tables, tableName), name);
      const c = compileColumn(tableName, name, builder).columns[0]!;
      return replace(tables, tableName, (x) => ({
        ...x, columns: x.columns.map((o) => (o.name === name ? { ...c, autoIncrement: o.autoIncrement, aka: [] } : o)),
      }));
    }),
    createIndex: (tableName, builder) => change((tables) => createIndexIn(tables, tableName, builder)),
    dropIndex: (name, tableName) => change((tables) => dropIndexIn(tables, name, tableName)),
    async sql(statement) {
      onStatement?.(statement);
      await conn.execute(statement);
    },
    query: (statement, params) => conn.query(statement, params ?? []),
  };
}
