/**
 * One target of a fleet applied as `evolve apply` applies one database, its outcome a result
 * (never an exception): shared by the fleet in this thread and its worker threads.
 */
import type { EvolveOptions } from './reports.js';
import { applyEvolution } from './apply.js';
import { fingerprintDatabase } from './fingerprint.js';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import { parseDatabaseUrl, redact } from '../dialects/url.js';
import type { FleetTargetResult } from './fleet.js';

/** The error of a failed target as a report holds it (never a password). */
export function targetError(e: unknown): NonNullable<FleetTargetResult['error']> {
  if (isEvolveError(e)) return { code: e.code, message: redact(e.message), hint: e.hint ? redact(e.hint) : null };
  return { code: ErrorCode.Internal, message: redact(e instanceof Error ? e.message : String(e)), hint: null };
}

/** Apply to one target; never throws (a failure is its result). */
export async function applyTarget(target: string, options: Omit<EvolveOptions, 'db'>): Promise<FleetTargetResult> {
  const start = performance.now();
  const shown = parseDatabaseUrl(target).display;
  let before: string | null = null;
  try {
    const r = await applyEvolution({ ...options, db: target, onFingerprintBefore: (fp) => { before ??= fp; } });
    return {
      target: shown, outcome: r.applied ? 'evolved' : 'in-sync', fingerprintBefore: r.storedApplied[0]?.from ?? r.liveFingerprint,
      fingerprintAfter: r.fingerprintAfter, ms: Math.round(performance.now() - start), error: null,
    };
  } catch (e) {
    let after: string | null = null;
    try { after = (await fingerprintDatabase(target, options)).fingerprint; } catch { /* unreadable: null */ }
    return {
      target: shown, outcome: 'failed', fingerprintBefore: before, fingerprintAfter: after, ms: Math.round(performance.now() - start), error: targetError(e),
    };
  }
}
