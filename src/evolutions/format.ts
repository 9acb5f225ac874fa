/**
 * Stored evolutions: the on-disk format (see docs/evolutions.md).
 *
 * A directory (default `evolutions/` beside the models) holding:
 * - `fingerprints.txt`: the known fingerprints, oldest first, one per line (`#` comments);
 * - evolutions, one file each, applied in name order when several apply: `NNNN-name.sql`
 *   (header lines `-- evolve:from FP`, `-- evolve:to FP`, optionally `-- evolve:foreign-keys off`
 *   and `-- evolve:allow-data-loss`, statements, then optionally
 *   `-- evolve:revert` and the revert's statements) or `NNNN-name.ts` / `.js` (a default
 *   export made with {@link evolution}, mixing SQL strings and TypeScript functions);
 * - `evolve.sum`: the checksum file (`evolve hash` writes it);
 * - `snapshots/`: the canonical schema of each recorded fingerprint, for drift reports.
 */
import type { Row } from '../dialects/connection.js';
import type { Operations } from '../database/operations.js';

/** What a TypeScript step receives: the connection, inside the evolution's transaction where there is one. */
export interface StepContext {
  /** Run a query with positional parameters (`?` on SQLite/MySQL, `$1` on PostgreSQL). */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Run a statement. */
  execute(sql: string): Promise<void>;
  /** The dialect: 'sqlite' | 'postgres' | 'mysql'. */
  readonly dialect: string;
  /**
   * The dialect-independent operations API (the one numbered upgrade steps get, see
   * docs/deployment.md): `ops.addColumn('person', 'label', text())`, `ops.renameColumn(…)`,
   * `ops.hasColumn(…)`, … on the same connection and transaction.
   */
  readonly ops: Operations;
}

/** A step written in TypeScript (a data migration). */
export type StepFunction = (ctx: StepContext) => Promise<void> | void;

/** One step of an evolution. */
export type Step =
  | { readonly kind: 'sql'; readonly sql: string }
  | { readonly kind: 'function'; readonly name: string; readonly fn: StepFunction };

/** An evolution as loaded from disk. */
export interface Evolution {
  /** File name, e.g. `0002-add-author.sql`. */
  readonly id: string;
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly steps: readonly Step[];
  /** Steps that undo it; null when it has no revert. */
  readonly revert: readonly Step[] | null;
  /** SQLite: run with foreign key enforcement off around the transaction (table rebuilds). */
  readonly foreignKeysOff: boolean;
  /**
   * The file's consent to lose data (`-- evolve:allow-data-loss`, or `allowDataLoss: true`):
   * apply runs it although `evolve lint` rates one of its steps an error (a drop, a delete).
   * Part of the signed text, like every header.
   */
  readonly allowDataLoss: boolean;
}

/** What a TypeScript evolution module default-exports. */
export interface EvolutionDefinition {
  from: string;
  to: string;
  /** SQL strings and functions, run in order. */
  up: readonly (string | StepFunction)[];
  /** The revert, in order. */
  down?: readonly (string | StepFunction)[];
  /** SQLite: foreign keys off around the transaction. */
  foreignKeysOff?: boolean;
  /** Consent to lose data: apply runs the steps `evolve lint` rates an error (see {@link Evolution.allowDataLoss}). */
  allowDataLoss?: boolean;
}

/**
 * Define an evolution in TypeScript: SQL statements and functions interleaved.
 *
 * @example
 * ```ts
 * import { evolution } from 'evolve';
 * export default evolution({
 *   from: 'fv1:…', to: 'fv1:…',
 *   up: [
 *     'ALTER TABLE person ADD COLUMN full_name text',
 *     async ({ query, execute }) => { for (const r of await query('SELECT id, first, last FROM person')) … },
 *     'ALTER TABLE person DROP COLUMN first',
 *   ],
 *   down: [ … ],
 * });
 * ```
 */
export function evolution(definition: EvolutionDefinition): EvolutionDefinition {
  return definition;
}

export const FINGERPRINTS_FILE = 'fingerprints.txt';
export const SUM_FILE = 'evolve.sum';
export const SNAPSHOT_DIR = 'snapshots';
/** Evolution file names: a number, a dash or underscore, a name. */
export const EVOLUTION_FILE = /^(\d+)[-_][^/]*\.(sql|ts|mts|js|mjs)$/;
