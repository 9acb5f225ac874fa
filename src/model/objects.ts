/**
 * Schema objects beyond tables in the model DSL: views and materialized views, triggers,
 * functions, sequences, PostgreSQL enum types, domains, composite types, aggregates and extensions. Each is SQL of the target dialect (a view's
 * query, a trigger's or function's whole CREATE statement): what the database prints for it is
 * what a SQL file holding the same statements gives, so the models' objects are read back from
 * the dialect's scratch database (see `model-objects.ts`), never guessed.
 */
import { EvolveError, ErrorCode } from '../errors.js';
import type { ColumnType, ObjectKind } from '../ir/schema.js';
import { controlCharacterIn } from '../ir/names.js';
import { sqlText, rawType, isColumnBuilder, type ColumnBuilder, type NewColumn } from './column.js';
import { isIndexBuilder, type CheckDefinition, type IndexBuilder, type Table } from './table.js';
import { isSqlExpression, type SqlExpression } from './sql-expression.js';

const OBJECT_BRAND = Symbol.for('evolve.object');

/** The dialect's quoting, as the statements of an object need it (the dialect's `SqlBuilder`). */
export interface ObjectQuoting {
  /** Quote a (possibly schema-qualified) table or object name. */
  table(name: string): string;
  /** Quote an identifier (a constraint's name). */
  ident(name: string): string;
  /** Quote a literal value. */
  literal(value: string | number | boolean): string;
  /** The dialect's spelling of a column type (a domain's base type). */
  type(type: ColumnType): string;
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
  readonly kind: Extract<ObjectKind,
    'view' | 'materializedView' | 'trigger' | 'function' | 'aggregate' | 'sequence' | 'enum' | 'domain' | 'composite' | 'extension' | 'exclusion'>;
  readonly name: string;
  /** The tables it reads (views) or is on (triggers): they must be among the models. */
  readonly reads: () => readonly Table[];
  /** @internal Its CREATE statements, quoted by the dialect. */
  readonly statements: (sql: ObjectQuoting) => string[];
  /** Former names of its parts (enum values: value → former values). */
  readonly aka?: Readonly<Record<string, readonly string[]>>;
  /** @internal A view's `SQL SECURITY INVOKER` (MySQL/MariaDB; refused elsewhere by the compiler). */
  readonly sqlSecurity?: 'invoker';
  /** Its comment (PostgreSQL `COMMENT ON`), where the models give one. */
  readonly comment?: string;
  /** The indexes of a materialized view. */
  readonly indexes?: readonly IndexBuilder[];
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

/** What every object may carry beside its statements. */
interface Extras {
  aka?: Record<string, readonly string[]> | undefined; comment?: string | undefined; indexes?: readonly IndexBuilder[] | undefined;
  sqlSecurity?: 'invoker' | undefined;
}

function make(kind: ModelObject['kind'], name: string, reads: () => readonly Table[], statements: (s: ObjectQuoting) => string[],
  extras: Extras = {}): ModelObject {
  if (extras.comment !== undefined && typeof extras.comment !== 'string') {
    throw invalid(`${kind} '${name}': comment must be a string, got ${typeof extras.comment}.`, "Write { comment: 'what it is' }.");
  }
  if (extras.indexes !== undefined && (!Array.isArray(extras.indexes) || !extras.indexes.every(isIndexBuilder))) {
    throw invalid(`${kind} '${name}': indexes must be a list of index().`, "Write { indexes: [index('name').on('column')] }.");
  }
  return Object.freeze({
    [OBJECT_BRAND]: true as const, kind, name, reads, statements, ...(extras.aka ? { aka: extras.aka } : {}),
    ...(extras.comment !== undefined ? { comment: extras.comment } : {}), ...(extras.indexes?.length ? { indexes: [...extras.indexes] } : {}),
    ...(extras.sqlSecurity ? { sqlSecurity: extras.sqlSecurity } : {}),
  });
}

/** The option every object but a trigger takes: its comment. */
export interface CommentOption {
  /** Its comment (PostgreSQL `COMMENT ON VIEW …`, `… FUNCTION …`, `… TYPE …`, `… DOMAIN …`). */
  comment?: string;
}

/** Options of {@link view} and {@link materializedView}. */
export interface ViewOptions extends CommentOption {
  /** The model tables the query reads (a function when they are defined later): each must be among the models. */
  reads?: readonly Table[] | (() => readonly Table[]);
  /**
   * MySQL/MariaDB `SQL SECURITY INVOKER` (views only): the query runs with the rights of whoever
   * reads the view, not of its definer (the default). Refused on other dialects (`E_UNSUPPORTED`).
   */
  sqlSecurity?: 'invoker';
}

/** Options of {@link materializedView}. */
export interface MaterializedViewOptions extends ViewOptions {
  /** Its indexes (`index('n').on('col').unique()`, on expressions, with a method): created after it. */
  indexes?: readonly IndexBuilder[];
}

/**
 * A view: `query` is its SELECT, SQL of the target dialect. Compared as the database prints it.
 *
 * @example
 * ```ts
 * export const activeEmployee = view('active_employee', sql`SELECT id, name FROM employee WHERE active`, { reads: [employee] });
 * export const actorInfo = view('actor_info', sql`SELECT …`, { sqlSecurity: 'invoker' }); // MySQL/MariaDB
 * ```
 */
export function view(name: string, query: SqlExpression, options: ViewOptions = {}): ModelObject {
  const n = named('view', name);
  const body = sqlText('view()', query);
  const security = options.sqlSecurity;
  if (security !== undefined && security !== 'invoker') {
    throw invalid(`view('${n}'): sqlSecurity must be 'invoker', got ${JSON.stringify(security)}.`,
      "Write { sqlSecurity: 'invoker' }, or leave it out for the default (DEFINER).", { view: n });
  }
  const head = security ? 'SQL SECURITY INVOKER ' : '';
  return make('view', n, tableList(options.reads), (s) => [`CREATE ${head}VIEW ${writtenName(s, n)} AS ${body}`],
    { comment: options.comment, ...(security ? { sqlSecurity: security } : {}) });
}

/**
 * A materialized view (PostgreSQL): `query` is its SELECT, created `WITH DATA`, with its indexes.
 *
 * @example
 * ```ts
 * export const totals = materializedView('dept_totals', sql`SELECT department_id, count(*) AS n FROM employee GROUP BY 1`, {
 *   reads: [employee], indexes: [index('dept_totals_dept').on('department_id').unique()],
 * });
 * ```
 */
export function materializedView(name: string, query: SqlExpression, options: MaterializedViewOptions = {}): ModelObject {
  const n = named('materializedView', name);
  const body = sqlText('materializedView()', query);
  for (const ib of options.indexes ?? []) {
    if (isIndexBuilder(ib) && ib.definition().name === null) {
      throw invalid(`An index of materialized view '${n}' has no name.`, `Name it: index('${n}_idx').on('column').`, { materializedView: n });
    }
  }
  return make('materializedView', n, tableList(options.reads), (s) => [`CREATE MATERIALIZED VIEW ${writtenName(s, n)} AS ${body}`],
    { comment: options.comment, indexes: options.indexes });
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
 * An exclusion constraint on a model table (PostgreSQL): `constraint` is its `EXCLUDE …` clause,
 * added after the tables (`ALTER TABLE … ADD CONSTRAINT name EXCLUDE …`).
 *
 * @example
 * ```ts
 * export const noOverlap = exclusion('booking_no_overlap', { on: booking }, sql`EXCLUDE USING gist (room WITH =, during WITH &&)`);
 * ```
 */
export function exclusion(name: string, options: { on: Table | (() => Table) }, constraint: SqlExpression): ModelObject {
  const n = named('exclusion', name);
  const text = sqlText('exclusion()', constraint);
  const on = options?.on;
  if (on === undefined) throw invalid(`exclusion('${n}') names no table.`, `Write exclusion('${n}', { on: someTable }, sql\`EXCLUDE …\`).`);
  if (!/^\s*EXCLUDE\b/i.test(text)) {
    throw invalid(`exclusion('${n}') takes its EXCLUDE clause, got ${JSON.stringify(text.slice(0, 40))}.`, 'Write sql`EXCLUDE USING gist (col WITH &&)`.');
  }
  const table = (): Table => (typeof on === 'function' ? on() : on);
  return make('exclusion', n, () => [table()], (s) => [`ALTER TABLE ${writtenName(s, table().name)} ADD CONSTRAINT ${s.ident(n)} ${text}`]);
}

/**
 * A function (or procedure): `statement` is its whole CREATE FUNCTION, body included, SQL of
 * the target dialect (PostgreSQL, MySQL/MariaDB; SQLite has none).
 *
 * @example
 * ```ts
 * export const touchFn = sqlFunction('touch', sql`CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
 *   BEGIN NEW.updated := now(); RETURN NEW; END $$`, { comment: 'sets updated' });
 * ```
 * With a comment, name it with its arguments where it is overloaded: `sqlFunction('f(x integer)', …)`.
 */
export function sqlFunction(name: string, statement: SqlExpression, options: CommentOption = {}): ModelObject {
  const n = named('sqlFunction', name);
  const text = sqlText('sqlFunction()', statement);
  return make('function', n, () => [], () => [text], { comment: options.comment });
}

/**
 * An aggregate (PostgreSQL): `statement` is its whole CREATE AGGREGATE; the functions it names
 * are {@link sqlFunction}s of the models (created before it) or the database's own.
 *
 * @example
 * ```ts
 * export const concat = sqlAggregate('group_concat(text)', sql`CREATE AGGREGATE group_concat(text) (SFUNC = _group_concat, STYPE = text)`);
 * ```
 */
export function sqlAggregate(name: string, statement: SqlExpression): ModelObject {
  const n = named('sqlAggregate', name);
  const text = sqlText('sqlAggregate()', statement);
  return make('aggregate', n, () => [], () => [text]);
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
export function enumType(name: string, values: readonly string[], options: { aka?: Record<string, string | string[]> } & CommentOption = {}): EnumType {
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
    { aka: Object.keys(aka).length ? aka : undefined, comment: options.comment });
  return Object.freeze({ ...obj, values: frozen, column: () => rawType<string>(/^[a-z_][a-z0-9_]*$/.test(n) ? n : `"${n.replace(/"/g, '""')}"`) });
}

/** Options of {@link domain}. */
export interface DomainOptions extends CommentOption {
  /**
   * The domain's checks, SQL naming the value `VALUE`: `sql\`VALUE > 0\`` (PostgreSQL names it
   * `<domain>_check`), `check('positive', sql\`VALUE > 0\`)` named, or a list of them.
   */
  check?: SqlExpression | CheckDefinition | readonly (SqlExpression | CheckDefinition)[];
  /** NOT NULL on the domain itself: every column of it refuses NULL. */
  notNull?: boolean;
  /** The default of every column of the domain: a literal (quoted for the dialect) or `sql\`…\``. */
  default?: string | number | boolean | SqlExpression;
  /** The collation of the domain (a text base type), named as the database does: `'C'`. */
  collation?: string;
}

/** A PostgreSQL domain of the models: an object, and the type of the columns holding its values. */
export interface Domain<T = unknown> extends ModelObject {
  /** A column of this domain (its TypeScript value type is the base type's). */
  column(): NewColumn<T>;
}

const checkEntry = (n: string, c: SqlExpression | CheckDefinition, i: number): { name: string | null; expression: string } => {
  if (isSqlExpression(c)) return { name: null, expression: c.text };
  if (typeof c === 'object' && c !== null && typeof (c as CheckDefinition).expression === 'string') {
    const { name, expression } = c as CheckDefinition;
    if (name !== null && (typeof name !== 'string' || name.trim() === '' || controlCharacterIn(name))) {
      throw invalid(`domain('${n}'): check ${i + 1} has an invalid name ${JSON.stringify(name)}.`,
        "Name it check('name', sql`VALUE > 0`), or leave it unnamed.");
    }
    return { name, expression };
  }
  throw invalid(`domain('${n}'): check ${i + 1} is not sql\`…\` or check('name', sql\`…\`).`, `Write { check: sql\`VALUE > 0\` }.`);
};

/**
 * A PostgreSQL domain: a base type with checks (naming the value `VALUE`), NOT NULL, a default
 * and a collation, created before the tables. Columns use it through `.column()`. Its name is
 * compared as it is: a domain renamed in the models is a new domain (PostgreSQL cannot drop one
 * a column uses, so the change fails and says so) — renames of domains are not declared through
 * `aka`, which `domain()` refuses (`E_UNSUPPORTED`) rather than guess. Other dialects have no
 * domains: models holding one are refused there (`E_UNSUPPORTED`).
 *
 * @example
 * ```ts
 * export const year = domain('year', integer(), { check: sql`VALUE >= 1901 AND VALUE <= 2155` });
 * export const film = table('film', { id: integer().primaryKey(), release_year: year.column() });
 * ```
 */
export function domain<T>(name: string, base: ColumnBuilder<T>, options: DomainOptions = {}): Domain<T> {
  const n = named('domain', name);
  if (!isColumnBuilder(base)) {
    throw invalid(`domain('${n}') needs a base type as a column type, got ${typeof base}.`, `Write domain('${n}', integer(), { … }).`);
  }
  const d = base.definition();
  if (!d.nullable || d.default !== null || d.primaryKey || d.unique || d.references || d.checks.length || d.generated || d.identity || d.comment !== null
    || d.collation !== null || d.aka.length || d.name !== null) {
    throw invalid(`domain('${n}'): its base type carries column settings (NOT NULL, a default, a key, a check, a collation, …).`,
      `Give the bare type, domain('${n}', integer()), and the rest as options: { notNull, default, check, collation }.`, { domain: n });
  }
  const known = new Set(['check', 'notNull', 'default', 'collation', 'comment', 'aka']);
  const stray = Object.keys(options ?? {}).find((k) => !known.has(k));
  if (stray !== undefined) {
    throw invalid(`domain('${n}') has an unknown option '${stray}'.`, 'Give check, notNull, default, collation or comment.', { domain: n });
  }
  if ('aka' in (options ?? {})) {
    throw new EvolveError(ErrorCode.Unsupported, `domain('${n}'): a domain's former name (aka) is not supported: a renamed domain is not carried over.`, {
      hint: `Keep the domain's name, or rename it in a step (ALTER DOMAIN … RENAME TO ${n}) before the models name it.`, details: { domain: n },
    });
  }
  const raw = options.check;
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const checks = (list as readonly (SqlExpression | CheckDefinition)[]).map((c, i) => checkEntry(n, c, i));
  if (options.collation !== undefined && (typeof options.collation !== 'string' || options.collation.trim() === '')) {
    throw invalid(`domain('${n}') has an empty collation name.`, "Name the collation as the database does, e.g. collation: 'C'.");
  }
  const dflt = options.default;
  if (dflt !== undefined && !isSqlExpression(dflt) && !['string', 'number', 'boolean'].includes(typeof dflt)) {
    throw invalid(`domain('${n}'): default must be a literal or sql\`…\`, got ${typeof dflt}.`, "Write default: 0, default: 'x' or default: sql`now()`.");
  }
  const statements = (s: ObjectQuoting): string[] => [[
    `CREATE DOMAIN ${writtenName(s, n)} AS ${s.type(d.type)}`,
    ...(options.collation !== undefined ? [`COLLATE ${s.ident(options.collation)}`] : []),
    ...(dflt !== undefined ? [`DEFAULT ${isSqlExpression(dflt) ? dflt.text : s.literal(dflt)}`] : []),
    ...(options.notNull ? ['NOT NULL'] : []),
    ...checks.map((c) => `${c.name !== null ? `CONSTRAINT ${s.ident(c.name)} ` : ''}CHECK (${c.expression})`),
  ].join(' ')];
  const obj = make('domain', n, () => [], statements, { comment: options.comment });
  return Object.freeze({ ...obj, column: () => rawType<T>(/^[a-z_][a-z0-9_]*$/.test(n) ? n : `"${n.replace(/"/g, '""')}"`) });
}

/**
 * A PostgreSQL extension the schema needs (`citext`, `pg_trgm`, …): created first, before the
 * types, functions and tables that use it. `schema`: the schema it is installed in.
 *
 * @example
 * ```ts
 * export const trgm = extension('pg_trgm');
 * ```
 */
export function extension(name: string, options: { schema?: string } = {}): ModelObject {
  const n = named('extension', name);
  if (options.schema !== undefined && (typeof options.schema !== 'string' || options.schema.trim() === '')) {
    throw invalid(`extension('${n}'): schema must be a schema's name.`, `Write extension('${n}', { schema: 'extensions' }), or leave schema out.`);
  }
  return make('extension', n, () => [], (s) => [`CREATE EXTENSION IF NOT EXISTS ${s.ident(n)}${options.schema ? ` SCHEMA ${s.ident(options.schema)}` : ''}`]);
}

/** A PostgreSQL composite type of the models: an object, and the type of the columns holding its values. */
export interface CompositeType extends ModelObject {
  /** A column of this type. */
  column(): NewColumn<unknown>;
}

/**
 * A PostgreSQL composite type (`CREATE TYPE … AS (…)`): its attributes by name, each a bare
 * column type (a `.collation()` allowed), in order; `comment` its comment.
 *
 * @example
 * ```ts
 * export const address = compositeType('address', { street: text(), zip: varchar(10).collation('C') });
 * export const shop = table('shop', { id: integer().primaryKey(), at: address.column() });
 * ```
 */
export function compositeType(name: string, attributes: Record<string, ColumnBuilder>, options: CommentOption = {}): CompositeType {
  const n = named('compositeType', name);
  const entries = typeof attributes === 'object' && attributes !== null ? Object.entries(attributes) : [];
  if (entries.length === 0) {
    throw invalid(`compositeType('${n}') needs its attributes, got ${JSON.stringify(attributes)}.`,
      `Write compositeType('${n}', { a: text(), b: integer() }).`);
  }
  const attrs = entries.map(([key, b]) => {
    if (!isColumnBuilder(b)) throw invalid(`compositeType('${n}'): attribute '${key}' is not a column type.`, `Write ${key}: text().`, { type: n });
    const d = b.definition();
    if (!d.nullable || d.default !== null || d.primaryKey || d.unique || d.references || d.checks.length || d.generated || d.identity || d.comment !== null
      || d.aka.length) {
      throw invalid(`compositeType('${n}'): attribute '${key}' carries column settings (NOT NULL, a default, a key, a check, …).`,
        'Give each attribute a bare type (a collation is allowed): a composite type has no constraints.', { type: n, attribute: key });
    }
    return { name: d.name ?? key, type: d.type, collation: d.collation };
  });
  const obj = make('composite', n, () => [], (s) => [`CREATE TYPE ${writtenName(s, n)} AS (${attrs.map((a) =>
    `${s.ident(a.name)} ${s.type(a.type)}${a.collation ? ` COLLATE ${s.ident(a.collation)}` : ''}`).join(', ')})`], { comment: options.comment });
  return Object.freeze({ ...obj, column: () => rawType<unknown>(/^[a-z_][a-z0-9_]*$/.test(n) ? n : `"${n.replace(/"/g, '""')}"`) });
}
