/**
 * Plans: the SQL a diff turns into, with the hazards it carries. A plan is data; only
 * `apply` runs it.
 */
import type { Change } from '../diff/changes.js';
import type { Rename } from '../diff/differ.js';
import type { DialectName } from '../ir/schema.js';

/** Hazard codes (stable). */
export const HazardCode = {
  DropTable: 'DROP_TABLE',
  DropColumn: 'DROP_COLUMN',
  NotNullWithNulls: 'NOT_NULL_WITH_NULLS',
  LossyTypeChange: 'LOSSY_TYPE_CHANGE',
  AddNotNullWithoutDefault: 'ADD_NOT_NULL_WITHOUT_DEFAULT',
  UniqueWithDuplicates: 'UNIQUE_WITH_DUPLICATES',
  TableRebuild: 'TABLE_REBUILD',
  DeleteRows: 'DELETE_ROWS',
  CheckViolated: 'CHECK_VIOLATED',
  EnumValueRemoved: 'ENUM_VALUE_REMOVED',
  ForeignKeyViolated: 'FOREIGN_KEY_VIOLATED',
  /** A cluster that replicates rows by their primary key (Galera) gets a table without one. */
  NoPrimaryKeyOnCluster: 'NO_PRIMARY_KEY_ON_CLUSTER',
  /** A cluster that replicates only InnoDB (Galera) gets a table of another engine. */
  EngineNotReplicated: 'ENGINE_NOT_REPLICATED',
  /**
   * A statement copies a table that has rows while writes to it wait (MySQL/MariaDB
   * `ALGORITHM=COPY`): a warning, and with `--online` an error no consent passes (issue 16).
   */
  TableCopy: 'TABLE_COPY',
  // Online-safety lint (issue 16 point 4, `evolve lint`; docs/online.md lists each with its fix).
  /** PostgreSQL CREATE INDEX without CONCURRENTLY on an existing table: writes wait for the build. */
  OnlineIndexNotConcurrent: 'ONLINE_INDEX_NOT_CONCURRENT',
  /** PostgreSQL CONCURRENTLY inside a transaction: it fails there. */
  OnlineConcurrentlyInTransaction: 'ONLINE_CONCURRENTLY_IN_TRANSACTION',
  /** PostgreSQL foreign key or check added without NOT VALID: every row is checked under the lock. */
  OnlineConstraintNotValid: 'ONLINE_CONSTRAINT_NOT_VALID',
  /** PostgreSQL SET NOT NULL without a validated CHECK (col IS NOT NULL) before it: a full scan under ACCESS EXCLUSIVE. */
  OnlineSetNotNull: 'ONLINE_SET_NOT_NULL',
  /** A column type change that rewrites the table under its strongest lock. */
  OnlineTypeRewrite: 'ONLINE_TYPE_REWRITE',
  /** PostgreSQL ADD COLUMN with a volatile default: every row is rewritten under ACCESS EXCLUSIVE. */
  OnlineVolatileDefault: 'ONLINE_VOLATILE_DEFAULT',
  /** A table or column rename: the application version still running uses the old name. */
  OnlineRenameBreaksApp: 'ONLINE_RENAME_BREAKS_APP',
  /** A table or column drop: the application version still running may use it. */
  OnlineDropBreaksApp: 'ONLINE_DROP_BREAKS_APP',
  /** A hand-written evolution that changes existing tables without bounding its lock waits. */
  OnlineNoLockTimeout: 'ONLINE_NO_LOCK_TIMEOUT',
  /** MySQL/MariaDB ALTER TABLE (or CREATE INDEX) without ALGORITHM/LOCK: the server may silently copy under a lock. */
  OnlineMysqlNoAlgorithm: 'ONLINE_MYSQL_NO_ALGORITHM',
  /** MySQL/MariaDB ALTER with ALGORITHM=COPY: writes wait while the table is copied. */
  OnlineMysqlCopy: 'ONLINE_MYSQL_COPY',
} as const;
export type HazardCodeValue = (typeof HazardCode)[keyof typeof HazardCode];

