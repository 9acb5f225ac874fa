/**
 * Resuming a stored evolution that stopped part-way (PRODUCT.md B2: "on MySQL the stage is
 * recorded and apply can resume").
 *
 * MySQL commits every DDL statement (and PostgreSQL commits what precedes a statement that runs
 * only outside a transaction, such as CREATE INDEX CONCURRENTLY), so a step that fails leaves
 * the steps before it applied:
 * the database is at a state no fingerprint list knows. Apply then writes a `partial` history
 * row (deploy/record.ts): the evolution, how many of its steps ran, the checksum of those
 * steps' text, and the fingerprint the database was left at. When the latest history row of
 * the application is such a row and the database is still at that fingerprint, apply resumes:
 * the evolution file (fixed and re-signed, or as it was, the data fixed instead) must begin
 * with exactly the steps that ran, and apply runs the rest and verifies the to-fingerprint as
 * always. A file whose steps that ran were changed since is refused: running the rest of it
 * would not give the database the file describes — unless the database is at the evolution's
 * from-fingerprint, where the fixed file simply runs from its start.
 */
import { EvolveError, ErrorCode } from '../errors.js';
import type { HistoryRow } from '../deploy/record.js';
import type { EvolutionSet } from '../evolutions/load.js';
import type { Evolution } from '../evolutions/format.js';
import { stepsChecksum } from '../evolutions/checksum.js';
import type { Dialect } from '../dialects/dialect.js';

/**
 * True where a stored evolution can stop part-way: a dialect without transactional DDL, or
 * one with statements that commit on their own (PostgreSQL's `CREATE INDEX CONCURRENTLY`).
 */
export function canStopPartWay(dialect: Dialect): boolean {
  return !dialect.capabilities.transactionalDdl || dialect.runsAlone !== undefined;
}

/** Where apply picks up an evolution that stopped part-way: its first `startAt` steps ran. */
export interface Resume {
  readonly evolution: Evolution;
  readonly startAt: number;
}

/**
 * The evolution to resume at the live fingerprint `live`, given the application's latest
 * history row; null when there is none to resume (the row is not a partial one, the database
 * has moved on since, or the evolution is no longer in the set).
 * @throws EvolveError `E_RESUME_CONFLICT` when the file no longer begins with the steps that ran.
 */
export function resumePoint(set: EvolutionSet, last: HistoryRow | null, live: string): Resume | null {
  if (!last || last.kind !== 'stored' || last.outcome !== 'partial' || last.toFingerprint !== live || last.stepsRun === null) return null;
  const evolution = set.evolutions.find((e) => e.id === last.name);
  if (!evolution) return null;
  const k = last.stepsRun;
  if (k <= evolution.steps.length && stepsChecksum(evolution.steps.slice(0, k)) === last.stepsChecksum) return { evolution, startAt: k };
  // Changed steps on a database still at the from-fingerprint (what ran changed nothing the
  // fingerprint sees, or it was brought back by hand): the fixed file runs from its start.
  if (live === evolution.from) return null;
  const ran = k === 1 ? 'step 1' : `steps 1–${k}`;
  const they = k === 1 ? 'it' : 'they';
  throw new EvolveError(ErrorCode.ResumeConflict,
    `Evolution '${evolution.id}' stopped part-way in an earlier apply (${last.started}): ${ran} ran and stay${k === 1 ? 's' : ''} applied, ` +
    `and the database is still where they left it (${live}). The file no longer begins with ${k === 1 ? 'that step' : 'those steps'} ` +
    `as ${they} ran${k > evolution.steps.length ? ` (it has ${evolution.steps.length} step(s) now)` : ''}, ` +
    'so running the rest of it would not give the database it describes.', {
      hint: `Restore ${ran} of '${evolution.id}' as ${they} ran (change only the steps after them), run \`evolve hash\`, and apply again; ` +
        `or bring the database back to ${evolution.from} by hand and apply the fixed file from there.`,
      details: { evolution: evolution.id, stepsRun: k, live, from: evolution.from },
    });
}
