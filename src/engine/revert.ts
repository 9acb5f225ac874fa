/** `evolve revert`: backing stored evolutions out along their recorded reverts. */
import type { ModelsInput } from '../database/sources.js';
import { fingerprint } from '../ir/fingerprint.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { withDatabase, type DatabaseOptions } from '../database/database.js';
import { nextRevert } from '../evolutions/select.js';
import { runStoredEvolution } from '../evolutions/run.js';
import { HistoryRecorder, type HistoryOptions } from '../deploy/record.js';
import { withApplication } from '../deploy/steps-module.js';
import type { EvolveOptions, StoredStep } from './reports.js';
import { storedStep, evolutionChecksum, evolutionSet } from './evolution-set.js';

/** Options of {@link revertEvolutions}. */
export interface RevertOptions extends DatabaseOptions {
  readonly db: string;
  readonly models?: ModelsInput;
  readonly evolutions?: string;
  /** Go back to this known fingerprint. */
  readonly to?: string;
  /** Go back this many evolutions (default 1 when `to` is not given). */
  readonly steps?: number;
  /** The deployment record's history (see {@link EvolveOptions.record}). */
  readonly record?: HistoryOptions;
}

/** Run stored reverts back along the chain, verifying the fingerprint after each (`evolve revert`). */
export async function revertEvolutions(options: RevertOptions): Promise<{ reverted: StoredStep[]; fingerprintAfter: string }> {
  options = (await withApplication(options)).options;
  const set = await evolutionSet(options);
  if (options.to !== undefined && !set.known.includes(options.to)) {
    throw new EvolveError(ErrorCode.NoPath, `Fingerprint ${options.to} is not a known fingerprint.`, {
      hint: `Use one listed in ${set.dir || 'fingerprints.txt'} (evolve status shows them).`,
    });
  }
  return withDatabase(options.db, false, options, async (d) => {
    const reverted: StoredStep[] = [];
    const history = new HistoryRecorder(d, options.record ?? {});
    let live = fingerprint(await d.introspect());
    const max = options.to === undefined ? options.steps ?? 1 : Number.POSITIVE_INFINITY;
    while (reverted.length < max && live !== options.to) {
      const e = nextRevert(set, live, options.to ?? null);
      if (!e) {
        throw new EvolveError(ErrorCode.NoPath,
          `No stored evolution with a revert ends at the live fingerprint ${live}${reverted.length ? ` (after ${reverted.length} revert(s))` : ''}.`, {
            hint: 'Only evolutions with a `-- evolve:revert` section (or `down` steps) can be backed out; write one, run `evolve hash`, and retry.',
            details: { live, reverted },
          });
      }
      await history.run({ kind: 'revert', name: e.id, fromFingerprint: live, toFingerprint: e.from, checksum: evolutionChecksum(set, e) },
        () => runStoredEvolution(d, e, 'down', e.from));
      reverted.push(storedStep(set, e, 'down'));
      live = e.from;
    }
    return { reverted, fingerprintAfter: live };
  });
}
