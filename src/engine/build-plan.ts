/**
 * Building the plan `sql`, `apply` and `record` share: the desired schema for the live one, the
 * diff, the data checks run against the live rows, the dialect's plan, and its report.
 */
import { adoptUnmodelled, unmanagedOnlyInFile, desiredOn, ignoredNotes, loadDesired, type Desired } from '../database/sources.js';
import type { SchemaIR } from '../ir/schema.js';
import { describeUnmanaged } from '../ir/schema.js';
import { fingerprintPair } from '../ir/fingerprint.js';
import type { Change } from '../diff/changes.js';
import { dataChecks, exampleOf } from '../plan/hazards.js';
import { eachWithProgress } from '../plan/progress.js';
import { HazardCode, type Hazard, type Plan, type PlanStatement } from '../plan/plan.js';
import type { OpenDatabase } from '../database/database.js';
import type { Diff } from '../diff/differ.js';
import type { EvolutionSet } from '../evolutions/load.js';
import { nextEvolution } from '../evolutions/select.js';
import { assertInScope, keepExternalReferences } from '../database/scope.js';
import type { EvolveOptions, PlanReport, StoredStep } from './reports.js';
import { parseDatabaseUrl } from '../dialects/url.js';
import { storedStep } from './evolution-set.js';
import type { Resume } from './resume.js';

/** The statements with what each costs a live database (the dialect's `statementLock`), for the report. */
export function withLocks(d: OpenDatabase, statements: readonly PlanStatement[]): PlanStatement[] {
  const hook = d.dialect.statementLock;
  if (!hook) return [...statements];
  return statements.map((s) => {
    const lock = hook.call(d.dialect, s.sql);
    return lock ? { ...s, lock } : s;
  });
}

/** A stored evolution's steps with what each costs a live database. */
function withStepLocks(d: OpenDatabase, st: StoredStep): StoredStep {
  const hook = d.dialect.statementLock;
  return hook ? { ...st, locks: st.steps.map((s) => (s.startsWith('-- function ') ? null : hook.call(d.dialect, s))) } : st;
}

/** Load the models input (a models module, a SQL file, or tables given as values). */
export const resolveModels = loadDesired;

/**
 * The models input for a command on database `db`: a models module whose schema an earlier
 * command kept for that database's dialect is not run again (model/compiled-cache.ts).
 */
export function resolveModelsFor(models: EvolveOptions['models'], db: string | undefined): Promise<Desired> {
  let dialect: string | undefined;
  try { dialect = db === undefined ? undefined : parseDatabaseUrl(db).dialect; } catch { /* the command says what is wrong with the URL */ }
  return loadDesired(models, dialect ? { dialect } : {});
}

/** What a schema holds that Evolve does not manage, as users read it ("trigger t on table x"). */
export function unmanagedOf(schema: SchemaIR): string[] {
  return (schema.unmanaged ?? []).map(describeUnmanaged);
}

/**
 * The desired schema for a live one: a models module keeps the live objects it cannot
 * express (see {@link adoptUnmodelled}); `notes` say which, for the report. For a SQL file,
 * `notes` name what the file holds that Evolve does not create (see {@link unmanagedOnlyInFile}).
 */
export async function desiredFor(d: OpenDatabase, models: Desired, live: SchemaIR): Promise<{ schema: SchemaIR; notes: string[] }> {
  const schema = await desiredOn(d.dialect, d.scratch, models);
  assertInScope(schema, d.scope); // a model outside the scope would be created, then never seen
  if (models.kind === 'sql') return { schema, notes: unmanagedOnlyInFile(schema, live) };
  const r = adoptUnmodelled(schema, live);
  const ext = keepExternalReferences(r.schema, live, d.scope); // foreign keys to tables outside the scope
  return {
    schema: ext.schema,
    notes: [...r.adopted.map((x) => `${x} (not in the models: kept as it is)`), ...r.dropped, ...ext.kept, ...ignoredNotes(models)],
  };
}

/**
 * The plan from the live schema of `d` to `models`, with its report (`known`: the live schema
 * just read under this command's lock; `resume`: a part-way evolution apply would resume first).
 */
export async function buildPlan(
  d: OpenDatabase, models: Desired, allowDataLoss: boolean, set: EvolutionSet, known?: SchemaIR | null, resume?: Resume | null,
): Promise<{ report: PlanReport; plan: Plan; desired: SchemaIR; diff: Diff }> {
  // `known`: the live schema just read by this command, under its lock (apply's stored part).
  const live = known ?? await d.introspect();
  // What planning online needs that no diff decides: the server reads it while the plan is made.
  const state = d.dialect.onlineState?.(d.conn);
  state?.catch(() => undefined); // awaited below; a plan that fails first leaves it unread
  const { schema: desired, notes } = await desiredFor(d, models, live);
  // Both fingerprints in one pass; the tables it finds the same are not compared again by the diff.
  const prints = fingerprintPair(live, desired);
  const diff = d.dialect.diff(live, desired, { sameTables: prints.sameTables });
  const checks = dataChecks(diff, d.dialect);
  const found: Hazard[] = [];
  // Consented lossy type changes the plan converts by the documented rule (plan/lossy.ts).
  const convertLossy = new Set<Change>();
  await eachWithProgress(d.progress ?? undefined, 'check the data for hazards', checks, 'checks', async (c) => {
    const n = Number((await d.conn.query(c.countSql))[0]?.n ?? 0);
    if (n === 0) return;
    let examples: string[] | undefined;
    if (c.examplesSql) examples = (await d.conn.query(c.examplesSql)).map(exampleOf);
    found.push({ ...c.hazard, rows: n, ...(examples ? { examples } : {}) });
    if (allowDataLoss && c.hazard.code === HazardCode.LossyTypeChange && c.hazard.severity === 'error' && c.hazard.allowable) convertLossy.add(c.change);
  });
  // Online strategies where the dialect has them (issue 16): which tables hold rows, what a killed apply left.
  const onlineFacts = await d.dialect.onlineFacts?.(d.conn, diff, await state);
  const plan = d.dialect.plan(diff, { convertLossy, online: d.online, ...(onlineFacts ? { onlineFacts } : {}) });
  const online: Hazard[] = [];
  for (const c of plan.checks) { // what the plan itself costs (a table copied under a lock), counted in the live rows
    const n = Number((await d.conn.query(c.countSql))[0]?.n ?? 0);
    if (n > 0) (c.hazard.severity === 'error' ? found : online).push({ ...c.hazard, rows: n });
  }
  const hazards: Hazard[] = [...plan.hazards, ...found];
  const blocking = hazards.filter((h) => h.severity === 'error' && (!h.allowable || !allowDataLoss));
  const liveFp = prints.from;
  const targetFp = prints.to;
  const next = resume ? resume.evolution : nextEvolution(set, liveFp);
  const inSync = plan.statements.length === 0 && liveFp === targetFp;
  const pos = set.known.indexOf(liveFp);
  return {
    plan, desired, diff,
    report: {
      source: next ? 'stored' : inSync ? 'none' : 'generated',
      stored: next ? withStepLocks(d, storedStep(set, next, 'up', resume?.startAt ?? 0)) : null,
      known: pos >= 0 ? { position: pos + 1, of: set.known.length } : null,
      dialect: d.dialect.name, database: d.url.display, liveFingerprint: liveFp, targetFingerprint: targetFp,
      inSync, changes: plan.changes, renames: plan.renames,
      statements: withLocks(d, plan.statements), hazards, blocking, online,
      unmanaged: [...unmanagedOf(live), ...notes],
    },
  };
}
