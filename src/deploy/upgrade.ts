/**
 * The Dejavu way as library calls: `upgradeDeployment` (upgrade), `installStorage`
 * (assert_storage), `checkVersion` / `assertVersion` (assert_version) and `baselineDeployment`
 * (set the deployed version by hand). An application may call them at start-up.
 */
import type { Table } from '../model/table.js';
import { loadModels } from '../model/load.js';
import type { SchemaIR, TableIR } from '../ir/schema.js';
import { isEvolveTable } from '../ir/canonical.js';
import { fingerprint } from '../ir/fingerprint.js';
import { describeChange } from '../diff/changes.js';
import { fileHash } from '../evolutions/checksum.js';
import { withDatabase, type DatabaseOptions, type OpenDatabase } from '../database/database.js';
import { runPlan } from '../database/run-plan.js';
import { desiredFor, desiredSchema, evolutionSet } from '../engine/evolve.js';
import { adoptUnmodelled, loadDesired } from '../database/sources.js';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import { addHistory, ensureRecord, readDeployed, recordExists, recordNames, writeDeployed, type DeploymentOptions, type RecordNames } from './record.js';
import { isVersioned, type Versioned } from './versioned.js';
import { findApplication, loadSteps } from './steps-module.js';
import { intersectScopes, assertInScope, keepExternalReferences } from '../database/scope.js';
import { operations } from '../database/operations.js';

/** Options of the deployment calls. */
export interface DeployOptions extends DatabaseOptions, DeploymentOptions {
  /** Database URL. */
  readonly db: string;
  /** The models (a module path or the tables): tables a fresh install or `install` creates. */
  readonly models?: string | readonly Table[];
  /** The numbered steps: a `versioned()` definition or the path of a module exporting one. Default: the models module. */
  readonly steps?: Versioned | string;
  /** Stored evolutions directory: `check` without numbered steps compares with its latest known fingerprint. */
  readonly evolutions?: string;
}

const userTables = (s: SchemaIR): TableIR[] => s.tables.filter((t) => !isEvolveTable(t.name));

export { loadSteps } from './steps-module.js';

async function resolveSteps(options: DeployOptions): Promise<Versioned> {
  if (options.steps !== undefined) return isVersioned(options.steps) ? options.steps : loadSteps(options.steps);
  if (typeof options.models === 'string') return loadSteps(options.models);
  throw new EvolveError(ErrorCode.StepsInvalid, 'No numbered steps given.', { hint: 'Pass --steps PATH (or --models PATH to a module that also exports `schema = versioned({ ... })`).' });
}

async function resolveModels(models: DeployOptions['models']): Promise<readonly Table[]> {
  if (models === undefined) return [];
  return typeof models === 'string' ? loadModels(models) : models;
}

const names = (options: DeployOptions, v: Versioned | null): RecordNames => recordNames({ ...options, app: options.app ?? v?.id });

/** The options limited to the application's own tables (`versioned({ tables | prefix })`). */
const scoped = <O extends DeployOptions>(options: O, v: Versioned | null): O =>
  (v?.scope ? { ...options, tableScope: intersectScopes(options.tableScope ?? null, v.scope) } : options);

/**
 * Create every model's table that the database lacks (by name or former name), in one
 * transaction where the dialect allows. Existing tables are never touched.
 */
async function createMissing(d: OpenDatabase, models: readonly Table[]): Promise<string[]> {
  if (models.length === 0) return [];
  const desired = desiredSchema(models, d.dialect);
  assertInScope(desired, d.scope);
  const live = await d.introspect();
  const present = new Set(userTables(live).map((t) => t.name));
  const missing = desired.tables.filter((t) => !present.has(t.name) && !(t.aka ?? []).some((a) => present.has(a)));
  if (missing.length === 0) return [];
  const target: SchemaIR = { ...live, tables: [...userTables(live), ...missing.map((t) => ({ ...t, aka: [] }))] };
  await runPlan(d, d.dialect.plan(d.dialect.diff(live, target)));
  return missing.map((t) => t.name);
}

