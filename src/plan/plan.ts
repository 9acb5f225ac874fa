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
  /** What the live database says about online strategies (see {@link OnlineFacts}); absent: every change in the transaction. */
  readonly online?: OnlineFacts;
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
