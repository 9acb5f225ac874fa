/** `evolve install` (Dejavu's assert_storage): create every model's table the database lacks; existing tables are never touched. */
import { fingerprint } from '../ir/fingerprint.js';
import { withDatabase } from '../database/database.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { addHistory, ensureRecord } from '../deploy/record.js';
import { findApplication } from '../deploy/steps-module.js';
import { deployModels, deploySchema, recordNamesOf, scoped, createMissing } from './deploy-context.js';
import type { DeployOptions } from './deploy-context.js';
import { upgradeDeployment } from './upgrade.js';

/** What `evolve install` reports. */
export interface InstallReport { readonly database: string; readonly created: readonly string[] }

/**
 * Create storage for every model that has none (`evolve install`, Dejavu's `assert_storage`).
 * Call it after {@link upgradeDeployment}; it never changes an existing table.
 */
export async function installStorage(options: DeployOptions): Promise<InstallReport> {
  const models = await deployModels(options.models);
  if (!models) {
    throw new EvolveError(ErrorCode.Usage, 'No models given to install.', {
      hint: 'Pass --models PATH to the module exporting your table() models, or to a .sql file of CREATE statements.',
    });
  }
  const v = await findApplication(options);
  return withDatabase(options.db, false, scoped(options, v), async (d) => {
    const started = new Date();
    const before = fingerprint(await d.introspect());
    const created = await createMissing(d, await deploySchema(d, models));
    if (created.length) {
      const n = recordNamesOf(options, v); // the application's own history rows
      await ensureRecord(d, n);
      await addHistory(d, n, {
        kind: 'install', name: `install ${created.join(', ')}`.slice(0, 300), fromFingerprint: before, toFingerprint: fingerprint(await d.introspect()),
        started, finished: new Date(), outcome: 'ok',
      });
    }
    return { database: d.url.display, created };
  });
}
