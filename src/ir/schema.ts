/**
 * The IR: one dialect-neutral description of a schema, shared by introspection (the live
 * schema) and the models (the desired schema). Plain, frozen, JSON-serialisable data.
 *
 * Names of constraints the database generates (primary keys, unique constraints, foreign keys)
 * are kept so plans can address them, but they are not part of the canonical form
 * (see `docs/fingerprint.md`). Index names are part of it: they are chosen by the user.
 */

/**
 * The SQL dialect a schema is described in (part of its fingerprint): one of the built-in
 * three, or the name of a dialect a program registered (`registerDialect`; a flavour of a
 * built-in dialect keeps its base's name).
 */
export type DialectName = 'sqlite' | 'postgres' | 'mysql' | (string & {});

/** A column type, structured where Evolve understands it and raw text where it does not. */
export type ColumnType =
  | { readonly kind: 'integer' }
  | { readonly kind: 'bigint' }
  | { readonly kind: 'real' }
  | { readonly kind: 'text' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'date' }
  | { readonly kind: 'json' }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'uuid' }
  | { readonly kind: 'varchar'; readonly length: number }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'timestamp'; readonly withTimeZone: boolean }
  /** A type Evolve does not model; `sql` is the declared type, normalised (lower case, single spaces). */
  | { readonly kind: 'raw'; readonly sql: string };

/** The `kind` of a column type: `'integer'`, `'varchar'`, … or `'raw'` for a type Evolve does not model. */
export type ColumnTypeKind = ColumnType['kind'];

/** A column default: a literal value, or an SQL expression kept as (normalised) text. */
export type DefaultValue =
  | { readonly kind: 'value'; readonly value: string | number | boolean }
  | { readonly kind: 'expression'; readonly sql: string };

/** A column of a table: its name, type, nullability and default, and the attributes some dialects add. */
export interface ColumnIR {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly default: DefaultValue | null;
  /** Values come from the database: SQLite AUTOINCREMENT, PostgreSQL identity/serial, MySQL AUTO_INCREMENT. */
  readonly autoIncrement: boolean;
  /** A generated (computed) column: its expression as the database reports it, normalised. */
  readonly generated?: GeneratedIR | null;
  /** Collation, only where it differs from the table's or database's default (MySQL, PostgreSQL). */
  readonly collation?: string | null;
  /**
   * `always` for a PostgreSQL `GENERATED ALWAYS AS IDENTITY` column (values cannot be given
   * without `OVERRIDING SYSTEM VALUE`); absent for every other auto-increment column.
   */
  readonly identity?: 'always' | null;
  /** MySQL `ON UPDATE` expression (`CURRENT_TIMESTAMP`, with its precision), where the column has one. */
  readonly onUpdate?: string | null;
  /** Former names (models only; never introspected, never fingerprinted). */
  readonly aka?: readonly string[];
}

/** How a generated (computed) column gets its value: its expression, and whether the value is stored or computed on read. */
export interface GeneratedIR {
  /** Normalised expression text (the database's own rendering where it has one). */
  readonly expression: string;
  /** STORED (computed on write) rather than VIRTUAL (computed on read). */
  readonly stored: boolean;
}

/** A CHECK constraint on a table. */
export interface CheckIR {
  /** Constraint name where the database has one; not fingerprinted (databases invent them). */
  readonly name: string | null;
  /** Normalised expression text, without the surrounding `CHECK (…)`. */
  readonly expression: string;
}

/** A table's primary key: its columns, in key order. */
export interface PrimaryKeyIR {
  /** Constraint name where the database has one; not fingerprinted. */
  readonly name: string | null;
  readonly columns: readonly string[];
}

/** A UNIQUE constraint over columns of a table (on MySQL, every unique index is read as one). */
export interface UniqueIR {
  /** Constraint (or backing index) name; not fingerprinted. */
  readonly name: string | null;
  readonly columns: readonly string[];
}

/**
 * An index over plain columns of a table, unique or not, partial where the dialect has partial
 * indexes. Indexes on expressions, with a sort order or a collation are objects (`ObjectIR`, kind `index`).
 */
