/** `evolve revert`: backing stored evolutions out along their recorded reverts. */
import type { ModelsInput } from '../database/sources.js';
import { fingerprint } from '../ir/fingerprint.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { withDatabase, type DatabaseOptions } from '../database/database.js';
import { nextRevert, position } from '../evolutions/select.js';
import type { EvolutionSet } from '../evolutions/load.js';
import type { Evolution } from '../evolutions/format.js';
import { runStoredEvolution } from '../evolutions/run.js';
import { HistoryRecorder, type HistoryOptions, type HistoryRow } from '../deploy/record.js';
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

/** One change the history says the database went through: a stored evolution (`id`), or something else (null). */
interface Applied { readonly id: string | null; readonly to: string | null; readonly at: string }

/**
 * What brought the database where it is, by its history, latest last: a stored evolution run
 * is added, its revert takes it off again; a generated plan, an upgrade step, an install or a
 * baseline is added as a change that is not a stored evolution. Failed runs changed nothing
 * (or, part-way on MySQL, are followed by the resumed run that finished them).
 */
function appliedStack(rows: readonly HistoryRow[]): Applied[] {
  const stack: Applied[] = [];
  for (const r of rows) {
    if (r.outcome !== 'ok') continue;
    if (r.kind === 'revert') {
      if (stack[stack.length - 1]?.id === r.name) stack.pop();
      else stack.length = 0; // a revert of something the history did not see: it tells nothing below
    } else {
      stack.push({ id: r.kind === 'stored' ? r.name : null, to: r.toFingerprint, at: r.started });
    }
  }
  return stack;
}

/**
 * The evolution to back out from `live`: the one the history says brought the database there;
 * without such a history, the one evolution that ends there (several: refused unless `to`
 * is given, as the database may have come by any of them).
 * @throws EvolveError `E_NO_PATH` naming what is missing.
 */
function revertToRun(set: EvolutionSet, live: string, to: string | undefined, applied: Applied | undefined): Evolution | null {
  if (applied && applied.to === live && applied.id !== null) {
    const e = set.evolutions.find((x) => x.id === applied.id);
    const what = `Stored evolution '${applied.id}' is what brought this database to ${live} (its history, ${applied.at})`;
    if (!e) {
      throw new EvolveError(ErrorCode.NoPath, `${what}, and it is not in the evolutions directory any more.`, {
        hint: `Restore '${applied.id}' (with a revert section) and run \`evolve hash\`, then retry.`, details: { live, evolution: applied.id },
      });
    }
    if (!e.revert) {
      throw new EvolveError(ErrorCode.NoPath,
        `${what}: ${e.from} → ${e.to}, and it has no revert. Backing out through the reverts of other evolutions would lead ` +
        'the database through states it never was at, so nothing was reverted.', {
          hint: `Add a revert to '${e.id}' (a \`-- evolve:revert\` section, or \`down\` steps), run \`evolve hash\`, and retry.`,
          details: { live, evolution: e.id, from: e.from },
        });
    }
    if (to !== undefined && position(set, e.from) < position(set, to)) {
      throw new EvolveError(ErrorCode.NoPath,
        `${what}: its revert goes back to ${e.from}, past ${to}, and the database never was at ${to} on the way here.`, {
          hint: `Revert to ${e.from} (or further) instead: \`evolve revert --to ${e.from}\`.`, details: { live, evolution: e.id, target: to },
        });
    }
    return e;
  }
  const ending = set.evolutions.filter((e) => e.to === live && e.from !== live);
  if (ending.length > 1 && to === undefined) {
    throw new EvolveError(ErrorCode.NoPath,
      `Several stored evolutions lead to the live fingerprint ${live} (${ending.map((e) => `'${e.id}' from ${e.from}`).join(', ')}), ` +
      'and this database keeps no history that says which one it ran: backing out another would lead it through states it may never have been at.', {
        hint: 'Name where to go back to with --to FP (a known fingerprint; every revert on the way is verified), ' +
          'or keep a history from now on (a deployment record: `evolve baseline`, or `record: { history: true }`).',
        details: { live, evolutions: ending.map((e) => e.id) },
      });
  }
  return nextRevert(set, live, to ?? null);
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
    const applied = appliedStack(await history.rows());
    let live = fingerprint(await d.introspect());
    const max = options.to === undefined ? options.steps ?? 1 : Number.POSITIVE_INFINITY;
    while (reverted.length < max && live !== options.to) {
      const e = revertToRun(set, live, options.to, applied[applied.length - 1]);
      if (!e) {
        throw new EvolveError(ErrorCode.NoPath,
          `No stored evolution with a revert ends at the live fingerprint ${live}${reverted.length ? ` (after ${reverted.length} revert(s))` : ''}.`, {
            hint: 'Only evolutions with a `-- evolve:revert` section (or `down` steps) can be backed out; write one, run `evolve hash`, and retry.',
            details: { live, reverted },
          });
      }
      await history.run({ kind: 'revert', name: e.id, fromFingerprint: live, toFingerprint: e.from, checksum: evolutionChecksum(set, e) },
        () => runStoredEvolution(d, e, 'down', e.from));
      if (applied[applied.length - 1]?.id === e.id) applied.pop();
      else applied.length = 0;
      reverted.push(storedStep(set, e, 'down'));
      live = e.from;
    }
    return { reverted, fingerprintAfter: live };
  });
}
