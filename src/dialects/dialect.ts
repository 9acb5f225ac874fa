/**
 * The dialect seam. Each dialect is one folder with the same files — `connection.ts`,
 * `introspect.ts`, `normalise.ts`, `planner.ts`, `sql-builder.ts`, `capabilities.ts`,
 * `run.ts` (its transaction rules), `lock.ts` (its deploy lock), `scratch.ts` (where SQL files
 * are parsed), `diff-hooks.ts` (its policies for the generic differ) — an `index.ts` exporting
 * a {@link Dialect}, and a `registration.ts` that the registry lists (see `docs/dialects.md`).
 * Everything that differs between databases is behind this interface; the engine, the
 * evolution runner and the deployment steps never ask which dialect they run on.
 */
import type { ProgressReporter } from '../plan/progress.js';
import type { ColumnIR, ColumnType, DialectName, SchemaIR } from '../ir/schema.js';
import type { IdentifierLimit } from '../ir/names.js';
import type { Diff, DiffHooks, DiffKnown } from '../diff/differ.js';
import type { Backfill, Hazard, OnlineFacts, OnlineState, Plan, PlanOptions, StatementLock } from '../plan/plan.js';
import type { Connection } from './connection.js';
import type { DatabaseUrl } from './url.js';
import type { LockWait } from './shared/lock.js';
import type { LintStatement } from './shared/online-lint.js';