/** What `evolve install` reports. */
export interface InstallReport { readonly database: string; readonly created: readonly string[] }

/**
 * Create storage for every model that has none (`evolve install`, Dejavu's `assert_storage`).
 * Call it after {@link upgradeDeployment}; it never changes an existing table.
 */
export async function installStorage(options: DeployOptions): Promise<InstallReport> {
  const models = await resolveModels(options.models);
  if (models.length === 0) throw new EvolveError(ErrorCode.Usage, 'No models given to install.', { hint: 'Pass --models PATH to the module exporting your table() models.' });
  const v = await findApplication(options);
  return withDatabase(options.db, false, scoped(options, v), async (d) => {
    const started = new Date();
    const before = fingerprint(await d.introspect());
    const created = await createMissing(d, models);
    if (created.length) {
      const n = names(options, v); // the application's own history rows
      await ensureRecord(d, n);
      await addHistory(d, n, { kind: 'install', name: `install ${created.join(', ')}`.slice(0, 300), fromFingerprint: before, toFingerprint: fingerprint(await d.introspect()), started, finished: new Date(), outcome: 'ok' });
    }
    return { database: d.url.display, created };
  });
}

/** What `evolve upgrade` reports. */
export interface UpgradeReport {
  readonly app: string;
  readonly database: string;
  /** Deployed version before (null: there was no record — a fresh install). */
  readonly from: number | null;
  readonly to: number;
  /** Steps run, in order (the version each reached). */
  readonly ran: readonly number[];
  /** True when the database had no record and no tables: it starts at latest, no steps run. */
  readonly freshInstall: boolean;
  /** Tables a fresh install created from the models. */
  readonly created: readonly string[];
  /** A stage left by an interrupted step (MySQL), which this upgrade ran again. */
  readonly resumedStage: number | null;
}

function transactional(d: OpenDatabase): boolean {
  return d.dialect.capabilities.transactionalDdl;
}

/**
 * Run step `s` (version s−1 → s) through the dialect's transaction, with the version update
 * and its history row inside it where the dialect allows (foreign keys off around it on SQLite,
 * since the operations API may rebuild tables; checked before commit).
 */
async function runStep(d: OpenDatabase, n: RecordNames, v: Versioned, s: number, resumed = false): Promise<void> {
  const tx = transactional(d);
  const fn = v.step(s);
  const checksum = fileHash(fn.toString());
  const started = new Date();
  const fromFp = fingerprint(await d.introspect());
  const name = `upgrade_to_${s}`;
  await writeDeployed(d, n, { version: s - 1, stage: s }); // committed: visible while the step runs
  try {
    await d.dialect.run(d.conn, [{ kind: 'function', name, run: async () => { await fn(operations(d)); } }], {
      foreignKeysOff: true,
      beforeCommit: async () => {
        const toFp = fingerprint(await d.introspect());
        await writeDeployed(d, n, { version: s, stage: null });
        await addHistory(d, n, { kind: 'upgrade', name, fromVersion: s - 1, toVersion: s, fromFingerprint: fromFp, toFingerprint: toFp, checksum, started, finished: new Date(), outcome: 'ok' });
      },
    });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    await (async () => {
      if (tx) await writeDeployed(d, n, { version: s - 1, stage: null });
      await addHistory(d, n, { kind: 'upgrade', name, fromVersion: s - 1, toVersion: s, fromFingerprint: fromFp, toFingerprint: fingerprint(await d.introspect()), checksum, started, finished: new Date(), outcome: 'failed', error: msg });
    })().catch(() => undefined);
    throw stepFailed(d, n, s, resumed, e);
  }
}