/** Something in a plan that can lose data or fail on existing rows. */
export interface Hazard {
  readonly code: HazardCodeValue;
  /** `error`: refused unless allowed (`allowDataLoss`); `warning`: reported only. */
  readonly severity: 'error' | 'warning';
  readonly table: string;
  readonly column: string | null;
  readonly message: string;
  /** One line: how to avoid it or how to allow it. */
  readonly fix: string;
  /** Rows affected, as counted in the live database (null when not counted). */
  readonly rows: number | null;
  /** A few example values (for lossy conversions). */
  readonly examples?: readonly string[];
  /** True when `allowDataLoss` lets the plan go ahead despite it. */
  readonly allowable: boolean;
}

/**
 * A possible hazard whose reality depends on the data: `countSql` returns one row with a
 * column `n`; the hazard holds when n > 0. `examplesSql`, when given, returns up to 5 rows
 * with a column `v`.
 */
export interface DataCheck {
  readonly hazard: Omit<Hazard, 'rows' | 'examples'>;
  readonly countSql: string;
  readonly examplesSql?: string;
  /** The change the hazard comes from. */
  readonly change: Change;
}

/** Options of `Dialect.plan`. */
export interface PlanOptions {
  /**
   * Type changes (`alterColumn` changes of the diff) whose non-converting values the user
   * allowed to lose: the plan converts them by the rule of `lossyRule` (plan/lossy.ts) — text
   * cut to the new length, other values NULL. Other type changes convert as the database does.
   */
  readonly convertLossy?: ReadonlySet<Change>;
  /**
   * `--online`: a statement that would block the application's writes on a table with rows is
   * refused (a TABLE_COPY error) or run by an online tool the dialect knows (MySQL:
   * pt-online-schema-change when installed). See docs/online.md.
   */
  readonly online?: boolean;
  /** What the live database says for online strategies (see {@link OnlineFacts}); absent: every change in the transaction. */
  readonly onlineFacts?: OnlineFacts;
}

/**
 * Facts read from the live database that let a dialect plan changes online (issue 16), read by
 * `Dialect.onlineFacts` just before planning. Table names as the live schema names them.
 */
export interface OnlineFacts {
  /** Tables that hold at least one row: a change on them is planned online where the dialect can. */
  readonly tablesWithRows: ReadonlySet<string>;
  /** Indexes a failed or killed concurrent build left invalid: dropped and built again. */
  readonly invalidIndexes: readonly { readonly table: string; readonly name: string }[];
  /** Constraints added `NOT VALID` whose validation did not finish: validated. */
  readonly unvalidated: readonly { readonly table: string; readonly name: string }[];
  /**
   * Columns whose type change may be done as expand/contract (keyed `table`, then column): what
   * the catalog says about them. A column without an entry keeps the plain type change.
   */
  readonly columns?: ReadonlyMap<string, ReadonlyMap<string, ColumnFacts>>;
  /** What expand/contract type changes that did not finish left behind: resumed, or removed. */
  readonly expansions?: ExpandLeftovers;
  /**
   * MySQL/MariaDB: the tables of a planned VARCHAR widening whose rows are ROW_FORMAT=REDUNDANT
   * (a widening past 255 bytes is instant there, and copies the table in COMPACT and DYNAMIC rows).
   */
  readonly redundantRows?: ReadonlySet<string>;
}

/**
 * The part of {@link OnlineFacts} no diff decides — what a killed or failed online step left
 * behind — read by `Dialect.onlineState` before the diff, so the server reads it while Evolve
 * diffs, and handed to `Dialect.onlineFacts`.
 */
export type OnlineState = Pick<OnlineFacts, 'invalidIndexes' | 'unvalidated' | 'expansions'>;

/** What the catalog says about a column whose type may change through a new column (see {@link OnlineFacts.columns}). */
export interface ColumnFacts {
  /** What depends on the column besides its default and its indexes, in the database's words ("view v", "constraint c on table t"). */
  readonly dependents: readonly string[];
  /** The indexes on the column (each rebuilt on the new column before the swap where it is a plain index of the table). */
  readonly indexes: readonly string[];
  /** The column has privileges of its own (column-level GRANTs): lost with the old column. */
  readonly privileges: boolean;
  /** The table's triggers (other than Evolve's): the backfill's updates would fire them. */
  readonly triggers: readonly string[];
}

