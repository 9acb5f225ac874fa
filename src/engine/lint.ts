/** `evolve lint`: every hazard of the pending plan and of the stored evolutions, explained (B1). */
import type { Hazard } from '../plan/plan.js';
import { withDatabase } from '../database/database.js';
import { lintStoredEvolution } from '../evolutions/lint.js';
import { withApplication } from '../deploy/steps-module.js';
import type { EvolveOptions } from './reports.js';
import { resolveModels, buildPlan } from './build-plan.js';
import { evolutionSet } from './evolution-set.js';

/** What `evolve lint` reports. */
export interface LintReport {
  /** Hazards of the pending generated plan, counted in the live data (empty without a database). */
  readonly generated: readonly Hazard[];
  /** Hazards read from the stored evolutions' statements. */
  readonly stored: readonly Hazard[];
  /** Error-severity hazards in all. */
  readonly errors: number;
}

/**
 * Every hazard of the pending plan (with the rows at risk) and of the stored evolutions
 * (`evolve lint`). Changes nothing.
 */
export async function lintEvolution(options: Partial<EvolveOptions>): Promise<LintReport> {
  options = (await withApplication(options)).options;
  const set = await evolutionSet(options, { checkKnown: false }); // lint reads statements; placeholders are still refused
  const stored = set.evolutions.flatMap(lintStoredEvolution);
  let generated: Hazard[] = [];
  if (options.db && options.models !== undefined) {
    const models = await resolveModels(options.models);
    generated = [...await withDatabase(options.db, true, options, async (d) => (await buildPlan(d, models, false, set)).report.hazards)];
  }
  const errors = [...generated, ...stored].filter((h) => h.severity === 'error').length;
  return { generated, stored, errors };
}