/** The error of upgrade step `s` failing with `e`: what stays applied, and how to go on. */
function stepFailed(d: OpenDatabase, n: RecordNames, s: number, resumed: boolean, e: unknown): EvolveError {
  const tx = transactional(d);
  const msg = e instanceof Error ? e.message : String(e);
  const ran = tx
    ? `It was rolled back: the database is at version ${s - 1}, as it was.`
    : `${d.dialect.name} commits each DDL statement at once, so what the step did before failing stays applied; the deployed version stays ${s - 1} with stage ${s} recorded.`;
  // A stage left by a killed run: what that run did before it was killed may be why this one failed.
  const before = resumed ? ` An earlier run of step ${s} was interrupted part-way (stage ${s} was recorded)${tx ? '' : ', and what it did before then stayed applied'}.` : '';
  return new EvolveError(ErrorCode.StepFailed, `Upgrade step ${s} of '${n.app}' failed: ${msg.replace(/\.$/, '')}. ${ran}${before}`, {
    hint: tx ? 'Fix the step (or the data) and run upgrade again.' : 'Fix the step so it can run again over a partly applied change (ops.hasTable / ops.hasColumn), then run upgrade again: it resumes at this step.',
    cause: e, details: { app: n.app, step: s, resumed, ...(isEvolveError(e) ? { cause: e.code } : {}) },
  });
}

/**
 * Upgrade the deployment to `to` (default: latest) by running the missing numbered steps,
 * each once, in order (`evolve upgrade`, Dejavu's `upgrade()`). Idempotent.
 *
 * A fresh install (no record for the app and no tables) starts at latest: no step runs and the
 * models' tables are created.
 * @throws EvolveError `E_VERSION_AHEAD` when the deployed version is above the target;
 *   `E_UNVERSIONED` when the database holds tables but no record (use {@link baselineDeployment});
 *   `E_STEP_FAILED` when a step throws.
 */
export async function upgradeDeployment(options: DeployOptions & { to?: number }): Promise<UpgradeReport> {
  const v = await resolveSteps(options);
  const target = options.to ?? v.latest;
  if (!Number.isInteger(target) || target < 0 || target > v.latest) {
    throw new EvolveError(ErrorCode.Usage, `Cannot upgrade to version ${target}: the steps go from 0 to ${v.latest}.`, { hint: `Give a version between 0 and ${v.latest}, or none for the latest.` });
  }
  const models = await resolveModels(options.models);
  return withDatabase(options.db, false, scoped(options, v), async (d) => {
    if (models.length) assertInScope(desiredSchema(models, d.dialect), d.scope); // before the record is created
    const n = names(options, v);
    await ensureRecord(d, n);
    const dep = await readDeployed(d, n);
    const base = { app: n.app, database: d.url.display, to: target };
    if (!dep) {
      const live = userTables(await d.introspect());
      if (live.length > 0) throw unversioned(n.app, live.length);
      if (target < v.latest) {
        throw new EvolveError(ErrorCode.VersionAhead, `A fresh install starts at the latest version (${v.latest}), above the version asked for (${target}).`, { hint: 'Upgrade without a version, or baseline a lower version first (evolve baseline).' });
      }
      const started = new Date();
      const created = await createMissing(d, models);
      await writeDeployed(d, n, { version: v.latest, stage: null });
      await addHistory(d, n, { kind: 'install', name: 'fresh install', toVersion: v.latest, toFingerprint: fingerprint(await d.introspect()), started, finished: new Date(), outcome: 'ok' });
      return { ...base, from: null, ran: [], freshInstall: true, created, resumedStage: null };
    }
    if (dep.version > target) {
      throw new EvolveError(ErrorCode.VersionAhead, `The deployed version of '${n.app}' (${dep.version}) is greater than the version asked for (${target}); nothing was changed.`, {
        hint: 'Deploy the newer code (it has the steps this database already ran), or restore a backup; steps never run backwards.',
        details: { deployed: dep.version, target },
      });
    }
    const ran: number[] = [];
    for (let s = dep.version + 1; s <= target; s++) {
      await runStep(d, n, v, s, dep.stage === s);
      ran.push(s);
    }
    return { ...base, from: dep.version, ran, freshInstall: false, created: [], resumedStage: dep.stage };
  });
}

