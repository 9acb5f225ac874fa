/** `evolve lint`: every hazard of the pending plan and of the stored evolutions, explained (B1), and their online safety (issue 16). */
import type { Hazard } from '../plan/plan.js';
import { withDatabase } from '../database/database.js';
import { lintStoredEvolution } from '../evolutions/lint.js';
import { lintOnline } from '../evolutions/online-lint.js';
import { withApplication } from '../deploy/steps-module.js';
import { parseDatabaseUrl } from '../dialects/url.js';
import { loadDialect } from '../dialects/registry.js';
import type { Dialect } from '../dialects/dialect.js';
import type { EvolveOptions } from './reports.js';
import { resolveModels, buildPlan } from './build-plan.js';
import { evolutionSet } from './evolution-set.js';

/** What `evolve lint` reports. */
export interface LintReport {
  /** Hazards of the pending generated plan, counted in the live data (empty without a database). */
  readonly generated: readonly Hazard[];
  /** Hazards read from the stored evolutions' statements. */
  readonly stored: readonly Hazard[];
  /**
   * Online-safety findings (`ONLINE_*` codes, docs/online.md) of the pending generated plan and
   * of the stored evolutions' statements: what would block the application while it runs. The
   * dialect's own rules need `db` (its URL names the dialect); without it only the shared ones run.
   */
  readonly online: readonly Hazard[];
  /** Error-severity hazards in all (online ones included). */
  readonly errors: number;
}

/**
 * Every hazard of the pending plan (with the rows at risk) and of the stored evolutions
 * (`evolve lint`), and their online-safety findings. Changes nothing.
 */
export async function lintEvolution(options: Partial<EvolveOptions>): Promise<LintReport> {
  options = (await withApplication(options)).options;
  const set = await evolutionSet(options, { checkKnown: false }); // lint reads statements; placeholders are still refused
  const stored = set.evolutions.flatMap(lintStoredEvolution);
  const dialect: Dialect | null = options.db ? await loadDialect(parseDatabaseUrl(options.db).dialect) : null;
  const online: Hazard[] = set.evolutions.flatMap((e) =>
    lintOnline(dialect, e.steps.flatMap((s) => (s.kind === 'sql' ? [{ sql: s.sql }] : [])), { source: e.id, handWritten: true }));
  let generated: Hazard[] = [];
  if (options.db && options.models !== undefined) {
    const models = await resolveModels(options.models);
    generated = [...await withDatabase(options.db, true, options, async (d) => {
      const { report, plan } = await buildPlan(d, models, false, set);
      online.unshift(...lintOnline(d.dialect, plan.statements, { source: 'the generated plan', handWritten: false }));
      return report.hazards;
    })];
  }
  const errors = [...generated, ...stored, ...online].filter((h) => h.severity === 'error').length;
  return { generated, stored, online, errors };
}
