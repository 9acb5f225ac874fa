/** `evolve baseline`: set the deployed version by hand, for a database that ran without a record. */
import { fingerprint } from '../ir/fingerprint.js';
import { withDatabase } from '../database/database.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { addHistory, ensureRecord, readDeployed, writeDeployed } from '../deploy/record.js';
import { resolveSteps, recordNamesOf, scoped } from './deploy-context.js';
import type { DeployOptions } from './deploy-context.js';

/**
 * Set the deployed version by hand (`evolve baseline VERSION`): for databases deployed before
 * versioning was added. Runs no step.
 */
export async function baselineDeployment(
  options: DeployOptions & { version: number },
): Promise<{ app: string; database: string; from: number | null; version: number }> {
  const v = options.steps !== undefined || typeof options.models === 'string'
    ? await resolveSteps(options).catch((e) => { if (options.steps !== undefined) throw e; return null; })
    : null;
  if (!Number.isInteger(options.version) || options.version < 0) {
    throw new EvolveError(ErrorCode.Usage, `Baseline version must be a whole number ≥ 0, got ${options.version}.`, { hint: 'Write e.g. evolve baseline 3.' });
  }
  if (v && options.version > v.latest) {
    throw new EvolveError(ErrorCode.VersionAhead, `Cannot baseline version ${options.version}: this code's latest version is ${v.latest}.`, {
      hint: `Give a version between 0 and ${v.latest}.`,
    });
  }
  return withDatabase(options.db, false, scoped(options, v), async (d) => {
    const n = recordNamesOf(options, v);
    await ensureRecord(d, n);
    const before = await readDeployed(d, n);
    const started = new Date();
    await writeDeployed(d, n, { version: options.version, stage: null });
    const fp = fingerprint(await d.introspect());
    await addHistory(d, n, {
      kind: 'baseline', name: `baseline ${options.version}`, fromVersion: before?.version ?? null, toVersion: options.version,
      fromFingerprint: fp, toFingerprint: fp, started, finished: new Date(), outcome: 'ok',
    });
    return { app: n.app, database: d.url.display, from: before?.version ?? null, version: options.version };
  });
}
