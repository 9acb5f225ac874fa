/**
 * The dialect seam. Each dialect is one folder with the same files:
 * `connection.ts`, `introspect.ts`, `normalise.ts`, `planner.ts`, `sql-builder.ts`,
 * `capabilities.ts` and an `index.ts` exporting a {@link Dialect}.
 * The differ and the hazard checks are generic; they call these hooks.
 */
import type { ColumnIR, ColumnType, DialectName, SchemaIR } from '../ir/schema.js';
import type { Diff } from '../diff/differ.js';
import type { Plan, PlanOptions } from '../plan/plan.js';
import type { Connection } from './connection.js';
import type { DatabaseUrl } from './url.js';

/** What a dialect can do, each with the reason it matters. */
export interface DialectCapabilities {
  /** DDL runs inside transactions, so a failed plan leaves the database as it was (SQLite, PostgreSQL; not MySQL). */
  readonly transactionalDdl: boolean;
  /** `CREATE INDEX ... WHERE` (SQLite, PostgreSQL). */
  readonly partialIndexes: boolean;
  /** ALTER TABLE can change a column's type, nullability and default in place (not SQLite: it rebuilds). */
  readonly alterColumn: boolean;
}

/** Quoting and type rendering: every identifier and literal in generated SQL goes through here. */
export interface SqlBuilder {
  /** Quote an identifier. */
  ident(name: string): string;
  /** Quote a table name (schema-qualified where the dialect has schemas). */
  table(name: string): string;
  /** Quote a literal value. */
  literal(value: string | number | boolean): string;
  /** The dialect's spelling of a column type. */
  type(type: ColumnType): string;
}

/** Options every introspection accepts. */
export interface IntrospectOptions {
  /** PostgreSQL schema (default `public`). */
  readonly schema?: string;
  /**
   * PostgreSQL schemas read beside the primary one (default: the connection's, else none).
   * Their tables and objects are named `schema.name`; the primary schema's stay unqualified.
   */
  readonly schemas?: readonly string[];
}

/** Options of {@link Dialect.run}. */
export interface RunOptions {
  /** Called before each statement with its index. */
  readonly onStatement?: (index: number) => void;
  /** Called after the last statement, inside the transaction where there is one. */
  readonly beforeCommit?: () => Promise<void>;
}

export interface Dialect {
  readonly name: DialectName;
  readonly capabilities: DialectCapabilities;
  readonly sql: SqlBuilder;
  /** Open a connection. `readOnly` commands never create or change anything. */
  connect(url: DatabaseUrl, options: { readOnly: boolean; schema?: string; schemas?: readonly string[] }): Promise<Connection>;
  /** Read the live schema (already normalised). */
  introspect(conn: Connection, options?: IntrospectOptions): Promise<SchemaIR>;
  /** Map a compiled (model) schema to what this database would report for it. */
  normalise(schema: SchemaIR): SchemaIR;
  /** Turn a diff into statements (`options.convertLossy`: consented lossy type changes, see plan/lossy.ts). */
  plan(diff: Diff, options?: PlanOptions): Plan;
  /**
   * An SQL predicate, true for the (non-null) values of `column` that would not survive a
   * change from `from` to `to`; `null` when every value survives; `undefined` when it cannot be checked.
   */
  lossyValuePredicate(column: string, from: ColumnIR, to: ColumnIR): string | null | undefined;
  /**
   * Run a plan's statements: in one transaction where the dialect allows, calling
   * `beforeCommit` inside it (a throw there rolls everything back). Without transactional
   * DDL, `beforeCommit` runs after the last statement.
   */
  run(conn: Connection, plan: Plan, options?: RunOptions): Promise<void>;
}
