/** `evolve fingerprint` (sqlfingerprint): the live fingerprint, whether it is known, and drift. */
import { statusOf } from '../../engine/status.js';
import { requireDb, resolveSettings } from '../config.js';
import { notManagedLines, printJson, type Out } from '../output.js';
import type { CommonFlags } from '../main.js';
import { fleetStatusCommand } from './fleet.js';

export async function fingerprintCommand(flags: CommonFlags, out: Out): Promise<number> {
  const s = await resolveSettings(flags, out);
  if (s.fleet) return fleetStatusCommand(s, { ...(s.models ? { models: s.models } : {}), ...s.scope }, flags, out, 'fingerprint');
  const r = await statusOf({ db: requireDb(s), ...(s.models ? { models: s.models } : {}), ...s.scope });
  const matches = r.modelsFingerprint === null ? null : r.modelsFingerprint === r.liveFingerprint;
  if (out.json) {
    printJson(out, {
      ok: true, fingerprint: r.liveFingerprint, dialect: r.dialect, known: r.known, latestKnown: r.latestKnown, modelsFingerprint: r.modelsFingerprint,
      matchesModels: matches, drift: r.drift, unmanaged: r.unmanaged,
    });
    return 0;
  }
  out.write(r.liveFingerprint);
  for (const line of notManagedLines(r.unmanaged)) out.error(line);
  if (r.known) out.error(`known: position ${r.known.position} of ${r.known.of}${r.known.position === r.known.of ? ' (latest)' : ''}`);
  else if (r.latestKnown) out.error('unknown: not in the known fingerprints');
  if (r.drift) out.error([`nearest known fingerprint ${r.drift.nearest}; the database differs by:`, ...r.drift.differences.map((d) => `  ${d}`)].join('\n'));
  if (matches !== null) {
    out.error(matches ? 'matches the models' : `differs from the models' fingerprint ${r.modelsFingerprint}; run evolve sql to see the changes`);
  }
  return 0;
}
