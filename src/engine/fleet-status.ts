/**
 * `evolve status` and `evolve fingerprint` over a fleet (issue 17): every target read, then
 * grouped by live fingerprint, so one tenant that drifted stands out from the hundreds that agree.
 */
import { parseDatabaseUrl } from '../dialects/url.js';
import { statusOf, type StatusReport } from './status.js';
import { resolveModels } from './build-plan.js';
import { pool, targetError, type FleetTargetResult } from './fleet.js';

/** One target as a fleet's status shows it. */
export interface FleetStatusTarget {
  /** The target's URL, its password shown as `***`. */
  readonly target: string;
  /** Its live fingerprint (null: it could not be read; see `error`). */
  readonly fingerprint: string | null;
  /** Its position in the known fingerprints, when known. */
  readonly known: StatusReport['known'];
  /** Stored evolutions `apply` would run there. */
  readonly pendingStored: number;
  /** Generated changes `apply` would run there (null: not known before the stored ones run). */
  readonly pendingGenerated: number | null;
  readonly error: FleetTargetResult['error'];
}

/** Targets that share a live fingerprint. */
export interface FleetGroup {
  /** Null: the targets that could not be read. */
  readonly fingerprint: string | null;
  /** Whether it is the models' fingerprint (null: no models given, or unreadable). */
  readonly matchesModels: boolean | null;
  readonly count: number;
  readonly targets: readonly string[];
}

/** A fleet's status: the groups (largest first), and every target. */
export interface FleetStatusReport {
  /** The models' fingerprint (null: no models given, or no target could be read). */
  readonly modelsFingerprint: string | null;
  readonly groups: readonly FleetGroup[];
  /** Every target, in the fleet's order. */
  readonly targets: readonly FleetStatusTarget[];
  /** `3 fingerprints over 200 targets: 198 match the models, 1 differs, 1 unreadable`. */
  readonly summaryLine: string;
}

/** Group `targets` by fingerprint, the largest group first (the unreadable ones last). */
export function groupByFingerprint(targets: readonly FleetStatusTarget[], modelsFp: string | null): FleetGroup[] {
  const byFp = new Map<string | null, string[]>();
  for (const t of targets) byFp.set(t.fingerprint, [...(byFp.get(t.fingerprint) ?? []), t.target]);
  return [...byFp.entries()]
    .map(([fingerprint, list]) => ({
      fingerprint, matchesModels: fingerprint === null || modelsFp === null ? null : fingerprint === modelsFp, count: list.length, targets: list,
    }))
    .sort((a, b) => Number(a.fingerprint === null) - Number(b.fingerprint === null) || b.count - a.count
      || String(a.fingerprint).localeCompare(String(b.fingerprint)));
}

function summaryLine(groups: readonly FleetGroup[], total: number, modelsFp: string | null): string {
  const fps = groups.filter((g) => g.fingerprint !== null).length;
  const sum = (f: (g: FleetGroup) => boolean): number => groups.filter(f).reduce((a, g) => a + g.count, 0);
  const parts: string[] = [];
  if (modelsFp !== null) {
    parts.push(`${sum((g) => g.matchesModels === true)} match the models`, `${sum((g) => g.matchesModels === false)} differ`);
  }
  const unreadable = sum((g) => g.fingerprint === null);
  if (unreadable) parts.push(`${unreadable} unreadable`);
  return `${fps} fingerprint${fps === 1 ? '' : 's'} over ${total} target${total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/**
 * Read every target of a fleet (at most `concurrency` at once, default 4) as `evolve status`
 * reads one, and group them by fingerprint. A target that cannot be read is in the report
 * with its error, never the run's exception.
 */
export async function fleetStatus(
  targets: readonly string[], options: Omit<Parameters<typeof statusOf>[0], 'db'>, concurrency = 4,
): Promise<FleetStatusReport> {
  if (options.models !== undefined) await resolveModels(options.models); // fails the command once, not every target
  const rows: FleetStatusTarget[] = [];
  let modelsFp: string | null = null;
  await pool(targets.map((_, i) => i), concurrency, async (i) => {
    const target = targets[i]!;
    const shown = parseDatabaseUrl(target).display;
    try {
      const r = await statusOf({ ...options, db: target });
      modelsFp ??= r.modelsFingerprint;
      rows[i] = {
        target: shown, fingerprint: r.liveFingerprint, known: r.known, pendingStored: r.pendingStored.length,
        pendingGenerated: r.pendingGenerated === null ? null : r.pendingGenerated.length, error: null,
      };
    } catch (e) {
      rows[i] = { target: shown, fingerprint: null, known: null, pendingStored: 0, pendingGenerated: null, error: targetError(e) };
    }
  }, () => false);
  const groups = groupByFingerprint(rows, modelsFp);
  return { modelsFingerprint: modelsFp, groups, targets: rows, summaryLine: summaryLine(groups, rows.length, modelsFp) };
}
