/** Running the stored evolutions that apply, before anything generated (they always win over introspection). */
import type { SchemaIR } from '../ir/schema.js';
import { fingerprint } from '../ir/fingerprint.js';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import type { OpenDatabase } from '../database/database.js';
import type { EvolutionSet } from '../evolutions/load.js';
import type { Evolution } from '../evolutions/format.js';
import { nextEvolution } from '../evolutions/select.js';
import { runStoredChain, runStoredEvolution } from '../evolutions/run.js';
import { isAdditive } from '../evolutions/additive.js';
import { HistoryRecorder, type HistoryOptions } from '../deploy/record.js';
import { stepsChecksum } from '../evolutions/checksum.js';
import type { EvolveOptions, StoredStep } from './reports.js';
import { storedStep, evolutionChecksum } from './evolution-set.js';
import { canStopPartWay, resumePoint, type Resume } from './resume.js';
import { unconsentedLoss } from '../evolutions/lint.js';
import { describeHazard } from '../plan/describe.js';

/**
 * Run stored evolutions from the live fingerprint, longest jump first, until none applies — by
 * the rule `sql` and `status` use ({@link nextEvolution}); every evolution goes forward along
 * the known list, so at the latest known fingerprint none does. The fingerprint is verified at
 * the end of every transaction, and on MySQL before every link that is not purely additive
 * (see {@link EvolveOptions.verifyEachLink}). On MySQL an evolution that stopped part-way in
 * an earlier apply is resumed first (engine/resume.ts).
 */
export async function applyStored(
  d: OpenDatabase, set: EvolutionSet, record: HistoryOptions = {}, verifyEachLink = false, allowDataLoss = false, known?: SchemaIR,
): Promise<{ steps: StoredStep[]; schema: SchemaIR | null }> {
  const done: StoredStep[] = [];
  if (set.evolutions.length === 0) return { steps: done, schema: null };
  const history = new HistoryRecorder(d, record);
  // The last schema read and verified: what the generated plan starts from (`known`: just read by the caller, under the lock).
  let schema = known ?? await d.introspect();
  // After each evolution the live fingerprint was verified to be its `to`: no need to read it again.
  let live = fingerprint(schema);
  const tx = d.dialect.capabilities.transactionalDdl;
  const link = (e: Evolution, from: string, expected: string | false, startAt = 0, wrap?: (err: unknown) => unknown): Promise<void> =>
    runLink(d, set, history, e, from, expected, startAt, (s) => { schema = s; }, wrap);
  const resume = canStopPartWay(d.dialect) ? resumePoint(set, await history.last(), live) : null;
  const chain: Evolution[] = [];
  for (let e = nextEvolution(set, resume ? resume.evolution.to : live); e && !chain.includes(e); e = nextEvolution(set, e.to)) chain.push(e);
  refuseUnconsentedLoss(resume ? [{ evolution: resume.evolution, startAt: resume.startAt }, ...chain.map((e) => ({ evolution: e, startAt: 0 }))]
    : chain.map((e) => ({ evolution: e, startAt: 0 })), allowDataLoss);
  if (resume) {
    await link(resume.evolution, live, resume.evolution.to, resume.startAt);
    done.push(storedStep(set, resume.evolution, 'up', resume.startAt));
    live = resume.evolution.to;
  }
  // Fast path (transactional DDL): the whole chain in one transaction, verified before commit.
  if (chain.length > 1) {
    const result = await runStoredChain(d, chain, verifyEachLink);
    if (result) {
      const { runs } = result;
      await history.add(() => runs.map((r, i) => ({
        kind: 'stored' as const, name: r.evolution.id, fromFingerprint: i === 0 ? live : runs[i - 1]!.evolution.to, toFingerprint: r.evolution.to,
        checksum: evolutionChecksum(set, r.evolution), started: r.started, finished: r.finished, outcome: 'ok' as const,
      })));
      return { steps: runs.map((r) => storedStep(set, r.evolution)), schema: result.schema };
    }
    // A step failed or the result is not what the chain promises: everything was rolled back.
    // One verified evolution at a time now finds the one at fault and keeps those before it.
  }
  if (chain.length > 1 && !verifyEachLink && !tx) {
    // MySQL: each DDL statement commits, so every link is recorded as it finishes. The
    // fingerprint is verified before every link that is not purely additive, and at the chain's
    // end: nothing that can lose data runs on a schema that was not verified.
    let since = 0; // the first link run since the fingerprint was last verified
    for (const [k, e] of chain.entries()) {
      const verify = k === chain.length - 1 || !isAdditive(chain[k + 1]!);
      await link(e, live, verify ? e.to : false, 0, (err) => (k > since ? unverifiedRunMismatch(chain.slice(since, k + 1), err) : err));
      done.push(storedStep(set, e));
      live = e.to;
      if (verify) since = k + 1;
    }
    return { steps: done, schema };
  }
  for (;;) {
    const e = nextEvolution(set, live);
    if (!e) break;
    if (done.some((x) => x.id === e.id)) break; // a cycle in the evolutions: stop rather than loop
    await link(e, live, e.to);
    done.push(storedStep(set, e));
    live = e.to;
  }
  return { steps: done, schema };
}

/**
 * Run one evolution (from step `startAt`) and write its history row: `ok`, `failed`, or — when
 * it stopped part-way on a dialect without transactional DDL — `partial`, with the steps that
 * ran and the fingerprint they left, which the next apply resumes from (engine/resume.ts).
 * That row is written even where no history is kept by default, as nothing else can resume.
 * A failure is rethrown (through `wrap`).
 */
