/**
 * Choosing stored evolutions. Forward: among the evolutions starting at the live
 * fingerprint, the one that jumps furthest along the known list wins (distance =
 * position(to) − position(from); a to-fingerprint not in the list counts −1, as in the seed);
 * ties go to the first in file order. Backward: see {@link nextRevert}.
 */
import type { Evolution } from './format.js';
import type { EvolutionSet } from './load.js';

/** Position (0-based) of `fp` in the known list, or -1. */
export function position(set: EvolutionSet, fp: string): number {
  return set.known.indexOf(fp);
}

/** Distance of an evolution along the known list (−1 when either end is unknown). */
export function distance(set: EvolutionSet, e: Evolution): number {
  const a = position(set, e.from);
  const b = position(set, e.to);
  return a < 0 || b < 0 ? -1 : b - a;
}

/** The evolution to run from `live`, or null. */
export function nextEvolution(set: EvolutionSet, live: string): Evolution | null {
  let best: Evolution | null = null;
  for (const e of set.evolutions) {
    if (e.from !== live || e.to === live) continue;
    if (best === null || distance(set, e) > distance(set, best)) best = e;
  }
  return best;
}

/** Every evolution starting at `live`, best first (for `evolve sql` and `status`). */
export function candidates(set: EvolutionSet, live: string): Evolution[] {
  return set.evolutions.filter((e) => e.from === live && e.to !== live).sort((a, b) => distance(set, b) - distance(set, a));
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
