/**
 * Schema objects beyond tables in the model DSL: views and materialized views, triggers,
 * functions, sequences and PostgreSQL enum types. Each is SQL of the target dialect (a view's
 * query, a trigger's or function's whole CREATE statement): what the database prints for it is
 * what a SQL file holding the same statements gives, so the models' objects are read back from
 * the dialect's scratch database (see `model-objects.ts`), never guessed.
 */
import { EvolveError, ErrorCode } from '../errors.js';
import type { ObjectKind } from '../ir/schema.js';
import { sqlText, rawType, type NewColumn } from './column.js';
import type { Table } from './table.js';
import type { SqlExpression } from './sql-expression.js';

const OBJECT_BRAND = Symbol.for('evolve.object');

/** The dialect's quoting, as the statements of an object need it (the dialect's `SqlBuilder`). */
export interface ObjectQuoting {
  /** Quote a (possibly schema-qualified) table or object name. */
  table(name: string): string;
  /** Quote a literal value. */
  literal(value: string): string;
}

/** SQL words never written bare as a name (a conservative list: any other plain lower-case name is safe bare). */
const RESERVED = new Set(`all alter and any as asc between by case check collate column constraint create cross current_date current_time
  current_timestamp current_user default delete desc distinct drop else end except exists false for foreign from full grant group having
  in index inner insert intersect into is join key left like limit natural not null offset on or order outer primary references right
  rowid select set table then to trigger true union unique update user using values view when where with`.split(/\s+/).filter(Boolean));

/**
 * A (possibly `schema.`-qualified) name as a person writes it in a CREATE statement: bare
 * where it is a plain lower-case name that is no SQL word, else quoted by the dialect. SQLite
 * keeps a view's, trigger's and index's CREATE text as written, so this is what makes a model's
 * statement compare equal to the same statement in a SQL file.
 */
export function writtenName(s: ObjectQuoting, name: string): string {
  return name.split('.').every(isPlainName) ? name : s.table(name);
}

/** True for a name every dialect reads bare as itself: plain lower case, no SQL word. */
export function isPlainName(name: string): boolean {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name);
}

/** A schema object of the models (what {@link view}, {@link trigger}, … return). */
export interface ModelObject {
  readonly [OBJECT_BRAND]: true;
  readonly kind: Extract<ObjectKind, 'view' | 'materializedView' | 'trigger' | 'function' | 'sequence' | 'enum'>;
  readonly name: string;
  /** The tables it reads (views) or is on (triggers): they must be among the models. */
  readonly reads: () => readonly Table[];
  /** @internal Its CREATE statements, quoted by the dialect. */
  readonly statements: (sql: ObjectQuoting) => string[];
  /** Former names of its parts (enum values: value → former values). */
  readonly aka?: Readonly<Record<string, readonly string[]>>;
}

/** True when `v` was made by one of this module's builders (works across module instances). */
export function isModelObject(v: unknown): v is ModelObject {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[OBJECT_BRAND] === true;
}

function invalid(message: string, hint: string, details?: Record<string, unknown>): EvolveError {
  return new EvolveError(ErrorCode.ModelInvalid, message, { hint, ...(details ? { details } : {}) });
}

function named(what: string, name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.trim() !== name) {
    throw invalid(`${what} needs a name, got ${JSON.stringify(name)}.`, `Write ${what}('name', …).`);
  }
  return name;
}

const tableList = (reads: readonly Table[] | (() => readonly Table[]) | undefined): (() => readonly Table[]) =>
  typeof reads === 'function' ? reads : () => reads ?? [];

function make(kind: ModelObject['kind'], name: string, reads: () => readonly Table[], statements: (s: ObjectQuoting) => string[],
  aka?: Record<string, readonly string[]>): ModelObject {
  return Object.freeze({ [OBJECT_BRAND]: true as const, kind, name, reads, statements, ...(aka ? { aka } : {}) });
}

/** Options of {@link view} and {@link materializedView}. */
export interface ViewOptions {
  /** The model tables the query reads (a function when they are defined later): each must be among the models. */
  reads?: readonly Table[] | (() => readonly Table[]);
}

/**
 * A view: `query` is its SELECT, SQL of the target dialect. Compared as the database prints it.
 *
 * @example
 * ```ts
 * export const activeEmployee = view('active_employee', sql`SELECT id, name FROM employee WHERE active`, { reads: [employee] });
 * ```
 */
export function view(name: string, query: SqlExpression, options: ViewOptions = {}): ModelObject {
  const n = named('view', name);
  const body = sqlText('view()', query);
  return make('view', n, tableList(options.reads), (s) => [`CREATE VIEW ${writtenName(s, n)} AS ${body}`]);
}

/**
 * A materialized view (PostgreSQL): `query` is its SELECT, created `WITH DATA`.
 *
 * @example
 * ```ts
 * export const totals = materializedView('dept_totals', sql`SELECT department_id, count(*) AS n FROM employee GROUP BY 1`, { reads: [employee] });
 * ```
 */
export function materializedView(name: string, query: SqlExpression, options: ViewOptions = {}): ModelObject {
  const n = named('materializedView', name);
  const body = sqlText('materializedView()', query);
  return make('materializedView', n, tableList(options.reads), (s) => [`CREATE MATERIALIZED VIEW ${writtenName(s, n)} AS ${body}`]);
}

