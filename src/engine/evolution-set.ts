/** The stored evolutions a command uses: where they live, loaded and verified, and how reports show one. */
import type { ModelsInput } from '../database/sources.js';
import { dirname, join as joinPath, resolve as resolvePath } from 'node:path';
import { loadEvolutions, type EvolutionSet, type LoadOptions } from '../evolutions/load.js';
import type { Evolution } from '../evolutions/format.js';
import { distance } from '../evolutions/select.js';
import { readFileSync } from 'node:fs';
import { fileHash } from '../evolutions/checksum.js';
import type { StoredStep } from './reports.js';

/** A stored evolution as reports show it (`startAt`: resumed there, the steps before it ran earlier). */
export function storedStep(set: EvolutionSet, e: Evolution, direction: 'up' | 'down' = 'up', startAt = 0): StoredStep {
  const steps = direction === 'up' ? e.steps : e.revert ?? [];
  return {
    id: e.id, from: direction === 'up' ? e.from : e.to, to: direction === 'up' ? e.to : e.from, distance: distance(set, e),
    steps: steps.slice(startAt).map((s) => (s.kind === 'sql' ? s.sql : `-- function ${s.name}`)),
    ...(startAt > 0 ? { resumedAt: startAt + 1 } : {}),
  };
}

/** Checksum of a stored evolution's file (null when it cannot be read). */
export function evolutionChecksum(set: EvolutionSet, e: Evolution): string | null {
  try { return fileHash(readFileSync(joinPath(set.dir, e.file), 'utf8')); } catch { return null; }
}

/** The evolutions directory for these options (undefined: none). */
export function evolutionsDir(options: { models?: ModelsInput; evolutions?: string }): string | undefined {
  if (options.evolutions) return resolvePath(options.evolutions);
  if (typeof options.models === 'string') return joinPath(dirname(resolvePath(options.models)), 'evolutions');
  return undefined;
}

/** Load (and verify) the stored evolutions for these options. */
export async function evolutionSet(options: { models?: ModelsInput; evolutions?: string }, load: LoadOptions = {}): Promise<EvolutionSet> {
  const dir = evolutionsDir(options);
  return dir ? loadEvolutions(dir, load) : { dir: '', known: [], evolutions: [] };
}
