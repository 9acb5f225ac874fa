/** `evolve record`, `evolve revert`, `evolve hash`, `evolve status`. */
import { evolutionsDir } from '../../engine/evolution-set.js';
import { hashEvolutions } from '../../engine/hash.js';
import { lintEvolution } from '../../engine/lint.js';
import { recordEvolution } from '../../engine/record.js';
import { revertEvolutions } from '../../engine/revert.js';
import { statusOf } from '../../engine/status.js';
import { describeChange } from '../../diff/changes.js';
import { completeEvolution } from '../../engine/complete.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { refuseFleet, requireDb, requireModels, resolveSettings } from '../config.js';
import { formatHazards, notManagedLines, printJson, toneOf, type Out } from '../output.js';
import type { CommonFlags } from '../main.js';
import { fleetStatusCommand } from './fleet.js';

export async function recordCommand(flags: CommonFlags & { name?: string; allowDataLoss?: boolean }, out: Out): Promise<number> {
  const s = await resolveSettings(flags, out);
  const r = await recordEvolution({
    db: requireDb(s, 'record'), models: requireModels(s), ...(flags.name ? { name: flags.name } : {}), allowDataLoss: flags.allowDataLoss === true, ...s.scope,
  });
  if (out.json) { printJson(out, { ok: true, ...r }); return 0; }
  if (r.file === null) { out.write(`Nothing to record: the database is at the models' fingerprint (${r.from}).`); return 0; }
  out.write([
    `Recorded ${r.file}`,
    `  ${r.from} → ${r.to}`,
    ...r.changes.map((c) => toneOf(describeChange(c), out.paint)(`  ${describeChange(c)}`)),
    ...formatHazards(r.hazards, '  ', out.paint),
    ...(r.allowDataLoss ? ['It loses data: the file carries that consent (-- evolve:allow-data-loss), so apply runs it without --allow-data-loss.'] : []),
    'Review it (the revert too), commit it with fingerprints.txt and evolve.sum. Nothing was applied.',
  ].join('\n'));
  return 0;
}

export async function revertCommand(flags: CommonFlags & { to?: string; steps?: string }, out: Out): Promise<number> {
  const s = await resolveSettings(flags, out);
  const steps = flags.steps === undefined ? undefined : Number(flags.steps);
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) {
    throw new EvolveError(ErrorCode.Usage, `--steps must be a whole number ≥ 1, got '${flags.steps}'.`, { hint: 'Write e.g. --steps 2.' });
  }
  const r = await revertEvolutions({
    db: requireDb(s, 'revert'), ...(s.models ? { models: s.models } : {}), ...(flags.to ? { to: flags.to } : {}), ...(steps ? { steps } : {}), ...s.scope,
  });
  if (out.json) { printJson(out, { ok: true, ...r }); return 0; }
  out.write([...r.reverted.map((x) => `Reverted ${x.id}: ${x.from} → ${x.to} (verified).`), `Live fingerprint ${r.fingerprintAfter}.`].join('\n'));
  return 0;
}

export async function completeCommand(file: string | undefined, flags: CommonFlags, out: Out): Promise<number> {
  const s = await resolveSettings(flags, out);
  const r = await completeEvolution({ db: requireDb(s, 'complete'), ...(s.models ? { models: s.models } : {}), ...(file ? { file } : {}), ...s.scope });
  if (out.json) { printJson(out, { ok: true, ...r }); return 0; }
  out.write([
    `Completed ${r.file}`,
    `  ${r.from} → ${r.to} (was ${r.placeholder}); the database is now at ${r.to}.`,
    'Wrote the to-fingerprint into the file and fingerprints.txt, snapshots, and re-signed evolve.sum. Review and commit them.',
  ].join('\n'));
  return 0;
}

export async function hashCommand(flags: CommonFlags, out: Out): Promise<number> {
  const s = await resolveSettings(flags, out);
  const dir = evolutionsDir({ ...(s.models ? { models: s.models } : {}), ...s.scope });
  if (!dir) {
    throw new EvolveError(ErrorCode.Usage, 'No evolutions directory given.', {
      hint: 'Pass --evolutions DIR, or --models PATH (its directory holds evolutions/).',
    });
  }
  const r = hashEvolutions(dir);
  if (out.json) printJson(out, { ok: true, ...r });
  else out.write(`Wrote ${r.file} over ${r.files} file(s).`);
  return 0;
}

