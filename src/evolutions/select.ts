/**
 * Choosing stored evolutions — the one rule `apply`, `sql` and `status` share.
 *
 * Every evolution goes forward along the known list (loading refuses one whose `from` or `to`
 * is not in `fingerprints.txt`, or that does not move forward: see {@link checkSet}), so
 * distance = position(to) − position(from) is always ≥ 1. Forward: among the evolutions
 * starting at the live fingerprint, the one that jumps furthest wins; ties go to the first in
 * file order. At the latest known fingerprint nothing starts, so apply stops there by the
 * same rule that `sql` and `status` use. Backward: see {@link nextRevert}.
 */
import { EvolveError, ErrorCode } from '../errors.js';
import type { Evolution } from './format.js';
import { FINGERPRINTS_FILE } from './format.js';
import type { EvolutionSet } from './load.js';

/** Per set: each known fingerprint's first position, and the evolutions by `from` (file order). */
interface SetIndex { readonly positions: Map<string, number>; readonly byFrom: Map<string, Evolution[]> }
const indexes = new WeakMap<EvolutionSet, SetIndex>();

/**
 * The set's lookup tables, built once per set (a set is not changed after loading): a chain of
 * n evolutions is then selected in O(n), not O(n²) list scans.
 */
function indexOf(set: EvolutionSet): SetIndex {
  let ix = indexes.get(set);
  if (!ix) {
    const positions = new Map<string, number>();
    set.known.forEach((fp, i) => { if (!positions.has(fp)) positions.set(fp, i); });
    const byFrom = new Map<string, Evolution[]>();
    for (const e of set.evolutions) {
      const list = byFrom.get(e.from);
      if (list) list.push(e); else byFrom.set(e.from, [e]);
    }
    ix = { positions, byFrom };
    indexes.set(set, ix);
  }
  return ix;
}

/** Position (0-based) of `fp` in the known list, or -1. */
export function position(set: EvolutionSet, fp: string): number {
  return indexOf(set).positions.get(fp) ?? -1;
}

/** Distance of an evolution along the known list (−1 when either end is unknown). */
export function distance(set: EvolutionSet, e: Evolution): number {
  const a = position(set, e.from);
  const b = position(set, e.to);
  return a < 0 || b < 0 ? -1 : b - a;
}

/** Can `e` run forward from `live`? The one predicate behind apply, sql and status. */
export function startsAt(set: EvolutionSet, e: Evolution, live: string): boolean {
  return e.from === live && distance(set, e) > 0;
}

/** Every evolution that can run from `live`, best first: longest jump, then file order. */
export function candidates(set: EvolutionSet, live: string): Evolution[] {
  return (indexOf(set).byFrom.get(live) ?? [])
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => startsAt(set, e, live))
    .sort((a, b) => distance(set, b.e) - distance(set, a.e) || a.i - b.i)
    .map(({ e }) => e);
}

/** The evolution to run from `live`, or null. */
export function nextEvolution(set: EvolutionSet, live: string): Evolution | null {
  return candidates(set, live)[0] ?? null;
}

/**
 * Refuse a set the selection rule could not use safely: an evolution whose `from` or `to` is
 * not a known fingerprint (it would be offered by nothing, or skipped at the latest one), or
 * that does not go forward along the list.
 * @throws EvolveError `E_EVOLUTION_INVALID` naming the file.
 */
export function checkSet(set: EvolutionSet): void {
  for (const e of set.evolutions) {
    const bad = (why: string, hint: string): EvolveError => new EvolveError(ErrorCode.EvolutionInvalid, `Evolution '${e.file}' ${why}.`, {
      hint, details: { file: e.file, from: e.from, to: e.to },
    });
    const addIt = `add it to ${FINGERPRINTS_FILE} in its place (oldest first) and run \`evolve hash\`; ` +
      `for a hand-written evolution, \`evolve complete ${e.file} --db DEV_DB\` fills in the to-fingerprint and the list`;
    if (position(set, e.from) < 0) {
      throw bad(`starts at ${e.from}, which is not a known fingerprint (not in ${FINGERPRINTS_FILE})`,
        `Apply, sql and status select evolutions along the known list: ${addIt}.`);
    }
    if (position(set, e.to) < 0) {
      throw bad(`leads to ${e.to}, which is not a known fingerprint (not in ${FINGERPRINTS_FILE})`,
        `Apply, sql and status select evolutions along the known list: ${addIt}.`);
    }
    if (distance(set, e) <= 0) {
      throw bad(`goes from position ${position(set, e.from) + 1} to position ${position(set, e.to) + 1} of ${FINGERPRINTS_FILE}, not forward`,
        'A stored evolution leads to a later known fingerprint; a way back is its revert section (`-- evolve:revert` or `down`), run by `evolve revert`.');
    }
  }
}

/**
 * The revert to run from `live` towards `target` (a known fingerprint earlier than `live`,
 * or null for "one step back"): among evolutions ending at `live` that have a revert and do
 * not go back past the target, the longest jump when a target is given, else the shortest.
 */
export function nextRevert(set: EvolutionSet, live: string, target: string | null): Evolution | null {
  const here = position(set, live);
  const stop = target === null ? -1 : position(set, target);
  let best: Evolution | null = null;
  for (const e of set.evolutions) {
    if (e.to !== live || e.revert === null || e.from === live) continue;
    const back = position(set, e.from);
    if (target !== null && e.from !== target && (back < 0 || here < 0 || back < stop)) continue;
    if (best === null) { best = e; continue; }
    const d = distance(set, e);
    const bd = distance(set, best);
    if (target !== null ? d > bd : d >= 0 && (bd < 0 || d < bd)) best = e;
  }
  return best;
}
