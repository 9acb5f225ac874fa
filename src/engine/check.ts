/** `evolve check` (Dejavu's assert_version): fail clearly when the database is unversioned, behind or ahead. */
import type { SchemaIR } from '../ir/schema.js';
import { fingerprint } from '../ir/fingerprint.js';
import { describeChange } from '../diff/changes.js';
import { withDatabase, type OpenDatabase } from '../database/database.js';
import { adoptUnmodelled, loadDesired } from '../database/sources.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { readDeployed, recordExists } from '../deploy/record.js';
import { findApplication } from '../deploy/steps-module.js';
import { assertInScope, keepExternalReferences } from '../database/scope.js';
import { recordNamesOf, scoped, unversioned } from './deploy-context.js';
import type { DeployOptions } from './deploy-context.js';
import { desiredFor } from './build-plan.js';
import { desiredSchema } from './fingerprint.js';
import { evolutionSet } from './evolution-set.js';

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
    throw new EvolveError(ErrorCode.Usage, 'Nothing to check against: no versioned() steps, no models and no known fingerprints.', {
      hint: 'Pass --models PATH (the models module, which may export `schema = versioned({ ... })`), --steps PATH, or --evolutions DIR.',
    });
  }
  return withDatabase(options.db, true, scoped(options, v), async (d) => {
    const live = await d.introspect();
    const desired = await expectedSchema(d, options.models, live);
    const liveFingerprint = fingerprint(live);
    const expectedFingerprint = desired ? fingerprint(desired) : known[known.length - 1] ?? null;
    const differs = expectedFingerprint !== null && expectedFingerprint !== liveFingerprint;
    const what = (): string => (desired
      ? d.dialect.diff(live, desired).changes.map(describeChange).join('; ') || 'attributes outside the diff'
      : 'run evolve status to see the drift');
    if (!v) {
      const base = { app: null, database: d.url.display, latest: null, deployed: null, stage: null, liveFingerprint, expectedFingerprint };
      if (differs) {
        return { ...base, state: 'schema-differs', message: `The live schema (${liveFingerprint}) is not the ${desired ? "models'" : 'latest known'} ` +
          `(${expectedFingerprint}): ${what()}. Run evolve apply (or evolve sql to see the plan).` };
      }
      return { ...base, state: 'in-sync', message: `The live schema is at the ${desired ? "models'" : 'latest known'} fingerprint (${liveFingerprint}).` };
    }
    const n = recordNamesOf(options, v);
    const dep = (await recordExists(d, n)) ? await readDeployed(d, n) : null;
    const base = {
      app: n.app, database: d.url.display, latest: v.latest, deployed: dep?.version ?? null, stage: dep?.stage ?? null, liveFingerprint, expectedFingerprint,
    };
    const stage = dep?.stage != null ? ` A step to version ${dep.stage} is in progress or was interrupted.` : '';
    if (!dep) {
      return { ...base, state: 'unversioned', message: `'${n.app}' uses a versioned schema, but this database has no deployment record: ` +
        'its version cannot be determined. Install it (evolve upgrade on an empty database) or set the version by hand (evolve baseline VERSION).' };
    }
    if (dep.version > v.latest) {
      return { ...base, state: 'ahead', message: `The deployed version of '${n.app}' (${dep.version}) is greater than this code's latest version ` +
        `(${v.latest}): the database was upgraded by newer code.${stage}` };
    }
    if (dep.version < v.latest) {
      return { ...base, state: 'behind', message: `The deployed version of '${n.app}' (${dep.version}) is less than the latest version (${v.latest}): ` +
        `run evolve upgrade before starting the application.${stage}` };
    }
    if (desired && differs) {
      return { ...base, state: 'schema-differs', message: `'${n.app}' is at version ${dep.version}, the latest, but its schema (${liveFingerprint}) ` +
        `is not the models' (${expectedFingerprint}): ${what()}. Someone changed the schema by hand, or a step does not match the models.` };
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
  const code = r.state === 'unversioned' ? ErrorCode.Unversioned : r.state === 'behind' ? ErrorCode.VersionBehind
    : r.state === 'schema-differs' ? ErrorCode.FingerprintMismatch : ErrorCode.VersionAhead;
  const hint = r.state === 'unversioned' ? 'Run evolve upgrade (empty database) or evolve baseline VERSION.' : r.state === 'behind' ? 'Run evolve upgrade.'
    : r.state === 'schema-differs' ? 'Run evolve sql to see the changes; fix the steps or the models so they agree.'
    : 'Deploy the newer code, or restore a backup.';
  throw new EvolveError(code, r.message, { hint, details: { ...r } });
}