/** What unfinished expand/contract type changes left (names as expand-names.ts makes them; tables as the live schema names them). */
export interface ExpandLeftovers {
  /** Shadow columns, with their type as the database writes it. */
  readonly columns: readonly { readonly table: string; readonly name: string; readonly type: string }[];
  /** The triggers that fill them. */
  readonly triggers: readonly { readonly table: string; readonly name: string }[];
  /** The triggers' functions (names qualified as the table is). */
  readonly functions: readonly string[];
}

/**
 * A statement that runs in batches (an expand/contract backfill, issue 16): each batch in its own
 * transaction, `RunOptions.backfill` rows at a time with a pause between, its progress reported.
 * The statement's own `sql` does the whole of it at once (what a stored evolution runs).
 */
export interface Backfill {
  /** What is filled, for progress ("item.n"). */
  readonly label: string;
  /**
   * The first batch: `$1` is the batch size; one row back, `last` (the batch's last key as text,
   * NULL when no rows were left) and `n` (the rows the batch went over).
   */
  readonly first: string;
  /** The batches after it: `$1` the batch size, `$2` the last key of the batch before. */
  readonly next: string;
  /** One row `n`: about how many rows there are (for progress). */
  readonly estimate: string;
}

/**
 * What one statement costs a live database while it runs (issue 16; `evolve sql` shows it), as
 * the dialect's `statementLock` reads it from the statement's text.
 */
export interface StatementLock {
  /** The lock it takes, in the database's words (`ACCESS EXCLUSIVE`, `SHARE UPDATE EXCLUSIVE`, `metadata lock, LOCK=NONE`). */
  readonly lock: string;
  /** The application's queries on the table that wait while it holds the lock. */
  readonly blocks: 'nothing' | 'writes' | 'reads and writes';
  /** Whether the lock is held only for an instant (no rewrite or scan under it). */
  readonly brief: boolean;
  /** What it does to the table's rows: copies or rewrites them, reads them all, or neither. */
  readonly work: 'rewrite' | 'scan' | 'none';
  /** One more line of explanation, when there is one. */
  readonly note?: string;
}

/** One line for a {@link StatementLock}: `lock ACCESS EXCLUSIVE: blocks reads and writes while it rewrites the table`. */
export function describeLock(l: StatementLock): string {
  const work = l.work === 'rewrite' ? 'rewrites the table' : l.work === 'scan' ? 'scans the table' : 'no rewrite, no scan';
  const blocks = l.blocks === 'nothing' ? 'reads and writes go on' : `blocks ${l.blocks}${l.brief ? ' for an instant' : ' until it ends'}`;
  return `lock ${l.lock}: ${blocks}; ${work}${l.note ? ` (${l.note})` : ''}`;
}

/** One statement of a plan. */
export interface PlanStatement {
  readonly sql: string;
  /** Why the statement exists. */
  readonly comment: string;
  /**
   * False for statements that run outside the plan's transaction (SQLite `PRAGMA foreign_keys`;
   * every MySQL/MariaDB statement, since each DDL statement commits at once).
   */
  readonly inTransaction: boolean;
  /**
   * Why the statement runs apart from the plan's one transaction (an online strategy, issue 16:
   * `CREATE INDEX CONCURRENTLY`, a `VALIDATE CONSTRAINT` in its own transaction); shown by
   * `evolve sql`. Unset for a statement of the plan's transaction.
   */
  readonly online?: string;
  /** The statement starts a transaction of its own (the ones before it are committed). */
  readonly ownTransaction?: boolean;
  /** For a statement outside any transaction: what undoes a failed try of it (an invalid index left by a failed build). */
  readonly undo?: string;
  /** For a statement outside any transaction: run in batches instead of as one statement. */
  readonly backfill?: Backfill;
  /** What it costs a live database (set for reports by the dialect's `statementLock`; plans leave it out). */
  readonly lock?: StatementLock;
}

/** A plan ready to show or apply. */
export interface Plan {
  readonly dialect: DialectName;
  readonly changes: readonly Change[];
  readonly renames: readonly Rename[];
  /** Statements to run, in order. */
  readonly statements: readonly PlanStatement[];
  /** Hazards known without looking at the data. */
  readonly hazards: readonly Hazard[];
  /** Hazards to confirm against the data before applying. */
  readonly checks: readonly DataCheck[];
  /** SQLite: foreign key enforcement must be off around the transaction (table rebuilds). */
  readonly foreignKeysOff: boolean;
}