function unversioned(app: string, tables: number): EvolveError {
  return new EvolveError(ErrorCode.Unversioned,
    `This database has ${tables} table(s) but no deployment record for '${app}': its schema version cannot be determined.`, {
      hint: 'If it holds the latest schema, install the record with `evolve baseline LATEST`; if it was deployed before versioning was added, baseline the version it really has (e.g. `evolve baseline 0`) and then upgrade.',
      details: { app },
    });
}

/** Where a deployment stands (`evolve check`). */
export interface VersionReport {
  /** The application id (null: a project without numbered steps, checked by fingerprint alone). */
  readonly app: string | null;
  readonly database: string;
  /** `schema-differs`: at the latest version (or, without numbered steps, at all), but the live fingerprint is not the expected one. */
  readonly state: 'unversioned' | 'behind' | 'ahead' | 'schema-differs' | 'in-sync';
  readonly deployed: number | null;
  /** The steps' latest version (null without numbered steps). */
  readonly latest: number | null;
  readonly stage: number | null;
  readonly message: string;
  /** The live fingerprint, and the expected one: the models', else the latest known stored fingerprint. */
  readonly liveFingerprint: string;
  readonly expectedFingerprint: string | null;
}

/** The expected schema: the models' (keeping what a models module cannot state), or null. */
async function expectedSchema(d: OpenDatabase, models: DeployOptions['models'], live: SchemaIR): Promise<SchemaIR | null> {
  if (models === undefined) return null;
  if (typeof models !== 'string') {
    const desired = desiredSchema(models, d.dialect);
    assertInScope(desired, d.scope);
    return keepExternalReferences(adoptUnmodelled(desired, live).schema, live, d.scope).schema;
  }
  return (await desiredFor(d, await loadDesired(models), live)).schema;
}

/**
 * Read where the deployment stands against the steps' latest version, changing nothing.
 * With models, an up-to-date version must also have the models' fingerprint. A project
 * without numbered steps (no `versioned()`) is checked by fingerprint alone: the live one must
 * be the models' (or, without models, the latest known stored fingerprint).
 * @throws EvolveError `E_USAGE` when there is nothing to check against.
 */
export async function checkVersion(options: DeployOptions): Promise<VersionReport> {
  const v = await findApplication(options);
  const known = v ? [] : (await evolutionSet(options)).known;
  if (!v && options.models === undefined && known.length === 0) {
    throw new EvolveError(ErrorCode.Usage, 'Nothing to check against: no versioned() steps, no models and no known fingerprints.', { hint: 'Pass --models PATH (the models module, which may export `schema = versioned({ ... })`), --steps PATH, or --evolutions DIR.' });
  }
  return withDatabase(options.db, true, scoped(options, v), async (d) => {
    const live = await d.introspect();
    const desired = await expectedSchema(d, options.models, live);
    const liveFingerprint = fingerprint(live);
    const expectedFingerprint = desired ? fingerprint(desired) : known[known.length - 1] ?? null;
    const differs = expectedFingerprint !== null && expectedFingerprint !== liveFingerprint;
    const what = (): string => (desired ? d.dialect.diff(live, desired).changes.map(describeChange).join('; ') || 'attributes outside the diff' : 'run evolve status to see the drift');
    if (!v) {
      const base = { app: null, database: d.url.display, latest: null, deployed: null, stage: null, liveFingerprint, expectedFingerprint };
      if (differs) return { ...base, state: 'schema-differs', message: `The live schema (${liveFingerprint}) is not the ${desired ? "models'" : 'latest known'} (${expectedFingerprint}): ${what()}. Run evolve apply (or evolve sql to see the plan).` };
      return { ...base, state: 'in-sync', message: `The live schema is at the ${desired ? "models'" : 'latest known'} fingerprint (${liveFingerprint}).` };
    }
    const n = names(options, v);
    const dep = (await recordExists(d, n)) ? await readDeployed(d, n) : null;
    const base = { app: n.app, database: d.url.display, latest: v.latest, deployed: dep?.version ?? null, stage: dep?.stage ?? null, liveFingerprint, expectedFingerprint };
    const stage = dep?.stage != null ? ` A step to version ${dep.stage} is in progress or was interrupted.` : '';
    if (!dep) return { ...base, state: 'unversioned', message: `'${n.app}' uses a versioned schema, but this database has no deployment record: its version cannot be determined. Install it (evolve upgrade on an empty database) or set the version by hand (evolve baseline VERSION).` };
    if (dep.version > v.latest) return { ...base, state: 'ahead', message: `The deployed version of '${n.app}' (${dep.version}) is greater than this code's latest version (${v.latest}): the database was upgraded by newer code.${stage}` };
    if (dep.version < v.latest) return { ...base, state: 'behind', message: `The deployed version of '${n.app}' (${dep.version}) is less than the latest version (${v.latest}): run evolve upgrade before starting the application.${stage}` };
    if (desired && differs) {
      return { ...base, state: 'schema-differs', message: `'${n.app}' is at version ${dep.version}, the latest, but its schema (${liveFingerprint}) is not the models' (${expectedFingerprint}): ${what()}. Someone changed the schema by hand, or a step does not match the models.` };
    }
    return { ...base, state: 'in-sync', message: `'${n.app}' is at version ${dep.version}, the latest.${stage}` };
  });
}

