/** `evolve upgrade [N]` (Dejavu's upgrade()): run the missing numbered steps, each once, in order, each in the dialect's transaction. */
import { fingerprint } from '../ir/fingerprint.js';
import { fileHash } from '../evolutions/checksum.js';
import { withDatabase, type OpenDatabase } from '../database/database.js';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import { addHistory, ensureRecord, readDeployed, writeDeployed, type RecordNames } from '../deploy/record.js';
import type { Versioned } from '../deploy/versioned.js';
import { operations } from '../database/operations.js';
import { userTables, resolveSteps, deployModels, deploySchema, recordNamesOf, scoped, createMissing, unversioned } from './deploy-context.js';
import type { DeployOptions } from './deploy-context.js';
import { baselineDeployment } from './baseline.js';

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
      lockWait: d.lockWait,
      foreignKeysOff: true,
      beforeCommit: async () => {
        const toFp = fingerprint(await d.introspect());
        await writeDeployed(d, n, { version: s, stage: null });
        await addHistory(d, n, {
          kind: 'upgrade', name, fromVersion: s - 1, toVersion: s, fromFingerprint: fromFp, toFingerprint: toFp, checksum, started, finished: new Date(),
          outcome: 'ok',
        });
      },
    });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    await (async () => {
      if (tx) await writeDeployed(d, n, { version: s - 1, stage: null });
      await addHistory(d, n, {
        kind: 'upgrade', name, fromVersion: s - 1, toVersion: s, fromFingerprint: fromFp, toFingerprint: fingerprint(await d.introspect()), checksum, started,
        finished: new Date(), outcome: 'failed', error: msg,
      });
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
    : `${d.dialect.name} commits each DDL statement at once, so what the step did before failing stays applied; ` +
      `the deployed version stays ${s - 1} with stage ${s} recorded.`;
  // A stage left by a killed run: what that run did before it was killed may be why this one failed.
  const before = resumed
    ? ` An earlier run of step ${s} was interrupted part-way (stage ${s} was recorded)${tx ? '' : ', and what it did before then stayed applied'}.`
    : '';
  return new EvolveError(ErrorCode.StepFailed, `Upgrade step ${s} of '${n.app}' failed: ${msg.replace(/\.$/, '')}. ${ran}${before}`, {
    hint: tx
      ? 'Fix the step (or the data) and run upgrade again.'
      : 'Fix the step so it can run again over a partly applied change (ops.hasTable / ops.hasColumn), then run upgrade again: it resumes at this step.',
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
    throw new EvolveError(ErrorCode.Usage, `Cannot upgrade to version ${target}: the steps go from 0 to ${v.latest}.`, {
      hint: `Give a version between 0 and ${v.latest}, or none for the latest.`,
    });
  }
  const models = await deployModels(options.models);
  return withDatabase(options.db, false, scoped(options, v), async (d) => {
    const desired = await deploySchema(d, models); // checked against the scope before the record is created
    const n = recordNamesOf(options, v);
    await ensureRecord(d, n);
    const dep = await readDeployed(d, n);
    const base = { app: n.app, database: d.url.display, to: target };
    if (!dep) {
      const live = userTables(await d.introspect());
      if (live.length > 0) throw unversioned(n.app, live.length);
      if (target < v.latest) {
        throw new EvolveError(ErrorCode.VersionAhead, `A fresh install starts at the latest version (${v.latest}), above the version asked for (${target}).`, {
          hint: 'Upgrade without a version, or baseline a lower version first (evolve baseline).',
        });
      }
      const started = new Date();
      const created = await createMissing(d, desired);
      await writeDeployed(d, n, { version: v.latest, stage: null });
      await addHistory(d, n, {
        kind: 'install', name: 'fresh install', toVersion: v.latest, toFingerprint: fingerprint(await d.introspect()), started, finished: new Date(),
        outcome: 'ok',
      });
      return { ...base, from: null, ran: [], freshInstall: true, created, resumedStage: null };
    }
    if (dep.version > target) {
      throw new EvolveError(ErrorCode.VersionAhead,
        `The deployed version of '${n.app}' (${dep.version}) is greater than the version asked for (${target}); nothing was changed.`, {
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
