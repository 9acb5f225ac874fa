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
import { HistoryRecorder, recorded, type HistoryOptions } from '../deploy/record.js';
import type { EvolveOptions, StoredStep } from './reports.js';
import { storedStep, evolutionChecksum } from './evolution-set.js';

/**
 * Run stored evolutions from the live fingerprint, longest jump first, until none applies — by
 * the rule `sql` and `status` use ({@link nextEvolution}); every evolution goes forward along
 * the known list, so at the latest known fingerprint none does. The fingerprint is verified at
 * the end of every transaction, and on MySQL before every link that is not purely additive
 * (see {@link EvolveOptions.verifyEachLink}).
 */
export async function applyStored(
  d: OpenDatabase, set: EvolutionSet, record: HistoryOptions = {}, verifyEachLink = false,
): Promise<{ steps: StoredStep[]; schema: SchemaIR | null }> {
  const done: StoredStep[] = [];
  if (set.evolutions.length === 0) return { steps: done, schema: null };
  const history = new HistoryRecorder(d, record);
  // The last schema read and verified: what the generated plan starts from.
  let schema = await d.introspect();
  // After each evolution the live fingerprint was verified to be its `to`: no need to read it again.
  let live = fingerprint(schema);
  // Fast path (transactional DDL): the whole chain in one transaction, verified before commit.
  const chain: Evolution[] = [];
  for (let e = nextEvolution(set, live); e && !chain.includes(e); e = nextEvolution(set, e.to)) chain.push(e);
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
  if (chain.length > 1 && !verifyEachLink && !d.dialect.capabilities.transactionalDdl) {
    // MySQL: each DDL statement commits, so every link is recorded as it finishes. The
    // fingerprint is verified before every link that is not purely additive, and at the chain's
    // end: nothing that can lose data runs on a schema that was not verified.
    let since = 0; // the first link run since the fingerprint was last verified
    for (const [k, e] of chain.entries()) {
      const verify = k === chain.length - 1 || !isAdditive(chain[k + 1]!);
      const from = live;
      await history.run({ kind: 'stored', name: e.id, fromFingerprint: from, toFingerprint: e.to, checksum: evolutionChecksum(set, e) },
        () => runStoredEvolution(d, e, 'up', verify ? e.to : false, null, (s) => { schema = s; })
          .catch((err: unknown) => { throw k > since ? unverifiedRunMismatch(chain.slice(since, k + 1), err) : err; }));
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
    await history.run({ kind: 'stored', name: e.id, fromFingerprint: live, toFingerprint: e.to, checksum: evolutionChecksum(set, e) },
      () => runStoredEvolution(d, e, 'up', e.to, null, (s) => { schema = s; }));
    done.push(storedStep(set, e));
    live = e.to;
  }
  return { steps: done, schema };
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
