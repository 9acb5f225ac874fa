/**
 * Fleets (issue 17): many databases of one schema — a SQLite file, a PostgreSQL schema or a
 * MySQL database per tenant, or shards — evolved by one command. The engine knows no dialect
 * here: a pattern is expanded by the dialect that owns its URL (`Dialect.expandTargets`), and
 * each target is applied as `evolve apply` applies one database, under its own deploy lock and
 * in its own transaction where the dialect allows.
 */
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import { parseDatabaseUrl, redact } from '../dialects/url.js';
import { loadDialect } from '../dialects/registry.js';
import type { EvolveOptions } from './reports.js';
import { resolveModels } from './build-plan.js';
import { applyTarget } from './fleet-target.js';
import { threadedTargets, type TargetRunner } from './fleet-threads.js';

/** How to find a fleet's targets. */
export interface FleetExpandOptions {
  /** A glob of schema names applied to every URL (`--schema-pattern 'tenant_*'`; dialects with schemas). */
  readonly schemaPattern?: string;
  /** Seconds to wait for a server to answer while listing its schemas or databases. */
  readonly connectTimeout?: number;
}

/**
 * The targets `specs` stand for, in order, each once: a plain URL is itself; a pattern
 * (`sqlite:tenants/*.db`, `postgres://…?schemas=tenant_*`, `mysql://…/tenant_*`) is every
 * database its dialect finds for it, sorted by name.
 * @throws EvolveError `E_FLEET_EMPTY` when a pattern matches nothing (a mistyped pattern is never an empty success).
 */
export async function expandFleet(specs: readonly string[], options: FleetExpandOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const spec of specs) {
    const url = parseDatabaseUrl(spec);
    const dialect = await loadDialect(url.dialect);
    if (!dialect.expandTargets && options.schemaPattern !== undefined) {
      throw new EvolveError(ErrorCode.Usage, `--schema-pattern cannot apply to ${url.display}: its dialect takes no patterns.`, {
        hint: 'Name each database as its own --db, or list them in a --targets file.',
      });
    }
    const expanded = dialect.expandTargets ? await dialect.expandTargets(url, {
      ...(options.schemaPattern !== undefined ? { schemaPattern: options.schemaPattern } : {}),
      ...(options.connectTimeout !== undefined ? { connectTimeoutSeconds: options.connectTimeout } : {}),
    }) : null;
    if (expanded && expanded.length === 0) {
      throw new EvolveError(ErrorCode.FleetEmpty, `The pattern ${url.display}${options.schemaPattern ? ` (schemas '${options.schemaPattern}')` : ''} ` +
        'matches no database.', { hint: 'Check the pattern (a glob: * any characters, ? one), or create the tenants first.' });
    }
    for (const t of expanded ?? [spec]) if (!out.includes(t)) out.push(t);
  }
  if (out.length === 0) {
    throw new EvolveError(ErrorCode.FleetEmpty, 'The fleet names no database.', { hint: 'Give --db URL (repeatable), --targets FILE or a pattern.' });
  }
  return out;
}

/** What became of one target. `not-started`: the run stopped (a failure, a failed canary) before it began. */
export type FleetOutcome = 'evolved' | 'in-sync' | 'failed' | 'not-started';

/** One target's line of a fleet report. */
export interface FleetTargetResult {
  /** The target's URL, its password shown as `***`. */
  readonly target: string;
  readonly outcome: FleetOutcome;
  /** The fingerprint before the apply changed anything (null: not read, e.g. it could not connect). */
  readonly fingerprintBefore: string | null;
  /** The fingerprint after (for a failed target: as read after the failure; null: unreadable). */
  readonly fingerprintAfter: string | null;
  /** Milliseconds this target took. */
  readonly ms: number;
  /** Why it failed: the error's stable code, message and fix. */
  readonly error: { readonly code: string; readonly message: string; readonly hint: string | null } | null;
}

/** How a fleet is applied. */
export interface FleetApplyOptions {
  /** Targets applied at once (default 4). */
  readonly concurrency?: number;
  /** Apply to the first N targets first, and stop if any of them fails (default 0: no canary). */
  readonly canary?: number;
  /** Keep starting targets after one failed (default: stop starting new ones; those running finish). */
  readonly continueOnError?: boolean;
  /** Told of each target as it finishes (the CLI prints a line). */
  readonly onTarget?: (result: FleetTargetResult) => void;
}

/** Counts of a fleet report. */
export interface FleetSummary {
  readonly total: number;
  readonly evolved: number;
  readonly inSync: number;
  readonly failed: number;
  readonly notStarted: number;
}

