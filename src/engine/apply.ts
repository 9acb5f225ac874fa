/** `evolve apply` (the seed's syncdb): stored evolutions first, then the generated plan once. */
import { fingerprintBeside } from '../ir/fingerprint.js';
import { describeChange } from '../diff/changes.js';
import { HazardCode, type Hazard } from '../plan/plan.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { describeHazard } from '../plan/describe.js';
import { withLiveSchema } from '../database/database.js';
import { runPlan } from '../database/run-plan.js';
import { fileHash } from '../evolutions/checksum.js';
import { recorded } from '../deploy/record.js';
import { withApplication } from '../deploy/steps-module.js';
import type { EvolveOptions, ApplyReport } from './reports.js';
import { resolveModelsFor, buildPlan } from './build-plan.js';
import { evolutionSet } from './evolution-set.js';
import { applyStored } from './apply-stored.js';

/** The hint of a refusal: which hazards --allow-data-loss would accept, and which need a fix. */
function dataLossHint(blocking: readonly Hazard[]): string {
  const where = (h: Hazard): string => `${h.code} ${h.table}${h.column ? `.${h.column}` : ''}`;
  const yes = blocking.filter((h) => h.allowable);
  const no = blocking.filter((h) => !h.allowable);
  if (!no.length) return 'Fix the models (aka for renames), or pass --allow-data-loss to accept the loss.';
  if (!yes.length) return 'Fix the models or the data as each line says; --allow-data-loss cannot help with these.';
  return `Fix the models or the data for ${no.map(where).join(', ')} (--allow-data-loss cannot help with ${no.length === 1 ? 'it' : 'these'}); `
    + `--allow-data-loss would accept ${yes.map(where).join(', ')}.`;
}

/**
 * Bring the database in line with the models (`evolve apply`): first every stored evolution
 * that applies (they always win over introspection), then — unless `storedOnly` — the
 * generated plan once: missing tables created and existing ones evolved in one transaction
 * where the dialect allows, the live fingerprint verified inside it.
 *
 * @throws EvolveError `E_DATA_LOSS` when a hazard blocks the plan (nothing generated is applied);
 *   `E_OUT_OF_SYNC` in stored-only mode when the stored evolutions do not reach the models.
 */
export async function applyEvolution(options: EvolveOptions): Promise<ApplyReport> {
  options = (await withApplication(options)).options; // an application's own tables only; history under its id
  // Integrity first: nothing runs past an edited evolution (a server reads the live schema meanwhile, under the lock).
  const prepare = async () => ({ set: await evolutionSet(options), models: await resolveModelsFor(options.models, options.db) });
  return withLiveSchema(options.db, false, options, prepare, async (d, { set, models }, live) => {
    const stored = await applyStored(d, set, options.record, options.verifyEachLink === true, options.allowDataLoss === true, live);
    const storedApplied = stored.steps;
    const { report, plan, desired } = await buildPlan(d, models, options.allowDataLoss === true, set, stored.schema ?? live);
    options.onFingerprintBefore?.(storedApplied[0]?.from ?? report.liveFingerprint);
    if (options.storedOnly) {
      if (!report.inSync) {
        throw new EvolveError(ErrorCode.OutOfSync,
          `The database is at ${report.liveFingerprint}${storedApplied.length ? ` after ${storedApplied.length} stored evolution(s)` : ''}, ` +
          `not at the models' fingerprint ${report.targetFingerprint}, and generated SQL is not allowed (stored-only).`, {
            hint: 'Record the pending change as an evolution (`evolve record`) on a development database, review and commit it, then apply again.',
            details: { live: report.liveFingerprint, target: report.targetFingerprint, storedApplied },
          });
      }
      return { ...report, applied: storedApplied.length > 0, fingerprintAfter: report.liveFingerprint, storedApplied };
    }
    if (report.blocking.length && report.blocking.every((h) => h.code === HazardCode.TableCopy)) {
      throw new EvolveError(ErrorCode.NotOnline,
        `Refusing to apply with --online: ${report.blocking.length} table${report.blocking.length === 1 ? '' : 's'} would be copied ` +
        `while writes to ${report.blocking.length === 1 ? 'it wait' : 'them wait'}; nothing was changed` +
        `${storedApplied.length ? ' after the stored evolutions' : ''}.\n` + report.blocking.map((h) => '  - ' + describeHazard(h)).join('\n'), {
          hint: report.blocking[0]!.fix, details: { hazards: report.blocking, storedApplied },
        });
    }
    if (report.blocking.length) {
      throw new EvolveError(ErrorCode.DataLoss,
        `Refusing to apply: ${report.blocking.length} change${report.blocking.length === 1 ? '' : 's'} would lose data or fail on existing rows; ` +
        `nothing was changed${storedApplied.length ? ' after the stored evolutions' : ''}.\n` +
        report.blocking.map((h) => '  - ' + describeHazard(h)).join('\n'), {
          hint: dataLossHint(report.blocking),
          details: { hazards: report.blocking, storedApplied },
        });
    }
    if (plan.statements.length === 0) {
      return { ...report, applied: storedApplied.length > 0, fingerprintAfter: report.liveFingerprint, storedApplied };
    }
    let after = '';
    const verify = async (): Promise<void> => {
      const live = await d.introspect();
      // Beside the models: a table the same as its model takes the model's text, kept since the
      // plan, instead of being written out again (the print is the live schema's all the same).
      after = fingerprintBeside(live, desired);
      if (after !== report.targetFingerprint) {
        const rest = d.dialect.diff(live, desired).changes.map(describeChange);
        throw new EvolveError(ErrorCode.FingerprintMismatch,
          `After applying, the live fingerprint ${after} is not the models' fingerprint ${report.targetFingerprint}` +
          `${d.dialect.capabilities.transactionalDdl ? '; the transaction was rolled back' : ''}. ` +
          `Still different: ${rest.join('; ') || '(attributes outside the diff)'}.`, {
            hint: 'This is a bug in Evolve or a schema feature it does not model; please report it with the output of `evolve sql --json`.',
            details: { expected: report.targetFingerprint, actual: after, remaining: rest },
          });
      }
    };
    await recorded(d, options.record ?? {}, {
      kind: 'generated', name: 'generated', fromFingerprint: report.liveFingerprint, toFingerprint: report.targetFingerprint,
      checksum: fileHash(plan.statements.map((x) => x.sql).join(';\n')),
    }, () => runPlan(d, plan, { beforeCommit: verify }));
    return { ...report, source: 'generated', applied: true, fingerprintAfter: after, storedApplied };
  });
}
