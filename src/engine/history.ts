/** Reading the deployment record from outside (tests, status pages, scripts). */
import { withDatabase, type DatabaseOptions } from '../database/database.js';
import { readDeployed, readHistory, recordExists, recordNames, type Deployed, type DeploymentOptions, type HistoryRow } from '../deploy/record.js';

/** The deployed state and history of one application (`deployed` null when it has no record). */
export async function deploymentHistory(
  options: { db: string } & DatabaseOptions & DeploymentOptions,
): Promise<{ deployed: Deployed | null; history: HistoryRow[] }> {
  return withDatabase(options.db, true, options, async (d) => {
    const n = recordNames(options);
    if (!(await recordExists(d, n))) return { deployed: null, history: [] };
    return { deployed: await readDeployed(d, n), history: await readHistory(d, n) };
  });
}