export interface IndexIR {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  /** Partial-index predicate, normalised SQL text, where the dialect has them. */
  readonly where: string | null;
}

/** What a foreign key does to the referencing rows when the referenced row is deleted or updated (`ON DELETE` / `ON UPDATE`). */
export type ReferentialAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

/** A foreign key: `columns` of its table reference `refColumns` of `refTable`, with its ON DELETE and ON UPDATE actions. */
export interface ForeignKeyIR {
  /** Constraint name; not fingerprinted. */
  readonly name: string | null;
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
}

/** A table: its columns, primary key, unique constraints, indexes, foreign keys, checks and storage options. */
export interface TableIR {
  readonly name: string;
  readonly columns: readonly ColumnIR[];
  readonly primaryKey: PrimaryKeyIR | null;
  readonly uniques: readonly UniqueIR[];
  readonly indexes: readonly IndexIR[];
  readonly foreignKeys: readonly ForeignKeyIR[];
  /** CHECK constraints (absent means none). */
  readonly checks?: readonly CheckIR[];
  /**
   * Table options that change how the table is stored, as normalised `key → value` text:
   * SQLite `strict`, `without_rowid`; MySQL `engine`, `charset`, `collation` where they differ
   * from the database's defaults. Absent or empty means the dialect's defaults.
   */
  readonly options?: Readonly<Record<string, string>>;
  /** Former names (models only). */
  readonly aka?: readonly string[];
}

/**
 * Kinds of database objects beyond tables (`schema`: a PostgreSQL schema managed beside the
 * primary one, see `--schemas`). Objects of the `before` phase are created before
 * tables (columns, defaults and checks may use them) and dropped after; objects of the `after`
 * phase are created after tables (they read tables) and dropped before.
 */
export type ObjectKind =
  | 'schema' | 'extension' | 'collation' | 'enum' | 'composite' | 'domain' | 'sequence' | 'function' | 'aggregate'
  | 'view' | 'materializedView' | 'index' | 'exclusion' | 'trigger' | 'comment';

/** When an object kind is created relative to tables. */
export function objectPhase(kind: ObjectKind): 'before' | 'after' {
  switch (kind) {
    case 'schema': case 'extension': case 'collation': case 'enum': case 'composite': case 'domain': case 'sequence': case 'function': case 'aggregate':
      return 'before';
    default: return 'after';
  }
}

/**
 * A database object beyond tables, compared by its normalised definition (the way migra
 * compares PostgreSQL objects): created by `create`, removed by `drop`, and recreated when its
 * definition changes — or changed in place by `replace` where the database allows it.
 * Statements are the dialect's own SQL, with every name unqualified (they run in the target
 * schema) and quoted by the dialect's quoting.
 */
export interface ObjectIR {
  readonly kind: ObjectKind;
  /**
   * Name, unique within its kind. Objects named per table (triggers on PostgreSQL, comments)
   * use `table.name`; functions include their argument types: `f(integer, text)`.
   */
  readonly name: string;
  /** The table it belongs to (indexes, triggers, comments on tables and columns), else null. */
  readonly table: string | null;
  /** Normalised definition: what is fingerprinted and compared. */
  readonly definition: string;
  /** Statements that create it. */
  readonly create: readonly string[];
  /** Statements that drop it. */
  readonly drop: readonly string[];
  /** Statements that change a live object of the same kind and name into this one in place, if possible. */
  readonly replace?: readonly string[];
  /**
   * Former names of its parts, declared in a SQL file (enum values: value → former values,
   * from `'fine', -- evolve:aka ok`). Never introspected, never fingerprinted.
   */
  readonly aka?: Readonly<Record<string, readonly string[]>>;
  /**
   * Keys (`table:t`, `view:v`, `function:f(integer)`, …) of what it depends on, where the
   * catalog says so. The differ adds what the definition's words name (see `objectDependencies`).
   */
  readonly dependsOn?: readonly string[];
}

/** An object in the database that Evolve does not model: reported by name, never fingerprinted, never touched. */
export interface UnmanagedIR {
  readonly kind: string;
  readonly name: string;
  readonly table?: string | null;
}