/**
 * Throw unless the deployment is at the latest version (Dejavu's `assert_version`).
 * @throws EvolveError `E_UNVERSIONED`, `E_VERSION_BEHIND` or `E_VERSION_AHEAD`, with the report in `details`.
 */
export async function assertVersion(options: DeployOptions): Promise<VersionReport> {
  const r = await checkVersion(options);
  if (r.state === 'in-sync') return r;
  const code = r.state === 'unversioned' ? ErrorCode.Unversioned : r.state === 'behind' ? ErrorCode.VersionBehind : r.state === 'schema-differs' ? ErrorCode.FingerprintMismatch : ErrorCode.VersionAhead;
  const hint = r.state === 'unversioned' ? 'Run evolve upgrade (empty database) or evolve baseline VERSION.' : r.state === 'behind' ? 'Run evolve upgrade.'
    : r.state === 'schema-differs' ? 'Run evolve sql to see the changes; fix the steps or the models so they agree.' : 'Deploy the newer code, or restore a backup.';
  throw new EvolveError(code, r.message, { hint, details: { ...r } });
}

/**
 * Set the deployed version by hand (`evolve baseline VERSION`): for databases deployed before
 * versioning was added. Runs no step.
 */
export async function baselineDeployment(options: DeployOptions & { version: number }): Promise<{ app: string; database: string; from: number | null; version: number }> {
  const v = options.steps !== undefined || typeof options.models === 'string' ? await resolveSteps(options).catch((e) => { if (options.steps !== undefined) throw e; return null; }) : null;
  if (!Number.isInteger(options.version) || options.version < 0) throw new EvolveError(ErrorCode.Usage, `Baseline version must be a whole number ≥ 0, got ${options.version}.`, { hint: 'Write e.g. evolve baseline 3.' });
  if (v && options.version > v.latest) throw new EvolveError(ErrorCode.VersionAhead, `Cannot baseline version ${options.version}: this code's latest version is ${v.latest}.`, { hint: `Give a version between 0 and ${v.latest}.` });
  return withDatabase(options.db, false, scoped(options, v), async (d) => {
    const n = names(options, v);
    await ensureRecord(d, n);
    const before = await readDeployed(d, n);
    const started = new Date();
    await writeDeployed(d, n, { version: options.version, stage: null });
    const fp = fingerprint(await d.introspect());
    await addHistory(d, n, { kind: 'baseline', name: `baseline ${options.version}`, fromVersion: before?.version ?? null, toVersion: options.version, fromFingerprint: fp, toFingerprint: fp, started, finished: new Date(), outcome: 'ok' });
    return { app: n.app, database: d.url.display, from: before?.version ?? null, version: options.version };
  });
}