/** What a dialect can do, each with the reason it matters. */
export interface DialectCapabilities {
  /** DDL runs inside transactions, so a failed plan leaves the database as it was (SQLite, PostgreSQL; not MySQL). */
  readonly transactionalDdl: boolean;
  /** `CREATE INDEX ... WHERE` (SQLite, PostgreSQL). */
  readonly partialIndexes: boolean;
  /** ALTER TABLE can change a column's type, nullability and default in place (not SQLite: it rebuilds). */
  readonly alterColumn: boolean;
  /** A database holds named schemas that can be managed beside the primary one (`--schemas`; PostgreSQL). */
  readonly schemas: boolean;
  /**
   * The longest name the database takes (PostgreSQL 63 bytes, MySQL 64 characters); absent
   * where there is none (SQLite). Longer names in the models are refused before anything runs.
   */
  readonly maxIdentifierLength?: IdentifierLimit;
  /**
   * Comments on tables and columns are managed objects, set with `COMMENT ON` (PostgreSQL);
   * absent where the IR holds none (MySQL reports them, SQLite has none): a models module's
   * `.comment()` is refused there rather than silently not kept.
   */
  readonly comments?: boolean;
  /**
   * Domains, composite types, extensions and exclusion constraints are objects the models may hold (PostgreSQL);
   * absent where the database has none: models holding one are refused (`E_UNSUPPORTED`).
   */
  readonly typeObjects?: boolean;
  /**
   * The statement after which a session does not check function bodies at creation
   * (PostgreSQL `SET check_function_bodies TO off`, as pg_dump and apply do): the models create
   * functions before the tables a body may read. Absent where bodies are not checked that way.
   */
  readonly uncheckedFunctionBodies?: string;
  /**
   * The driver blocks the thread while a statement runs (better-sqlite3): a fleet of such
   * databases is applied in worker threads, so that `--concurrency` runs targets at once.
   */
  readonly blockingDriver?: boolean;
  /**
   * Index names are the table's, not the schema's (MySQL/MariaDB: two tables may each have an
   * index `city`); absent: the schema's (SQLite, PostgreSQL), and a models name twice is refused.
   */
  readonly indexNamesPerTable?: boolean;
  /** A column can say `ON UPDATE CURRENT_TIMESTAMP` (MySQL/MariaDB); absent: a model's `.onUpdate()` is refused. */
  readonly onUpdateTimestamp?: boolean;
  /**
   * FULLTEXT and SPATIAL are kinds of index (`CREATE FULLTEXT INDEX n ON t (…)`) and a method
   * follows the key parts (`(a) USING BTREE`), as MySQL/MariaDB write them; absent:
   * `CREATE INDEX n ON t USING method (…)` (PostgreSQL).
   */
  readonly indexKindKeywords?: boolean;
  /** A view can be `SQL SECURITY INVOKER` (MySQL/MariaDB); absent: a model view's `sqlSecurity` is refused. */
  readonly viewSqlSecurity?: boolean;
  /**
   * An auto-increment column may be the first column of a composite primary key (MySQL/MariaDB:
   * it must lead an index); absent: auto-increment needs a one-column primary key.
   */
  readonly autoIncrementLeadingKey?: boolean;
  /**
   * Any integer column may auto-increment, outside the primary key too (PostgreSQL: a serial or
   * identity column); absent: only a primary key column (see {@link autoIncrementLeadingKey}).
   */
  readonly autoIncrementAnyColumn?: boolean;
  /**
   * A model column of a type spelled as the dialect spells it (`rawType('tinyint(1)')`,
   * `datetime()`) reads back as the DSL's type (boolean, timestamp) and takes any default the
   * database takes (MySQL/MariaDB: `tinyint(1) DEFAULT 2`, `datetime DEFAULT '0000-00-00 00:00:00'`):
   * pull states such a default so; absent: pull lists it.
   */
  readonly nativeTypeDefaults?: boolean;
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

/**
 * How a command treats a cluster of nodes that hold one database (dialects with one: Galera).
 * Other dialects ignore it.
 */
export interface ClusterOptions {
  /**
   * URLs of the cluster's nodes (`--nodes`): each is checked after a change (and changed in
   * turn when {@link rolling}). Default: the addresses the cluster reports.
   */
  readonly nodes?: readonly string[];
  /**
   * Change the nodes one by one, each out of the cluster's replication of schema changes
   * (Galera RSU), verifying each (`--rolling`, with {@link nodes}).
   */
  readonly rolling?: boolean;
}

/** One node of a cluster as checked after a change ({@link Dialect.afterApply}). */
export interface NodeCheck {
  /** The node's URL without password. */
  readonly node: string;
  /** Its fingerprint; null when it could not be reached. */
  readonly fingerprint: string | null;
  /** Why it could not be checked. */
  readonly error?: string;
}

/** What {@link Dialect.afterApply} is given. */
export interface AfterApplyContext {
  readonly url: DatabaseUrl;
  /** The fingerprint of the managed schema as `conn` (a connection to another node, say) sees it. */
  fingerprintOf(conn: Connection): Promise<string>;
}

/** Options of {@link Dialect.connect}. */
export interface ConnectOptions {
  /** Read-only commands never create or change anything. */
  readonly readOnly: boolean;
  /** The primary schema (dialects with {@link DialectCapabilities.schemas}). */
  readonly schema?: string;
  /** Schemas managed beside the primary one. */
  readonly schemas?: readonly string[];
  /**
   * A database named in the URL that does not exist is created (writable connections of server
   * dialects: `CREATE DATABASE`); otherwise the connection fails with `E_DB_CONNECT` saying it
   * does not exist. A SQLite file or PGlite directory is created by any writable open.
   */
  readonly createDatabase?: boolean;
  /** Seconds to wait for a server to answer (`?connect_timeout=` in the URL wins); default 10, 0: no limit. */
  readonly connectTimeoutSeconds?: number;
  /** Seconds to wait for another connection's lock on the database itself (SQLite's busy timeout); default 120. */
  readonly lockTimeoutSeconds?: number;
  /** The cluster's nodes and whether to change them one by one (dialects with clusters). */
  readonly cluster?: ClusterOptions;
}

/**
 * One step of a run: an SQL statement (a plan's statements are steps as they are) or a
 * TypeScript function (a data migration of a stored evolution, a numbered upgrade step).
 */
export type RunStep =
  | {
    readonly kind?: 'sql';
    readonly sql: string;
    /** Why the statement exists (shown when it fails). */
    readonly comment?: string;
    /**
     * False: the statement cannot run inside the run's transaction (PostgreSQL enum
     * `ADD VALUE`); the dialect commits it before the transaction. Unset: the dialect decides.
     */
    readonly inTransaction?: boolean;
    /** The step starts a transaction of its own: the steps before it are committed first (online strategies). */
    readonly ownTransaction?: boolean;
    /** For a step outside the transaction: SQL that undoes a failed try before it is retried or reported. */
    readonly undo?: string;
    /** For a step outside the transaction: run in batches (an expand/contract backfill) instead of as one statement. */
    readonly backfill?: Backfill;
  }
  | { readonly kind: 'function'; readonly name: string; run(): Promise<void> };

/** How a backfill runs: rows per batch (each batch its own transaction) and the pause between batches. */
export interface Batches {
  /** Rows per batch (`--batch-size`; default 10000). */
  readonly size: number;
  /** Milliseconds between two batches (`--batch-pause`; default 0). */
  readonly pauseMs: number;
}

/** The default {@link Batches}: 10,000 rows, no pause. */
export const DEFAULT_BATCHES: Batches = { size: 10_000, pauseMs: 0 };

/** Options of {@link Dialect.run}. */
export interface RunOptions {
  /** Called before each step with its index. */
  readonly onStatement?: (index: number) => void;
  /** Called after the last step, inside the transaction where there is one (a throw rolls everything back). */
  readonly beforeCommit?: () => Promise<void>;
  /**
   * The steps rebuild tables: foreign key enforcement is switched off around the transaction
   * and the keys are checked before commit (SQLite; other dialects need nothing).
   */
  readonly foreignKeysOff?: boolean;
  /**
   * How long each statement may wait for a table lock, and how often the run is tried again
   * when that wait times out (default {@link DEFAULT_LOCK_WAIT}: 2 s, 10 retries). Dialects
   * without concurrent DDL (SQLite) ignore it.
   */
  readonly lockWait?: LockWait;
  /**
   * Called when steps commit before the end of the run (steps outside a transaction, online
   * strategies' own transactions) with how many of the steps, from the first, are committed:
   * what stays applied if a later step fails.
   */
  readonly onCommitted?: (steps: number) => void;
  /** Where long statements (a rebuild's row copy) report their progress; none when unset. */
  readonly progress?: ProgressReporter;
  /** How backfills run (`--batch-size`, `--batch-pause`); default {@link DEFAULT_BATCHES}. */
  readonly batches?: Batches;
  /**
   * `--online` (issue 16): a statement the dialect would have to run in a way that blocks the
   * application (MySQL: an ALTER that falls back to copying a table with rows) is refused with
   * `E_NOT_ONLINE`, or run by an online tool (pt-online-schema-change), instead.
   */
  readonly online?: boolean;
}

/** Options of {@link Dialect.acquireLock}. */
export interface LockOptions {
  /** The URL the connection was opened with (its display form names it in errors). */
  readonly url: DatabaseUrl;
  /** The primary schema the command manages (dialects with schemas). */
  readonly schema?: string;
  /** How long to wait for another holder, in seconds. */
  readonly timeoutSeconds: number;
}

/** Options of {@link Dialect.expandTargets}. */
export interface ExpandOptions {
  /** A glob of schema names (`--schema-pattern 'tenant_*'`): one target per matching schema (dialects with schemas). */
  readonly schemaPattern?: string;
  /** Seconds to wait for a server to answer while listing (default 10). */
  readonly connectTimeoutSeconds?: number;
}

/** Releases a deploy lock. */
export type ReleaseLock = () => Promise<void>;

/**
 * A database dialect: how to reach it, read it, plan for it and run on it.
 *
 * @example
 * ```ts
 * import { loadDialect } from 'evolve';
 * const sqlite = await loadDialect('sqlite');
 * console.log(sqlite.capabilities.transactionalDdl); // true
 * ```
 */
export interface Dialect {
  /**
   * The SQL dialect its schemas are described in (`schema.dialect`, part of every
   * fingerprint). A flavour of another dialect (one that only changes its lock, say) keeps its
   * base's name, so the same schema has the same fingerprint on both.
   */
  readonly name: DialectName;
  readonly capabilities: DialectCapabilities;
  readonly sql: SqlBuilder;
  /** The dialect's policies for the generic differ. */
  readonly diffHooks: DiffHooks;
  /**
   * A URL where a SQL file can be parsed with no server (in-memory SQLite, PGlite), or null
   * when parsing one needs a server of this dialect.
   */
  readonly localScratch: string | null;
  /** Open a connection. `readOnly` commands never create or change anything. */
  connect(url: DatabaseUrl, options: ConnectOptions): Promise<Connection>;
  /** Read the live schema (already normalised). */
  introspect(conn: Connection, options?: IntrospectOptions): Promise<SchemaIR>;
  /**
   * A key of everything {@link introspect} reads, found with one cheap query: equal keys (with the
   * same options and the same build of Evolve) mean equal schemas, so the schema read for a key
   * can be kept and taken again (database/kept-live.ts). SQLite has one: its whole schema is the
   * text of `sqlite_schema`, which SQLite itself parses into what its pragmas report. A dialect
   * whose catalog has no such key leaves it out (and is read afresh every time).
   */
  catalogKey?(conn: Connection, options?: IntrospectOptions): Promise<string>;
  /** Map a compiled (model) schema to what this database would report for it. */
  normalise(schema: SchemaIR): SchemaIR;
  /**
   * Check a normalised models schema against the database it is meant for (PostgreSQL: a table
   * named `schema.table` needs that schema among the managed ones).
   * @throws EvolveError `E_USAGE` naming the table and the fix.
   */
  checkModels(schema: SchemaIR, url: DatabaseUrl): void;
  /**
   * The differences between two schemas normalised by this dialect (the generic differ with
   * {@link diffHooks}); `known`: what the caller found comparing the two already (the tables
   * `fingerprintPair` found the same), passed on to the differ.
   * @throws EvolveError `E_MODEL_INVALID` when `to` names a table the server `from` was read
   *   on cannot hold (MySQL with `lower_case_table_names=1`: a name with upper case).
   */
  diff(from: SchemaIR, to: SchemaIR, known?: DiffKnown): Diff;
  /**
   * Read what {@link plan} needs to plan `diff` online (which tables hold rows, what a killed
   * online step left behind); absent where the dialect has no online strategies.
   */
  onlineFacts?(conn: Connection, diff: Diff, state?: OnlineState): Promise<OnlineFacts>;
  /**
   * Start reading the part of the online facts no diff decides (see {@link OnlineState}): the
   * plan calls it as soon as the live schema is read, diffs while the server answers, and passes
   * the result to {@link onlineFacts} (which reads it itself when given none).
   */
  onlineState?(conn: Connection): Promise<OnlineState>;
  /** Turn a diff into statements (`options.convertLossy`: consented lossy type changes, see plan/lossy.ts). */
  plan(diff: Diff, options?: PlanOptions): Plan;
  /**
   * An SQL predicate, true for the (non-null) values of `column` that would not survive a
   * change from `from` to `to`; `null` when every value survives; `undefined` when it cannot be checked.
   */
  lossyValuePredicate(column: string, from: ColumnIR, to: ColumnIR): string | null | undefined;
  /**
   * The one transaction implementation: run `steps` in one transaction where the dialect
   * allows (with its rules: SQLite's foreign keys off around it and checked before commit,
   * PostgreSQL's enum values committed before it), calling `beforeCommit` inside it. Without
   * transactional DDL each statement commits and `beforeCommit` runs after the last.
   * Every runner — a generated plan, a stored evolution, a chain run at once, a numbered
   * upgrade step, a revert — goes through here.
   * @throws EvolveError `E_SQL_FAILED` for a statement the database rejects (`details.index`,
   *   `details.statement`, `details.error`: the database's words), after rolling back where it
   *   can; `E_FK_VIOLATION` when foreign keys no longer hold. What a function step or
   *   `beforeCommit` throws is rethrown as it is, after the rollback.
   */
  run(conn: Connection, steps: readonly RunStep[], options?: RunOptions): Promise<void>;
  /**
   * True for a step that {@link Dialect.run} runs on its own, outside the transaction
   * (PostgreSQL: `CREATE INDEX CONCURRENTLY`, an enum value). Absent: every step runs in it.
   */
  runsAlone?(step: RunStep): boolean;
  /**
   * Take the deploy lock of the database `conn` is on: one deployer at a time (B3). Waits up
   * to `timeoutSeconds`; a holder that dies releases it by itself.
   * @throws EvolveError `E_LOCK_TIMEOUT` when another deployer holds it longer.
   */
  acquireLock(conn: Connection, options: LockOptions): Promise<ReleaseLock>;
  /**
   * After a command changed the database, still under the deploy lock: a dialect whose
   * database lives on several nodes waits for them to be in sync and checks that each reports
   * the fingerprint of the node the change ran on. Absent: nothing to check.
   * @returns the nodes checked.
   * @throws EvolveError `E_CLUSTER_DIVERGED` naming the nodes that differ.
   */
  afterApply?(conn: Connection, context: AfterApplyContext): Promise<readonly NodeCheck[]>;
  /**
   * The schema a SQL file of CREATE statements describes, as this dialect reports it: loaded
   * into a scratch database near `near` (or {@link localScratch}), introspected, and the
   * scratch dropped — also when loading fails, and with what a killed run left swept.
   * @throws EvolveError `E_SQL_FAILED` naming the statement the database rejected.
   */
  schemaFromSql(near: DatabaseUrl, text: string, file: string): Promise<SchemaIR>;
  /**
   * The targets a fleet pattern stands for (issue 17), as URLs sorted by name: SQLite
   * `sqlite:tenants/*.db` the files the glob matches, PostgreSQL `?schemas=tenant_*` (or
   * {@link ExpandOptions.schemaPattern}) one URL per matching schema, MySQL `mysql://…/tenant_*`
   * one per matching database. Null when `url` is no pattern (it is its own one target).
   * Optional: a dialect without it takes no patterns.
   * @throws EvolveError `E_USAGE` / `E_DB_URL` for a pattern the dialect cannot expand.
   */
  expandTargets?(url: DatabaseUrl, options: ExpandOptions): Promise<string[] | null>;
  /**
   * What `sql` (one statement, generated or hand-written) costs a live database while it runs:
   * the lock it takes, what it blocks, whether it rewrites or scans the table (issue 16; `evolve
   * sql` prints it under each statement). Read from the text alone; null when nothing is known.
   */
  statementLock?(sql: string): StatementLock | null;
  /**
   * Online-safety lint of a run of statements (issue 16 point 4, `evolve lint`): the dialect's
   * rules read each statement's text (`handWritten`: a stored evolution, not a generated plan).
   */
  lintOnline?(statements: readonly LintStatement[], context: OnlineLintContext): Hazard[];
}

/** What {@link Dialect.lintOnline} is told about the statements it reads. */
export interface OnlineLintContext {
  /** Where the statements come from, to start each hazard's message (`0003-x.sql`, `the generated plan`). */
  readonly source: string;
  /** A hand-written (stored) evolution rather than a plan Evolve generated. */
  readonly handWritten: boolean;
}
