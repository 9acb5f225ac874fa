/** `evolve sql` (the seed's sqlevolve): what `apply` would run next, changing nothing. */
import { fingerprint } from '../ir/fingerprint.js';
import { withLiveSchema } from '../database/database.js';
import { withApplication } from '../deploy/steps-module.js';
import type { EvolveOptions, PlanReport } from './reports.js';
import { resolveModelsFor, buildPlan } from './build-plan.js';
import { evolutionSet } from './evolution-set.js';
import { canStopPartWay, resumePoint } from './resume.js';
import { HistoryRecorder } from '../deploy/record.js';
import { unconsentedLoss } from '../evolutions/lint.js';

/**
 * What `apply` would do next, without changing anything (`evolve sql`): the stored
 * evolution that starts at the live fingerprint if there is one, else the generated plan.
 * Reads the data to count what each hazard would affect.
 */
export async function planEvolution(options: EvolveOptions): Promise<PlanReport> {
  options = (await withApplication(options)).options; // an application's own tables only
  // Integrity first: nothing runs past an edited evolution (a server reads the live schema meanwhile).
  const prepare = async () => ({ set: await evolutionSet(options), models: await resolveModelsFor(options.models, options.db) });
  return withLiveSchema(options.db, true, options, prepare, async (d, { set, models }, live) => {
    // MySQL: an evolution that stopped part-way is what apply resumes first (engine/resume.ts).
    const resume = !canStopPartWay(d.dialect) || set.evolutions.length === 0 ? null
      : resumePoint(set, await new HistoryRecorder(d, options.record ?? {}).last(), fingerprint(live));
    const report = (await buildPlan(d, models, options.allowDataLoss === true, set, live, resume)).report;
    // A stored evolution apply would refuse (a step lint rates an error, no consent): it blocks apply.
    const next = report.stored ? set.evolutions.find((e) => e.id === report.stored!.id) : undefined;
    const refused = next ? unconsentedLoss(next, options.allowDataLoss === true, resume?.startAt ?? 0) : [];
    return refused.length ? { ...report, hazards: [...report.hazards, ...refused], blocking: [...report.blocking, ...refused] } : report;
  });
}
