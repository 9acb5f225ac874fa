/**
 * One Drizzle column as a column of Evolve's model DSL. The type is the SQL type Drizzle itself
 * writes for the column (`getSQLType()`, what drizzle-kit puts in a migration): a type the DSL
 * names with the same meaning becomes that type (`integer`, `varchar(80)`, `numeric(10, 2)`,
 * …), any other is kept as its text, as `rawType()` keeps it, and read by the dialect as its
 * introspection reports it. Serial and identity columns, auto-increment, NOT NULL, defaults
 * (literal or `sql`) and generated columns follow; what exists only in the application
 * (`$defaultFn`, `$onUpdate`, `$type`, a `mode`) is not part of the schema. What the DSL cannot
 * state is refused (`E_UNSUPPORTED`), never left out.
 */
import { EvolveError, ErrorCode } from '../../errors.js';
import { parseDslTypeName } from '../../ir/types.js';
import type { ColumnType } from '../../ir/schema.js';
import { ColumnBuilder, rawType } from '../column.js';
import { isPlainName } from '../objects.js';
import type { DrizzleTableKind } from './detect.js';
import { asSql, isDrizzleSql, drizzleSqlText } from './sql-text.js';

/** What Evolve reads of a Drizzle column (`drizzle-orm`'s `Column`). */
export interface DrizzleColumn {
  readonly name: string;
  readonly columnType: string;
  readonly notNull: boolean;
  readonly primary: boolean;
  readonly default?: unknown;
  readonly isUnique: boolean;
  readonly uniqueName?: string;
  readonly uniqueType?: string;
  readonly autoIncrement?: boolean;
  readonly hasOnUpdateNow?: boolean;
  readonly generated?: { readonly as: unknown; readonly mode?: string } | undefined;
  readonly generatedIdentity?: { readonly type: 'always' | 'byDefault'; readonly sequenceOptions?: Record<string, unknown> } | undefined;
  readonly enum?: { readonly enumName: string; readonly schema?: string };
  getSQLType(): string;
}

/** An `E_UNSUPPORTED` error for a construct of Drizzle column `table.column` the models cannot state. */
export function unsupported(where: string, what: string, hint: string, details: Record<string, unknown> = {}): EvolveError {
  return new EvolveError(ErrorCode.Unsupported, `Drizzle ${where}: ${what}, which Evolve's models cannot state.`, { hint, details });
}

/** DSL kinds whose meaning is the same SQL type on every dialect, by table kind (others stay type text). */
const TYPED: Readonly<Record<DrizzleTableKind, ReadonlySet<ColumnType['kind']>>> = {
  // PostgreSQL `json` is kept as text: the DSL's json() is `jsonb` there.
  PgTable: new Set(['integer', 'bigint', 'text', 'varchar', 'decimal', 'boolean', 'date', 'uuid', 'timestamp', 'bytes']),
  // MySQL `timestamp` is the DSL's timestamp with time zone: kept as text, read as MySQL reports it.
  MySqlTable: new Set(['integer', 'bigint', 'text', 'varchar', 'decimal', 'boolean', 'date', 'json']),
  SQLiteTable: new Set(['integer', 'text', 'bytes']),
};

/** The DSL column for SQL type text `sqlType` of a table of `kind`. */
function typed(kind: DrizzleTableKind, sqlType: string): ColumnBuilder {
  const t = parseDslTypeName(sqlType);
  return t && TYPED[kind].has(t.kind) ? new ColumnBuilder(t) : rawType(sqlType);
}

/** Serial types of PostgreSQL: the integer type beneath, values from a sequence. */
const PG_SERIAL: Readonly<Record<string, ColumnType>> = {
  PgSerial: { kind: 'integer' }, PgBigSerial53: { kind: 'bigint' }, PgBigSerial64: { kind: 'bigint' },
};

/** True for a column of a `pgEnum` (of values, or of a TypeScript enum's). */
export const isEnumColumn = (c: DrizzleColumn): c is DrizzleColumn & { enum: { enumName: string; schema?: string } } =>
  (c.columnType === 'PgEnumColumn' || c.columnType === 'PgEnumObjectColumn') && c.enum !== undefined;

