/** `evolve apply`, `status` and `fingerprint` over a fleet (issue 17): one report, text or `--json`. */
import { applyFleet, expandFleet, type FleetTargetResult } from '../../engine/fleet.js';
import { fleetStatus, type FleetGroup, type FleetStatusReport } from '../../engine/fleet-status.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import type { Settings } from '../config.js';
import { printJson, type Out } from '../output.js';

/** `--concurrency` (and `--canary`) as a whole number ≥ `min`. */
export function countFlag(value: string | undefined, what: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new EvolveError(ErrorCode.Usage, `${what} must be a whole number of at least ${min}, got '${value}'.`, { hint: `Write e.g. ${what} 4.` });
  }
  return n;
}

/** The fleet's targets, its patterns expanded. */
export async function fleetTargets(s: Settings): Promise<string[]> {
  const f = s.fleet!;
  return expandFleet(f.specs, {
    ...(f.schemaPattern !== undefined ? { schemaPattern: f.schemaPattern } : {}),
    ...(s.scope.connectTimeout !== undefined ? { connectTimeout: s.scope.connectTimeout } : {}),
  });
}

const short = (fp: string | null): string => fp ?? '(unreadable)';

/** One target's line, as it finishes. */
export function targetLine(r: FleetTargetResult): string {
  switch (r.outcome) {
    case 'evolved': return `evolved      ${r.target}  ${short(r.fingerprintBefore)} → ${short(r.fingerprintAfter)}  ${r.ms} ms`;
    case 'in-sync': return `in sync      ${r.target}  ${short(r.fingerprintAfter)}  ${r.ms} ms`;
    case 'failed': {
      const stayed = r.fingerprintBefore !== null && r.fingerprintBefore === r.fingerprintAfter ? ' (unchanged)' : '';
      const message = (r.error?.message ?? '').split('\n').slice(0, 4).join('\n             ');
      return `FAILED       ${r.target}  ${short(r.fingerprintBefore)} → ${short(r.fingerprintAfter)}${stayed}  ${r.ms} ms\n` +
        `             ${r.error?.code}: ${message}${r.error?.hint ? `\n             fix: ${r.error.hint}` : ''}`;
    }
    case 'not-started': return `not started  ${r.target}`;
  }
}

/** `evolve apply` over a fleet. Exit 1 when a target failed or was not started. */
export async function fleetApply(s: Settings, options: Parameters<typeof applyFleet>[1], flags: {
  concurrency?: string; canary?: string; continueOnError?: boolean;
}, out: Out): Promise<number> {
  const targets = await fleetTargets(s);
  const concurrency = countFlag(flags.concurrency, '--concurrency', 1);
  const canary = countFlag(flags.canary, '--canary', 0);
  const report = await applyFleet(targets, options, {
    ...(concurrency !== undefined ? { concurrency } : {}), ...(canary !== undefined ? { canary } : {}),
    continueOnError: flags.continueOnError === true,
    ...(out.json ? {} : { onTarget: (r: FleetTargetResult) => out.write(targetLine(r)) }),
  });
  if (out.json) {
    printJson(out, { fleet: true, ...report });
    return report.ok ? 0 : 1;
  }
  for (const r of report.targets) if (r.outcome === 'not-started') out.write(targetLine(r));
  const why = report.stoppedBy === 'canary' ? ' (a canary target failed: the rest were not started)'
    : report.stoppedBy === 'failure' ? ' (stopped starting targets after the first failure; --continue-on-error goes on)' : '';
  out.write(`${report.summaryLine}${why}; ${report.summary.total} target${report.summary.total === 1 ? '' : 's'} in ${report.ms} ms ` +
    `at concurrency ${report.concurrency}${report.ok ? '' : '. Run it again to finish what failed.'}`);
  return report.ok ? 0 : 1;
}

/** One group's lines: its fingerprint, count, and (when it is not the largest, or small) its targets. */
function groupLines(g: FleetGroup, largest: boolean): string[] {
  const what = g.fingerprint === null ? 'unreadable' : g.matchesModels === null ? '' : g.matchesModels ? 'matches the models' : 'differs from the models';
  const head = `  ${g.fingerprint ?? '(error)'}  ${g.count} target${g.count === 1 ? '' : 's'}${what ? `  ${what}` : ''}`;
  return largest && g.count > 10 ? [head] : [head, ...g.targets.map((t) => `      ${t}`)];
}

/** `evolve status` / `evolve fingerprint` over a fleet: the targets grouped by fingerprint. Exit 1 when one could not be read. */
export async function fleetStatusCommand(s: Settings, options: Parameters<typeof fleetStatus>[1], flags: { concurrency?: string },
  out: Out, command: 'status' | 'fingerprint'): Promise<number> {
  const targets = await fleetTargets(s);
  const r: FleetStatusReport = await fleetStatus(targets, options, countFlag(flags.concurrency, '--concurrency', 1) ?? 4);
  const unreadable = r.targets.some((t) => t.error);
  if (out.json) {
    printJson(out, { ok: !unreadable, fleet: true, ...r });
    return unreadable ? 1 : 0;
  }
  const lines = [`${r.summaryLine}${r.modelsFingerprint ? ` (models: ${r.modelsFingerprint})` : ''}:`];
  r.groups.forEach((g, i) => lines.push(...groupLines(g, i === 0 && r.groups.length > 0)));
  if (command === 'status') {
    const pending = r.targets.filter((t) => t.pendingStored > 0 || (t.pendingGenerated ?? 1) > 0).length;
    if (r.modelsFingerprint !== null || r.targets.some((t) => t.pendingStored > 0)) {
      lines.push(`${pending} target${pending === 1 ? '' : 's'} with something to apply`);
    }
  }
  for (const t of r.targets) if (t.error) lines.push(`error ${t.error.code} on ${t.target}: ${t.error.message.split('\n')[0]}`);
  out.write(lines.join('\n'));
  return unreadable ? 1 : 0;
}