async function runLink(
  d: OpenDatabase, set: EvolutionSet, history: HistoryRecorder, e: Evolution, from: string, expected: string | false, startAt: number,
  onSchema: (s: SchemaIR) => void, wrap: (err: unknown) => unknown = (err) => err,
): Promise<void> {
  const entry = { kind: 'stored' as const, name: e.id, fromFingerprint: from, toFingerprint: e.to, checksum: evolutionChecksum(set, e), started: new Date() };
  try {
    await runStoredEvolution(d, e, 'up', expected, null, onSchema, startAt);
  } catch (err) {
    const wrapped = wrap(err);
    const ran = wrapped === err ? stepsRunOf(err, e) : 0;
    const error = wrapped instanceof Error ? wrapped.message : String(wrapped);
    if (ran > 0) {
      let written = false;
      try {
        const left = fingerprint(await d.introspect());
        written = await history.addAlways({ ...entry, toFingerprint: left, finished: new Date(), outcome: 'partial', error,
          stepsRun: ran, stepsChecksum: stepsChecksum(e.steps.slice(0, ran)) });
      } catch { /* the database did not answer: the error still says which steps ran */ }
      if (!written && isEvolveError(wrapped)) throw notResumable(wrapped);
    } else {
      await history.add([{ ...entry, finished: new Date(), outcome: 'failed', error }]).catch(() => undefined);
    }
    throw wrapped;
  }
  await history.add([{ ...entry, finished: new Date(), outcome: 'ok' }]);
}

/**
 * Refuse, before anything runs, a chain holding a step `evolve lint` rates an error (a drop, a
 * delete) in a file without consent, unless the run has it (`--allow-data-loss`).
 * @throws EvolveError `E_DATA_LOSS` naming every such step.
 */
function refuseUnconsentedLoss(runs: readonly Resume[], allowDataLoss: boolean): void {
  const refusedRuns = runs.map((r) => ({ id: r.evolution.id, hazards: unconsentedLoss(r.evolution, allowDataLoss, r.startAt) }))
    .filter((r) => r.hazards.length);
  if (refusedRuns.length === 0) return;
  const refused = refusedRuns.flatMap((r) => r.hazards);
  const files = refusedRuns.map((r) => r.id);
  throw new EvolveError(ErrorCode.DataLoss,
    `Refusing to run stored evolution${files.length === 1 ? '' : 's'} ${files.map((f) => `'${f}'`).join(', ')}: ` +
    `${refused.length === 1 ? 'a step loses' : 'steps lose'} data (evolve lint rates ${refused.length === 1 ? 'it' : 'them'} an error) ` +
    'and the file does not carry consent to that; nothing was changed.\n' + refused.map((h) => `  - ${describeHazard(h)}`).join('\n'), {
      hint: 'If the loss is intended, add the line `-- evolve:allow-data-loss` to the file\'s header (`allowDataLoss: true` in a .ts evolution; ' +
        '`evolve record --allow-data-loss` writes it), run `evolve hash` and apply again; or pass --allow-data-loss for this run.',
      details: { evolutions: files, hazards: refused },
    });
}

/** How many of `e`'s steps ran before `err` stopped it (0 when unknown or rolled back). */
function stepsRunOf(err: unknown, e: Evolution): number {
  if (!isEvolveError(err)) return 0;
  const details = err.details as { evolution?: string; stepsRun?: number } | undefined;
  return details?.evolution === e.id && typeof details.stepsRun === 'number' ? details.stepsRun : 0;
}

/** A part-way failure whose history row could not be written (`history: false`, or no answer): nothing can resume it. */
function notResumable(err: EvolveError): EvolveError {
  return new EvolveError(err.code, err.message, {
    hint: 'Where it stopped could not be recorded (history: false, or the database did not answer), so apply cannot resume it: ' +
      'finish the remaining steps by hand, ' +
      'or bring the database back to the evolution\'s from-fingerprint, then apply again.',
    cause: err.cause, ...(err.details ? { details: err.details } : {}),
  });
}

/**
 * A fingerprint mismatch at the end of links of a MySQL chain that ran without a check between
 * them (all but the first only add): which one is at fault cannot be told any more, so name
 * them all and how to find it. Any other error passes through.
 */
function unverifiedRunMismatch(links: readonly Evolution[], err: unknown): unknown {
  if (!isEvolveError(err) || err.code !== ErrorCode.EvolutionMismatch) return err;
  const first = links[0]!;
  const last = links[links.length - 1]!;
  const actual = (err.details as { actual?: string } | undefined)?.actual ?? '(unknown)';
  return new EvolveError(ErrorCode.EvolutionMismatch,
    `Evolutions '${first.id}' … '${last.id}' (${links.length}, run one after another from the verified fingerprint ${first.from}) `
    + `should lead to ${last.to} but the schema is now ${actual}: `
    + 'one of them does not do what its header says. MySQL commits every DDL statement, so they stay applied; '
    + 'all after the first only add to the schema, so nothing that can lose data ran on an unverified schema.', {
      hint: 'Find the evolution at fault with `evolve apply --verify-each-link` (it verifies every link) on a copy of this database from before this apply; '
        + 'fix it, run `evolve hash`, then bring this database back to a known fingerprint.',
      cause: err, details: { evolutions: links.map((l) => l.id), from: first.from, expected: last.to, actual },
    });
}
