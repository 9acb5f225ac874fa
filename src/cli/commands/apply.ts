/** `evolve apply` (syncdb): stored evolutions first, then the generated plan; verify the fingerprint. */
import { applyEvolution } from '../../engine/apply.js';
import { requireDb, requireModels, resolveSettings } from '../config.js';
import { formatHazards, notManagedLines, printJson, type Out } from '../output.js';
import type { CommonFlags } from '../main.js';
import { fleetApply } from './fleet.js';

export async function applyCommand(flags: CommonFlags & {
  allowDataLoss?: boolean; createDatabase?: boolean; canary?: string; continueOnError?: boolean;
}, out: Out): Promise<number> {
  const s = await resolveSettings(flags, out);
  const options = {
    models: requireModels(s), allowDataLoss: flags.allowDataLoss === true, storedOnly: s.storedOnly, verifyEachLink: s.verifyEachLink,
    ...s.scope, ...(flags.createDatabase ? { createDatabase: true } : {}),
  };
  if (s.fleet) return fleetApply(s, options, flags, out);
  const report = await applyEvolution({ db: requireDb(s), ...options });
  if (out.json) {
    printJson(out, { ok: true, ...report });
    return 0;
  }
  const lines: string[] = [];
  for (const st of report.storedApplied) {
    lines.push(`Applied stored evolution ${st.id}: ${st.from} → ${st.to}${st.resumedAt ? `, resumed at step ${st.resumedAt}` : ''} (verified).`);
  }
  if (report.source === 'generated' && report.statements.length) {
    lines.push(`Applied ${report.statements.length} generated statement(s) for ${report.changes.length} change(s) to ${report.database}.`);
    if (report.hazards.length) lines.push('Accepted hazards:', ...formatHazards(report.hazards, '  ', out.paint));
    if (report.online?.length) lines.push('On a live database:', ...formatHazards(report.online, '  ', out.paint));
  }
  for (const line of notManagedLines(report.unmanaged)) out.error(line);
  if (!report.applied) lines.push(`${report.database} is already in sync with the models (${report.liveFingerprint}).`);
  else {
    lines.push(`Live fingerprint ${report.fingerprintAfter} matches the models` +
      `${report.unmanaged.length ? ' (in what Evolve manages: see "not managed")' : ''}.`);
  }
  out.write(lines.join('\n'));
  return 0;
}