/**
 * A whole schema: the dialect it is described in, its tables and other objects (what the
 * fingerprint covers and the differ compares), and what was seen but is not managed.
 */
export interface SchemaIR {
  readonly dialect: DialectName;
  readonly tables: readonly TableIR[];
  /** Objects beyond tables (absent means none). */
  readonly objects?: readonly ObjectIR[];
  /** What the introspector saw and does not manage (absent means nothing). */
  readonly unmanaged?: readonly UnmanagedIR[];
}

/** The key of an object: `kind:name`. Tables are `table:name`. */
export function objectKey(o: { readonly kind: string; readonly name: string }): string {
  return `${o.kind}:${o.name}`;
}

/** "trigger t on table x": how an unmanaged object is named to users. */
export function describeUnmanaged(u: UnmanagedIR): string {
  return `${u.kind} ${u.name}${u.table ? ` on table ${u.table}` : ''}`;
}

/**
 * Freeze a table of plain IR parts bottom-up, walking the fields a table has (columns and their
 * defaults and generated expressions, keys, indexes, checks, options) directly, then anything
 * else through {@link deepFreeze}: what deepFreeze does, at a fraction of its cost on tens of
 * thousands of columns (no `for…in` over every object).
 */
export function freezeTable<T extends TableIR>(t: T): T {
  if (Object.isFrozen(t)) return t;
  // Indexed loops: this runs once per table per command, mostly in V8's interpreter, where
  // for…of's iterator costs more than the freezing.
  const columns = t.columns;
  for (let k = 0; k < columns.length; k++) {
    const c = columns[k]!;
    if (Object.isFrozen(c)) continue;
    if (c.default !== null && typeof c.default === 'object') Object.freeze(c.default);
    if (c.generated) Object.freeze(c.generated);
    if (c.aka) Object.freeze(c.aka);
    Object.freeze(c.type);
    Object.freeze(c);
  }
  Object.freeze(columns);
  if (t.primaryKey) { Object.freeze(t.primaryKey.columns); Object.freeze(t.primaryKey); }
  freezeKeys(t.uniques);
  freezeKeys(t.indexes);
  const fks = t.foreignKeys;
  for (let k = 0; k < fks.length; k++) { const f = fks[k]!; Object.freeze(f.columns); Object.freeze(f.refColumns); Object.freeze(f); }
  Object.freeze(fks);
  return deepFreeze(t);
}

function freezeKeys(xs: readonly { readonly columns: readonly string[] }[]): void {
  for (let k = 0; k < xs.length; k++) { Object.freeze(xs[k]!.columns); Object.freeze(xs[k]); }
  Object.freeze(xs);
}

/** Tables by name, once per table list (a differ's and planner's lookups would otherwise search every table per change). */
const tablesByName = new WeakMap<readonly TableIR[], { readonly length: number; readonly byName: ReadonlyMap<string, TableIR> }>();

/**
 * The table of `schema` named `name` — what `schema.tables.find((t) => t.name === name)` gives,
 * from a map made once per table list (the IR's lists are not changed once made; one that grew
 * or shrank since is mapped again).
 */
export function tableNamed(schema: SchemaIR, name: string): TableIR | undefined {
  const tables = schema.tables;
  let m = tablesByName.get(tables);
  if (!m || m.length !== tables.length) {
    const byName = new Map<string, TableIR>();
    for (const t of tables) if (!byName.has(t.name)) byName.set(t.name, t);
    tablesByName.set(tables, m = { length: tables.length, byName });
  }
  return m.byName.get(name);
}

/** Deep-freeze plain data (the IR is immutable once built). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) freezeTree(value);
  return value;
}

/**
 * Freeze `o` and everything under it not frozen yet (a frozen value is taken as frozen all the
 * way down: deepFreeze and the dialects' builders freeze bottom-up). Arrays by index: `for…in`
 * over an array makes a string of every index.
 */
function freezeTree(o: object): void {
  Object.freeze(o);
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const v: unknown = o[i];
      if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) freezeTree(v);
    }
    return;
  }
  const r = o as Record<string, unknown>;
  for (const k in r) {
    const v = r[k];
    if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) freezeTree(v);
  }
}
