/**
 * `evolve graph`: the known fingerprints and stored evolutions as the graph they are — forward
 * and revert edges, the longest jump apply takes from each fingerprint, where the live database
 * is, and its drift when its fingerprint is unknown. The drawing is the CLI's (src/cli/graph/).
 */
import type { DatabaseOptions } from '../database/database.js';
import type { ModelsInput } from '../database/sources.js';
import { distance, nextEvolution } from '../evolutions/select.js';
import { evolutionSet } from './evolution-set.js';
import { statusOf } from './status.js';

/** One known fingerprint: a node. */
export interface GraphFingerprint {
  readonly fingerprint: string;
  /** 1-based position in fingerprints.txt (oldest first). */
  readonly position: number;
}

/** One stored evolution: a forward edge, and a revert edge back when it has a revert. */
export interface GraphEvolution {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Positions along the known list (1: to the next fingerprint). */
  readonly distance: number;
  readonly revert: boolean;
  /** Apply takes it from `from` (the longest jump there, then file order). */
  readonly chosen: boolean;
}

/** Where the live database is: on a known fingerprint, or off the graph (drift) near one. */
export interface GraphLive {
  readonly database: string;
  readonly fingerprint: string;
  readonly known: boolean;
  /** Unknown fingerprint: the nearest known one and what differs (known → live), when snapshots tell. */
  readonly drift: { readonly nearest: string; readonly differences: readonly string[] } | null;
}

/** The graph {@link evolutionGraph} returns. */
export interface EvolutionGraph {
  readonly dir: string;
  readonly fingerprints: readonly GraphFingerprint[];
  readonly evolutions: readonly GraphEvolution[];
  /** Null without a database. */
  readonly live: GraphLive | null;
  /** The models' fingerprint, when models and a database are given. */
  readonly models: string | null;
}

/** Options of {@link evolutionGraph}: the evolutions directory (or models beside it), and a database to place. */
export interface GraphOptions extends DatabaseOptions {
  readonly evolutions?: string;
  readonly models?: ModelsInput;
  /** Where the live database is drawn (optional). */
  readonly db?: string;
}

/**
 * The known fingerprints and stored evolutions of a directory, and where a database stands
 * among them.
 * @throws EvolveError as loading the evolutions (`E_EVOLUTION_INVALID`, …) or opening the database does.
 */
export async function evolutionGraph(options: GraphOptions): Promise<EvolutionGraph> {
  const set = await evolutionSet(options);
  const status = options.db ? await statusOf({ ...options, db: options.db }) : null;
  return {
    dir: set.dir,
    fingerprints: set.known.map((fingerprint, i) => ({ fingerprint, position: i + 1 })),
    evolutions: set.evolutions.map((e) => ({
      id: e.id, from: e.from, to: e.to, distance: distance(set, e), revert: e.revert !== null, chosen: nextEvolution(set, e.from) === e,
    })),
    live: status ? { database: status.database, fingerprint: status.liveFingerprint, known: status.known !== null, drift: status.drift } : null,
    models: status?.modelsFingerprint ?? null,
  };
}