export async function statusCommand(flags: CommonFlags & { app?: string; steps?: string }, out: Out): Promise<number> {
  const s = await resolveSettings(flags, out);
  const options = {
    ...(s.models ? { models: s.models } : {}), ...(flags.app ? { app: flags.app } : {}), ...(flags.steps ? { steps: flags.steps } : {}),
    ...s.scope, ...s.scope.record,
  };
  if (s.fleet) return fleetStatusCommand(s, options, flags, out, 'status');
  const r = await statusOf({ db: requireDb(s), ...options });
  if (out.json) { printJson(out, { ok: true, ...r }); return 0; }
  const lines = [`${r.database} (${r.dialect})`];
  if (r.application) {
    lines.push(`  application '${r.application.id}': latest version ${r.application.latest}` +
      `${r.application.tables ? `, own tables: ${r.application.tables}` : ''}`);
  }
  if (r.deployment) {
    lines.push(`  deployed version: ${r.deployment.version} of '${r.deployment.app}'` +
      `${r.deployment.stage !== null ? ` (step to ${r.deployment.stage} in progress or interrupted)` : ''}`);
  } else if (r.application) {
    lines.push(`  deployed version: none (no deployment record for '${r.application.id}': evolve upgrade installs it, evolve baseline VERSION sets it)`);
  }
  if (r.pendingSteps.length) lines.push(`  pending upgrade steps: ${r.pendingSteps.join(', ')} (run evolve upgrade)`);
  else if (r.application && r.deployment?.app === r.application.id && r.deployment.version >= r.application.latest) {
    lines.push('  upgrade steps: none pending' +
      `${r.deployment.version > r.application.latest ? ` (deployed version is AHEAD of this code's latest ${r.application.latest})` : ''}`);
  }
  lines.push(`  live fingerprint: ${r.liveFingerprint} (${r.known ? `known: ${r.known.position} of ${r.known.of}` : 'unknown'})`);
  if (r.modelsFingerprint) lines.push(`  models:           ${r.modelsFingerprint}${r.modelsFingerprint === r.liveFingerprint ? ' (in sync)' : ''}`);
  // In the order apply runs them: the stored evolutions, then what would be generated after them.
  for (const p of r.pendingStored) {
    lines.push(`  pending stored evolution: ${p.id} → ${p.to} (distance ${p.distance})` +
      `${p.resumedAt ? `, resumed at step ${p.resumedAt} (steps before it ran in an earlier apply that stopped there)` : ''}`);
  }
  const after = r.pendingStored.length ? ' (after the stored evolutions)' : '';
  if (r.pendingGenerated === null) {
    lines.push(`  pending generated changes${after}: not known before they run (no snapshot of ${r.pendingStored[r.pendingStored.length - 1]!.to})`);
  } else if (r.pendingGenerated.length) {
    lines.push(`  pending generated changes${after}:`, ...r.pendingGenerated.map((c) => `    ${c}`));
  }
  lines.push(...notManagedLines(r.unmanaged, '  '));
  if (r.drift) lines.push(`  drift: nearest known fingerprint ${r.drift.nearest}; the database differs by:`, ...r.drift.differences.map((d) => `    ${d}`));
  if (r.deployment?.lastHistory.length) {
    lines.push('  recent history:');
    for (const h of r.deployment.lastHistory) {
      lines.push(`    ${h.started}  ${h.kind.padEnd(9)} ${h.name ?? ''}${h.toVersion !== null ? ` → v${h.toVersion}` : ''}  ` +
        `${h.outcome}${h.durationMs !== null ? ` (${h.durationMs} ms)` : ''}`);
    }
  }
  out.write(lines.join('\n'));
  return 0;
}

export async function lintCommand(flags: CommonFlags, out: Out): Promise<number> {
  const s = await resolveSettings(flags, out);
  refuseFleet(s, 'lint');
  const r = await lintEvolution({ ...(s.db ? { db: s.db } : {}), ...(s.models ? { models: s.models } : {}), ...s.scope });
  if (out.json) { printJson(out, { ok: r.errors === 0, ...r }); return r.errors ? 3 : 0; }
  const lines: string[] = [];
  if (!s.db) lines.push('(no --db: the pending generated plan was not checked; stored evolutions only)');
  lines.push(r.generated.length ? 'pending generated change:' : 'pending generated change: no hazards', ...formatHazards(r.generated, '  ', out.paint));
  lines.push(r.stored.length ? 'stored evolutions:' : 'stored evolutions: no hazards', ...formatHazards(r.stored, '  ', out.paint));
  if (r.online.length) lines.push('online safety (what would block the application while it runs):', ...formatHazards(r.online, '  ', out.paint));
  const warnings = [...r.generated, ...r.stored].filter((h) => h.severity !== 'error').length;
  const onlineErrors = r.online.filter((h) => h.severity === 'error').length;
  lines.push(`${r.errors - onlineErrors} error(s), ${warnings} warning(s)` +
    (r.online.length ? `; online safety: ${onlineErrors} error(s), ${r.online.length - onlineErrors} warning(s)` : ''));
  out.write(lines.join('\n'));
  return r.errors ? 3 : 0;
}
