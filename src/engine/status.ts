/** `evolve status`: where a database stands — fingerprints, stored evolutions pending, deployment, drift. */
import type { ModelsInput } from '../database/sources.js';
import type { DialectName } from '../ir/schema.js';
import { fingerprint, fingerprintPair } from '../ir/fingerprint.js';
import { describeChange } from '../diff/changes.js';
import { withDatabase, type DatabaseOptions, type OpenDatabase } from '../database/database.js';
import { nextEvolution } from '../evolutions/select.js';
import { drift, readSnapshots, type Drift } from '../evolutions/snapshots.js';
import type { EvolutionSet } from '../evolutions/load.js';
import { lastHistory, readDeployed, readHistory, recordExists, recordNames, type DeploymentOptions, type HistoryRow } from '../deploy/record.js';
import { canStopPartWay, resumePoint, type Resume } from './resume.js';
import { withApplication } from '../deploy/steps-module.js';
import { describeScope } from '../database/scope.js';
import type { Versioned } from '../deploy/versioned.js';
import type { StoredStep, PlanReport } from './reports.js';
import { resolveModelsFor, desiredFor, unmanagedOf } from './build-plan.js';
import { storedStep, evolutionSet } from './evolution-set.js';
import { modelsFingerprint } from './fingerprint.js';

/** What `evolve status` (and `fingerprint`) report about where the database stands. */
export interface StatusReport {
  readonly dialect: DialectName;
  readonly database: string;
  readonly liveFingerprint: string;
  /** Position in the known list (1-based) when known. */
  readonly known: { readonly position: number; readonly of: number } | null;
  readonly latestKnown: string | null;
  /** The models' fingerprint, when models were given. */
  readonly modelsFingerprint: string | null;
  /**
   * The stored evolutions `apply` would run, in the order it runs them: an evolution that
   * stopped part-way (MySQL, resumed: `resumedAt`), then the longest jump from each fingerprint
   * reached, as apply chooses.
   */
  readonly pendingStored: readonly StoredStep[];
  /**
   * The generated changes `apply` would run after them: from the fingerprint the stored
   * evolutions reach (its snapshot), or from the live schema when none is pending. Null when
   * that cannot be told before they run (no snapshot of where they lead).
   */
  readonly pendingGenerated: readonly string[] | null;
  /** When the live fingerprint is unknown: the nearest known one and what differs (known → live). */
  readonly drift: Drift | null;
  /** The deployment record of the application, when the database has one. */
  readonly deployment: { readonly app: string; readonly version: number; readonly stage: number | null; readonly lastHistory: readonly HistoryRow[] } | null;
  /**
   * The application the models (or `steps`) define with `versioned()`: its id, latest version
   * and own tables (`include …`, null: every table). Null when there is none.
   */
  readonly application: { readonly id: string; readonly latest: number; readonly tables: string | null } | null;
  /** Numbered steps `evolve upgrade` would run (the versions they reach); empty when none or when there is no record yet. */
  readonly pendingSteps: readonly number[];
  /** Objects Evolve does not manage (see {@link PlanReport.unmanaged}). */
  readonly unmanaged: readonly string[];
}

async function deploymentOf(d: OpenDatabase, options: DeploymentOptions): Promise<StatusReport['deployment']> {
  const n = recordNames(options);
  if (!(await recordExists(d, n))) return null;
  const dep = await readDeployed(d, n);
  if (!dep) return null;
  return { app: n.app, version: dep.version, stage: dep.stage, lastHistory: (await readHistory(d, n)).slice(-5) };
}

/**
 * The stored evolutions apply would run from `live`, in order, by apply's own rules: a
 * part-way evolution to resume (engine/resume.ts, MySQL), then the next evolution from each
 * fingerprint reached (a cycle ends the list).
 */
async function pendingChain(d: OpenDatabase, set: EvolutionSet, live: string, record: DeploymentOptions): Promise<Resume[]> {
  const chain: Resume[] = [];
  if (set.evolutions.length === 0) return chain;
  const resume = canStopPartWay(d.dialect) ? resumePoint(set, await lastHistory(d, recordNames(record)), live) : null;
  if (resume) chain.push(resume);
  for (let e = nextEvolution(set, resume ? resume.evolution.to : live); e && !chain.some((c) => c.evolution === e); e = nextEvolution(set, e.to)) {
    chain.push({ evolution: e, startAt: 0 });
  }
  return chain;
}

/** Where the database stands: deployed version, fingerprint (known or not), what is pending, drift, recent history. */
export async function statusOf(
  options: { db: string; models?: ModelsInput; evolutions?: string; steps?: Versioned | string } & DatabaseOptions & DeploymentOptions,
): Promise<StatusReport> {
  const found0 = await withApplication(options, { ...(options.steps !== undefined ? { steps: options.steps } : {}), models: options.models });
  const app = found0.app;
  options = { ...found0.options, app: options.app ?? app?.id }; // the application's own tables and record row
  const set = await evolutionSet(options);
  const models = options.models === undefined ? null : await resolveModelsFor(options.models, options.db);
  return withDatabase(options.db, true, options, async (d) => {
    const live = await d.introspect();
    const found = models ? await desiredFor(d, models, live) : null;
    const desired = found?.schema ?? null;
    // Both fingerprints in one pass where there are models (the tables it finds the same spare the diff below).
    const pair = desired ? fingerprintPair(live, desired) : null;
    const fp = pair ? pair.from : fingerprint(live);
    const pos = set.known.indexOf(fp);
    const deployment = await deploymentOf(d, options);
    const chain = await pendingChain(d, set, fp, options);
    const end = chain.length ? chain[chain.length - 1]!.evolution.to : fp;
    const modelsFp = pair ? pair.to : null;
    const startFrom = end === fp ? live : end === modelsFp ? desired : readSnapshots(set.dir).get(end) ?? null;
    const pendingSteps: number[] = [];
    if (app && deployment && (deployment.app === app.id)) for (let v = deployment.version + 1; v <= app.latest; v++) pendingSteps.push(v);
    return {
      dialect: d.dialect.name, database: d.url.display, liveFingerprint: fp,
      known: pos >= 0 ? { position: pos + 1, of: set.known.length } : null,
      latestKnown: set.known[set.known.length - 1] ?? null,
      modelsFingerprint: modelsFp,
      pendingStored: chain.map((c) => storedStep(set, c.evolution, 'up', c.startAt)),
      pendingGenerated: !desired ? [] : startFrom
        ? d.dialect.diff(startFrom, desired, startFrom === live ? { sameTables: pair!.sameTables } : {}).changes.map(describeChange) : null,
      drift: pos < 0 && set.known.length && set.dir ? drift(set.dir, set.known, live) : null,
      deployment,
      application: app ? { id: app.id, latest: app.latest, tables: app.scope ? describeScope(app.scope) : null } : null,
      pendingSteps,
      unmanaged: [...unmanagedOf(live), ...(found?.notes ?? [])],
    };
  });
}