/**
 * A trigger on a model table: `statement` is its whole CREATE TRIGGER, SQL of the target
 * dialect (on PostgreSQL the function it executes is a {@link sqlFunction} of the models).
 *
 * @example
 * ```ts
 * export const touch = trigger('employee_touch', { on: employee },
 *   sql`CREATE TRIGGER employee_touch BEFORE UPDATE ON employee FOR EACH ROW SET NEW.updated = CURRENT_TIMESTAMP`);
 * ```
 */
export function trigger(name: string, options: { on: Table | (() => Table) }, statement: SqlExpression): ModelObject {
  const n = named('trigger', name);
  const text = sqlText('trigger()', statement);
  const on = options?.on;
  if (on === undefined) throw invalid(`trigger('${n}') names no table.`, `Write trigger('${n}', { on: someTable }, sql\`CREATE TRIGGER …\`).`);
  return make('trigger', n, () => [typeof on === 'function' ? on() : on], () => [text]);
}

/**
 * A function (or procedure): `statement` is its whole CREATE FUNCTION, body included, SQL of
 * the target dialect (PostgreSQL, MySQL/MariaDB; SQLite has none).
 *
 * @example
 * ```ts
 * export const touchFn = sqlFunction('touch', sql`CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
 *   BEGIN NEW.updated := now(); RETURN NEW; END $$`);
 * ```
 */
export function sqlFunction(name: string, statement: SqlExpression): ModelObject {
  const n = named('sqlFunction', name);
  const text = sqlText('sqlFunction()', statement);
  return make('function', n, () => [], () => [text]);
}

/** Options of {@link sequence}. */
export interface SequenceOptions {
  start?: number;
  increment?: number;
}

/**
 * A sequence (PostgreSQL, MariaDB).
 *
 * @example
 * ```ts
 * export const invoiceNo = sequence('invoice_no', { start: 1000 });
 * ```
 */
export function sequence(name: string, options: SequenceOptions = {}): ModelObject {
  const n = named('sequence', name);
  for (const [k, v] of Object.entries(options)) {
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw invalid(`sequence('${n}'): ${k} must be a whole number, got ${JSON.stringify(v)}.`, `Give ${k} as an integer.`);
    }
  }
  const parts = [
    ...(options.increment !== undefined ? [`INCREMENT BY ${options.increment}`] : []),
    ...(options.start !== undefined ? [`START WITH ${options.start}`] : []),
  ];
  return make('sequence', n, () => [], (s) => [`CREATE SEQUENCE ${writtenName(s, n)}${parts.length ? ` ${parts.join(' ')}` : ''}`]);
}

/** A PostgreSQL enum type of the models: an object, and the type of the columns holding its values. */
export interface EnumType extends ModelObject {
  /** The values, in order. */
  readonly values: readonly string[];
  /** A column of this type. */
  column(): NewColumn<string>;
}

/**
 * A PostgreSQL enum type with its values in order. A renamed value is declared, never
 * guessed: `{ aka: { fine: ['ok'] } }` renames `ok` to `fine` (`ALTER TYPE … RENAME VALUE`).
 * For MySQL ENUM and SET columns see `mysqlEnum()` / `mysqlSet()`; on SQLite use a text column
 * with a check (`text().check(sql\`mood IN ('sad', 'ok')\`)`).
 *
 * @example
 * ```ts
 * export const mood = enumType('mood', ['sad', 'ok', 'happy']);
 * export const person = table('person', { id: integer().primaryKey(), mood: mood.column().notNull() });
 * ```
 */
export function enumType(name: string, values: readonly string[], options: { aka?: Record<string, string | string[]> } = {}): EnumType {
  const n = named('enumType', name);
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) {
    throw invalid(`enumType('${n}') needs a list of string values, got ${JSON.stringify(values)}.`, `Write enumType('${n}', ['a', 'b']).`);
  }
  const twice = values.find((v, i) => values.indexOf(v) !== i);
  if (twice !== undefined) {
    throw invalid(`enumType('${n}') lists the value '${twice}' twice.`, `List each value once: an enum's values are distinct labels.`,
      { enum: n, value: twice });
  }
  const aka: Record<string, string[]> = {};
  for (const [v, former] of Object.entries(options.aka ?? {})) {
    if (!values.includes(v)) {
      throw invalid(`enumType('${n}') declares former names of '${v}', which is not one of its values.`,
        `Key aka by a current value: one of ${values.join(', ')}.`);
    }
    const list = Array.isArray(former) ? former : [former];
    const clash = list.find((f) => values.includes(f));
    if (clash !== undefined) {
      throw invalid(`enumType('${n}'): '${clash}' is a former name of '${v}' and a value too.`, 'A former value cannot exist beside the new one.');
    }
    aka[v] = list;
  }
  const frozen = Object.freeze([...values]);
  const obj = make('enum', n, () => [], (s) => [`CREATE TYPE ${writtenName(s, n)} AS ENUM (${frozen.map((v) => s.literal(v)).join(', ')})`],
    Object.keys(aka).length ? aka : undefined);
  return Object.freeze({ ...obj, values: frozen, column: () => rawType<string>(/^[a-z_][a-z0-9_]*$/.test(n) ? n : `"${n.replace(/"/g, '""')}"`) });
}