/** What applying to a fleet reports. */
export interface FleetApplyReport {
  /** True when no target failed and every one was started. */
  readonly ok: boolean;
  readonly summary: FleetSummary;
  /** `412 evolved, 3 already in sync, 1 failed` (and `, N not started` when the run stopped). */
  readonly summaryLine: string;
  /** Why targets were left unstarted: the canary failed, or a target failed without `continueOnError`. */
  readonly stoppedBy: 'canary' | 'failure' | null;
  readonly concurrency: number;
  /** Worker threads the targets ran in (0: in this thread; see fleet-threads.ts: SQLite targets, models given as a module path). */
  readonly workers: number;
  /** Every target, in the fleet's order. */
  readonly targets: readonly FleetTargetResult[];
  readonly ms: number;
}

export { targetError } from './fleet-target.js';

/** The counts of `results`. */
export function summarise(results: readonly FleetTargetResult[]): { summary: FleetSummary; line: string } {
  const n = (o: FleetOutcome): number => results.filter((r) => r.outcome === o).length;
  const summary = { total: results.length, evolved: n('evolved'), inSync: n('in-sync'), failed: n('failed'), notStarted: n('not-started') };
  const line = `${summary.evolved} evolved, ${summary.inSync} already in sync, ${summary.failed} failed` +
    (summary.notStarted ? `, ${summary.notStarted} not started` : '');
  return { summary, line };
}

/**
 * Run `work` over `indexes` with at most `concurrency` at once; no new one starts once
 * `stopped()` is true (those running finish).
 */
export async function pool(indexes: readonly number[], concurrency: number, work: (i: number) => Promise<void>, stopped: () => boolean): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < indexes.length && !stopped()) await work(indexes[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, indexes.length)) }, worker));
}

/** A whole number ≥ `min`, or the usage error naming `what`. */
function count(value: number | undefined, fallback: number, what: string, min: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min) {
    throw new EvolveError(ErrorCode.Usage, `${what} must be a whole number of at least ${min}, got ${String(value)}.`, { hint: `Write e.g. ${what} 4.` });
  }
  return n;
}

/**
 * `evolve apply` over a fleet: every target brought to the models, at most `concurrency` at
 * once, each as {@link applyEvolution} applies one database (its own deploy lock, its own
 * transaction where the dialect allows). A failure is that target's result, never the run's
 * exception; by default no new target starts after one failed. Running it again finishes what
 * failed and changes nothing where a target is already at the models' fingerprint.
 *
 * @example
 * ```ts
 * const targets = await expandFleet(['sqlite:tenants/*.db']);
 * const report = await applyFleet(targets, { models: './models.ts' }, { concurrency: 8 });
 * console.log(report.summaryLine); // "412 evolved, 3 already in sync, 1 failed"
 * ```
 */
export async function applyFleet(targets: readonly string[], options: Omit<EvolveOptions, 'db'>, fleet: FleetApplyOptions = {}): Promise<FleetApplyReport> {
  const concurrency = count(fleet.concurrency, 4, '--concurrency', 1);
  const canary = Math.min(count(fleet.canary, 0, '--canary', 0), targets.length);
  await resolveModels(options.models); // a models module that does not load fails the command once, not every target
  const start = performance.now();
  const results: (FleetTargetResult | undefined)[] = targets.map(() => undefined);
  let failed = false;
  // Targets whose driver blocks the thread (SQLite) run in worker threads, so they run at once.
  const threads: TargetRunner | null = concurrency > 1 && targets.length > 1 ? await threadedTargets(targets, options, concurrency) : null;
  const work = async (i: number): Promise<void> => {
    const r = threads ? await threads.apply(targets[i]!) : await applyTarget(targets[i]!, options);
    results[i] = r;
    if (r.outcome === 'failed') failed = true;
    fleet.onTarget?.(r);
  };
  const all = targets.map((_, i) => i);
  let stoppedBy: FleetApplyReport['stoppedBy'] = null;
  try {
    await pool(all.slice(0, canary), concurrency, work, () => false);
    if (failed && canary > 0) stoppedBy = 'canary';
    else {
      await pool(all.slice(canary), concurrency, work, () => failed && fleet.continueOnError !== true);
      if (failed && fleet.continueOnError !== true && results.some((r) => r === undefined)) stoppedBy = 'failure';
    }
  } finally {
    await threads?.close();
  }
  const done = results.map((r, i): FleetTargetResult => r ?? {
    target: parseDatabaseUrl(targets[i]!).display, outcome: 'not-started', fingerprintBefore: null, fingerprintAfter: null, ms: 0, error: null,
  });
  const { summary, line } = summarise(done);
  return {
    ok: summary.failed === 0 && summary.notStarted === 0, summary, summaryLine: line, stoppedBy, concurrency, workers: threads?.workers ?? 0,
    targets: done, ms: Math.round(performance.now() - start),
  };
}
