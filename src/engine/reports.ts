/** What the engine's use cases take and report: options shared by the commands that compare a database with models, and the plan and apply reports. */
import type { ModelsInput } from '../database/sources.js';
import type { DialectName } from '../ir/schema.js';
import { fingerprint } from '../ir/fingerprint.js';
import type { Rename } from '../diff/differ.js';
import type { Change } from '../diff/changes.js';
import type { Hazard, PlanStatement, StatementLock } from '../plan/plan.js';
import type { DatabaseOptions } from '../database/database.js';
import { distance } from '../evolutions/select.js';
import type { HistoryOptions } from '../deploy/record.js';

/** Options shared by the commands that compare a database with models. */
export interface EvolveOptions extends DatabaseOptions {
  /** Database URL (`sqlite:app.db`, `postgres://…`, `mysql://…`, `pglite:DIR`). */
  readonly db: string;
  /** The models. */
  readonly models: ModelsInput;
  /** Let the plan run despite data-loss hazards (`--allow-data-loss`). */
  readonly allowDataLoss?: boolean;
  /**
   * Directory of stored evolutions. Default: `evolutions/` beside the models module (none when
   * the models are given as values). A missing directory means no stored evolutions.
   */
  readonly evolutions?: string;
  /** Never run generated SQL: only stored evolutions (the reviewed and hand-written ways). */
  readonly storedOnly?: boolean;
  /** The deployment record's history (app id, table names; `history: true` to create it, `false` to skip). */
  readonly record?: HistoryOptions;
  /**
   * Verify the fingerprint after every link of a chain of stored evolutions
   * (`--verify-each-link`). Default: at the end of a chain run at once in one transaction
   * (SQLite, PostgreSQL; every link again, one at a time, when that check fails); on MySQL,
   * where each DDL statement commits, before every link that is not purely additive and at the
   * chain's end. See docs/evolutions.md.
   */
  readonly verifyEachLink?: boolean;
  /**
   * `apply`: told the fingerprint the database had before this apply changed anything, once it
   * is known (a fleet's report shows it for a target that then fails).
   */
  readonly onFingerprintBefore?: (fingerprint: string) => void;
}

/** A stored evolution as reports show it. */
export interface StoredStep {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Position distance along the known fingerprints (−1 when unknown). */
  readonly distance: number;
  /** The steps: SQL text, or `-- function NAME` for TypeScript steps (from `resumedAt` on, when resumed). */
  readonly steps: readonly string[];
  /**
   * MySQL: the step (1-based) at which an evolution that stopped part-way in an earlier apply
   * is resumed; the steps before it ran then and stay applied. Absent otherwise.
   */
  readonly resumedAt?: number;
  /** What each step costs a live database (the dialect's `statementLock`; null for a function or a statement that locks nothing). */
  readonly locks?: readonly (StatementLock | null)[];
}

/** What `evolve sql` reports. */
export interface PlanReport {
  /** What apply would run next: a stored evolution, the generated plan, or nothing. */
  readonly source: 'stored' | 'generated' | 'none';
  /** The stored evolution apply would run next (when source is 'stored'). */
  readonly stored: StoredStep | null;
  /** Where the live fingerprint is in the known list (null: unknown or no list). */
  readonly known: { readonly position: number; readonly of: number } | null;
  readonly dialect: DialectName;
  readonly database: string;
  readonly liveFingerprint: string;
  readonly targetFingerprint: string;
  readonly inSync: boolean;
  readonly changes: readonly Change[];
  readonly renames: readonly Rename[];
  readonly statements: readonly PlanStatement[];
  /** Hazards found, with row counts from the live data. */
  readonly hazards: readonly Hazard[];
  /** The hazards that stop `apply` under the given options. */
  readonly blocking: readonly Hazard[];
  /**
   * What the plan costs a live database beyond its locks (issue 16): tables copied while writes
   * wait (MySQL `TABLE_COPY`, rows estimated). Reported, never blocking — with `--online` they
   * are hazards that block instead.
   */
  readonly online?: readonly Hazard[];
  /** Objects in the live database that Evolve does not manage ("trigger t on table x"): never fingerprinted, never touched. */
  readonly unmanaged: readonly string[];
}

/** What `evolve apply` reports. */
export interface ApplyReport extends PlanReport {
  readonly applied: boolean;
  readonly fingerprintAfter: string;
  /** Stored evolutions run, in order, before the generated plan. */
  readonly storedApplied: readonly StoredStep[];
}
