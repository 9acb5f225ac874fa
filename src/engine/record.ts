/** `evolve record`: the pending generated change stored as a reviewed evolution with its revert (the reviewed way). */
import { fingerprint } from '../ir/fingerprint.js';
import type { Change } from '../diff/changes.js';
import { describeChange } from '../diff/changes.js';
import type { Hazard, Plan } from '../plan/plan.js';
import { describeHazard } from '../plan/describe.js';
import { lintStoredEvolution } from '../evolutions/lint.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { withDatabase } from '../database/database.js';
import { join as joinPath } from 'node:path';
import { loadEvolutions, type EvolutionSet } from '../evolutions/load.js';
import { nextEvolution } from '../evolutions/select.js';
import { evolutionText, revertPlan, writeRecorded } from '../evolutions/record.js';
import { recorded } from '../deploy/record.js';
import { withApplication } from '../deploy/steps-module.js';
import type { EvolveOptions } from './reports.js';
import { resolveModels, buildPlan } from './build-plan.js';
import { evolutionsDir } from './evolution-set.js';

/** What `evolve record` reports. */
export interface RecordReport {
  readonly file: string | null;
  readonly from: string;
  readonly to: string;
  readonly changes: readonly Change[];
  readonly hazards: readonly Hazard[];
  /** The file carries consent to lose data (`-- evolve:allow-data-loss`): recorded with `allowDataLoss`, as its steps lose data. */
  readonly allowDataLoss: boolean;
}

/**
 * Store the pending generated change (live → models) as an evolution with its revert
 * (`evolve record`). Nothing is applied to the database. A change that loses data — a hazard
 * counted in the development data, or a step `evolve lint` rates an error (a drop loses data
 * wherever there is some) — is recorded only with `allowDataLoss`, and the file then carries
 * that consent (`-- evolve:allow-data-loss`), which apply needs to run it.
 * @throws EvolveError `E_DATA_LOSS` for such a change without `allowDataLoss` (nothing written).
 */
export async function recordEvolution(options: EvolveOptions & { name?: string }): Promise<RecordReport> {
  options = (await withApplication(options)).options;
  const models = await resolveModels(options.models);
  const dir = evolutionsDir(options);
  if (!dir) {
    throw new EvolveError(ErrorCode.Usage, 'No evolutions directory to record into.', {
      hint: 'Pass --evolutions DIR (or --models PATH, whose directory holds evolutions/).',
    });
  }
  const set = await loadEvolutions(dir);
  return withDatabase(options.db, true, options, async (d) => {
    const { report, plan, diff } = await buildPlan(d, models, true, set);
    if (report.liveFingerprint === report.targetFingerprint) {
      return { file: null, from: report.liveFingerprint, to: report.targetFingerprint, changes: [], hazards: [], allowDataLoss: false };
    }
    refuseRecord(set, report.liveFingerprint, report.targetFingerprint);
    const lossy = lossOf(plan, report.hazards);
    if (lossy.length && !options.allowDataLoss) {
      throw new EvolveError(ErrorCode.DataLoss,
        `Recording this change would store ${lossy.length === 1 ? 'a step that loses' : 'steps that lose'} data; nothing was written.\n` +
        lossy.map((h) => '  - ' + describeHazard(h)).join('\n'), {
          hint: 'If the loss is intended, pass --allow-data-loss: the file then carries that consent (`-- evolve:allow-data-loss`), ' +
            'so apply runs it without the flag. Otherwise change the models (aka for a rename).',
          details: { hazards: lossy },
        });
    }
    const revert = revertPlan(d.dialect, diff);
    const text = evolutionText(report.liveFingerprint, report.targetFingerprint, plan, revert, report.hazards,
      `recorded by evolve record from ${d.url.display}:`, lossy.length > 0);
    const file = writeRecorded(dir, {
      ...(options.name ? { name: options.name } : {}), from: diff.from, to: diff.to,
      fromFp: report.liveFingerprint, toFp: report.targetFingerprint, text,
      firstChange: plan.changes[0] ? describeChange(plan.changes[0]) : 'evolution',
    });
    return {
      file: joinPath(dir, file), from: report.liveFingerprint, to: report.targetFingerprint, changes: plan.changes, hazards: report.hazards,
      allowDataLoss: lossy.length > 0,
    };
  });
}

/**
 * What a recorded change loses: the hazards counted in the development data that consent
 * accepts, and the steps `evolve lint` rates an error (the same rule apply uses on the file),
 * each once (a counted hazard stands for the step that has the same code, table and column).
 */
function lossOf(plan: Plan, hazards: readonly Hazard[]): Hazard[] {
  const counted = hazards.filter((h) => h.severity === 'error' && h.allowable);
  const steps = plan.statements.map((s) => ({ kind: 'sql' as const, sql: s.sql }));
  const evolution = { id: 'the recorded evolution', file: '', from: '', to: '', steps, revert: null, foreignKeysOff: false, allowDataLoss: false };
  const linted = lintStoredEvolution(evolution)
    .filter((h) => h.severity === 'error' && !counted.some((c) => c.code === h.code && c.table === h.table && c.column === h.column));
  return [...counted, ...linted];
}

/**
 * `record` writes an evolution from the live fingerprint; refuse one the selection rule could
 * not use: a stored evolution already starts there (recording twice before applying would
 * give two evolutions from the same fingerprint), or the target is a known fingerprint that
 * is not after the live one (a way back is a revert).
 */
function refuseRecord(set: EvolutionSet, live: string, target: string): void {
  const pending = nextEvolution(set, live);
  if (pending) {
    const same = pending.to === target;
    throw new EvolveError(ErrorCode.Conflict,
      same ? `The pending change is already recorded: '${pending.file}' goes from the live fingerprint ${live} to the models' ${target}.`
        : `Stored evolution '${pending.file}' already starts at the live fingerprint ${live} (it leads to ${pending.to}); ` +
          'a second one from the same fingerprint would compete with it.', {
        hint: same ? 'Apply it first (`evolve apply --stored-only` on this database); there is nothing new to record.'
          : 'Apply it first (`evolve apply --stored-only` on this development database), then record the next change from there.',
        details: { evolution: pending.file, live, target },
      });
  }
  const at = set.known.indexOf(target);
  const here = set.known.indexOf(live);
  if (at >= 0 && (here < 0 || at <= here)) {
    throw new EvolveError(ErrorCode.Conflict,
      `The models' fingerprint ${target} is known (position ${at + 1} of fingerprints.txt) and not after the live one ${live}: recording would go backwards.`, {
        hint: 'Go back with `evolve revert --to FINGERPRINT` (stored reverts), or change the models so they describe a new schema.',
        details: { live, target },
      });
  }
}