/** The column's type, and whether its values come from the database. */
function columnType(kind: DrizzleTableKind, where: string, c: DrizzleColumn): { builder: ColumnBuilder; auto: boolean } {
  const serial = PG_SERIAL[c.columnType];
  if (serial) return { builder: new ColumnBuilder(serial), auto: true };
  if (c.columnType === 'PgSmallSerial' || c.columnType === 'MySqlSerial') {
    throw unsupported(where, `a ${c.getSQLType()} column`,
      c.columnType === 'PgSmallSerial' ? 'Use serial() or integer().generatedByDefaultAsIdentity() as the primary key.'
        : 'Use int().autoincrement().primaryKey() (or bigint(…, { mode: \'number\' }).autoincrement().primaryKey()).', { column: c.name });
  }
  if (isEnumColumn(c)) {
    const parts = c.enum.schema ? [c.enum.schema, c.enum.enumName] : [c.enum.enumName];
    return { builder: rawType(parts.map((p) => (isPlainName(p) ? p : `"${p.replace(/"/g, '""')}"`)).join('.')), auto: false };
  }
  const builder = typed(kind, c.getSQLType());
  return { builder, auto: c.autoIncrement === true || c.generatedIdentity !== undefined };
}

/** A literal default as the DSL takes it. */
function literalDefault(where: string, c: DrizzleColumn, b: ColumnBuilder): string | number | boolean {
  const v = c.default;
  const kind = b.definition().type.kind;
  if (typeof v === 'boolean' && kind === 'integer') return v ? 1 : 0; // SQLite integer({ mode: 'boolean' })
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return String(v);
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) return JSON.stringify(v); // a JSON document
  throw unsupported(where, `the default ${v instanceof Date ? v.toISOString() : JSON.stringify(v)}`,
    'Write the default as SQL: .default(sql`…`) (e.g. sql`\'2024-01-01\'` or sql`CURRENT_TIMESTAMP`).', { column: c.name });
}

/** The generated column's expression: Drizzle takes `sql`, a function returning it, or a literal. */
function generatedText(kind: DrizzleTableKind, where: string, as: unknown): string {
  const v = typeof as === 'function' ? (as as () => unknown)() : as;
  if (isDrizzleSql(v)) return drizzleSqlText(kind, v, where);
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw unsupported(where, 'a generated column whose expression is not sql`…`', 'Write generatedAlwaysAs(sql`…`).');
}

/**
 * Drizzle column `c` of table `table` as a DSL column; `primary`: it is the table's one-column
 * primary key (on the column, or as `primaryKey({ columns: [it] })`).
 * @throws EvolveError `E_UNSUPPORTED` for what the models cannot state.
 */
export function convertColumn(kind: DrizzleTableKind, table: string, c: DrizzleColumn, primary: boolean): ColumnBuilder {
  const where = `column '${table}.${c.name}'`;
  const { builder, auto } = columnType(kind, where, c);
  const id = c.generatedIdentity;
  if (id?.sequenceOptions && Object.keys(id.sequenceOptions).length > 0) {
    throw unsupported(where, 'an identity with sequence options', 'Leave the options out (Evolve creates the identity with the defaults).',
      { column: c.name });
  }
  if (auto && !primary) {
    throw unsupported(where, `a ${id ? 'identity' : 'serial or auto-increment'} column that is not the table's one-column primary key`,
      'Make the column the primary key (.primaryKey()), or use a plain integer column.', { table, column: c.name });
  }
  const typeKind = builder.definition().type.kind;
  if (auto && typeKind !== 'integer' && typeKind !== 'bigint') {
    throw unsupported(where, `an auto-increment ${c.getSQLType()} column`,
      'Evolve\'s models auto-increment integer and bigint columns only: make it int() or bigint() without { unsigned: true }.', { column: c.name });
  }
  if (c.hasOnUpdateNow) {
    throw unsupported(where, 'ON UPDATE CURRENT_TIMESTAMP (.onUpdateNow())', 'Leave .onUpdateNow() out, or set the value in the application.');
  }
  if (c.isUnique && c.uniqueType === 'not distinct') {
    throw unsupported(where, 'a UNIQUE NULLS NOT DISTINCT constraint', 'Leave { nulls: \'not distinct\' } out.', { column: c.name });
  }
  if (id) builder.identity(id.type);
  else if (primary) builder.primaryKey({ autoIncrement: auto });
  if (c.notNull) builder.notNull();
  if (c.generated) {
    const mode = c.generated.mode ?? (kind === 'PgTable' ? 'stored' : 'virtual');
    builder.generatedAs(asSql(generatedText(kind, `${where} (generated)`, c.generated.as)),
      { stored: mode === 'stored' });
  } else if (c.default !== undefined) {
    builder.default(isDrizzleSql(c.default)
      ? asSql(drizzleSqlText(kind, c.default, `${where} (default)`)) : literalDefault(where, c, builder));
  }
  return builder;
}
