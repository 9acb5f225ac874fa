/** `evolve sql` (sqlevolve): what apply would run next — stored or generated — with hazards. Changes nothing. */
import { planEvolution } from '../../engine/plan.js';
import { requireDb, requireModels, resolveSettings } from '../config.js';
import { formatHazards, formatStatements, notManagedLines, printJson, type Out } from '../output.js';
import type { CommonFlags } from '../main.js';
import { describeLock } from '../../plan/plan.js';

export async function sqlCommand(flags: CommonFlags & { exitCode?: boolean; allowDataLoss?: boolean }, out: Out): Promise<number> {
  const s = await resolveSettings(flags, out);
  const report = await planEvolution({ db: requireDb(s, 'sql'), models: requireModels(s), allowDataLoss: flags.allowDataLoss === true, ...s.scope });
  const pending = report.source !== 'none';
  if (!out.json) for (const line of notManagedLines(report.unmanaged)) out.error(line);
  if (out.json) {
    printJson(out, { ok: true, ...report });
  } else if (!pending) {
    out.write(`-- ${report.database}: in sync with the models (${report.liveFingerprint})`);
  } else if (report.source === 'stored' && report.stored) {
    const st = report.stored;
    out.write([
      `-- ${report.database} (${report.dialect}): stored evolution ${st.id} applies next` +
        `${st.resumedAt ? `, resumed at step ${st.resumedAt} (the steps before it ran in an earlier apply that stopped there)` : ''}`,
      `-- live fingerprint ${report.liveFingerprint}${report.known ? ` (known: ${report.known.position} of ${report.known.of})` : ''}` +
        ` → ${st.to} (distance ${st.distance})`,
      ...st.steps.flatMap((x, i) => {
        const lock = st.locks?.[i];
        return [x.startsWith('-- ') ? x : `${x};`, ...(lock ? [`--   ${describeLock(lock)}`] : [])];
      }),
      ...(report.blocking.some((h) => h.message.startsWith(`${st.id} step `))
        ? ['-- apply refuses it: steps that lose data, and the file does not carry consent (-- evolve:allow-data-loss) nor does --allow-data-loss:',
          ...formatHazards(report.blocking.filter((h) => h.message.startsWith(`${st.id} step `)), '--   ', out.paint)]
        : []),
    ].join('\n'));
  } else {
    const lines = [
      `-- ${report.database} (${report.dialect}), generated from the models${s.storedOnly ? ' (stored-only: apply will NOT run this; record it)' : ''}`,
      `-- live fingerprint:   ${report.liveFingerprint}`,
      `-- models fingerprint: ${report.targetFingerprint}`,
    ];
    for (const r of report.renames) lines.push(out.paint.rename(`-- rename via aka: ${r.kind} ${r.kind === 'column' ? r.table + '.' : ''}${r.from} → ${r.to}`));
    if (report.hazards.length) {
      lines.push(`-- hazards (${report.blocking.length} blocking apply):`);
      lines.push(...formatHazards(report.hazards, '--   ', out.paint));
    }
    if (report.online?.length) {
      lines.push('-- on a live database:');
      lines.push(...formatHazards(report.online, '--   ', out.paint));
    }
    lines.push(...formatStatements(report.statements, out.paint));
    out.write(lines.join('\n'));
  }
  return flags.exitCode && pending ? 3 : 0;
}
