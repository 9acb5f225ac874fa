/**
 * Galera's rules for a run. Normally the MySQL rules as they are, with every schema change in
 * TOI: the whole cluster applies each statement at the same point of its order (and blocks for
 * it). With `--rolling` (the node URLs given) the change is made node by node in RSU instead:
 * each other node first, desynchronised from the cluster while its statements run, then the node
 * the command is on, whose run ends with the usual checks; the nodes are verified after
 * (afterApply). Function steps (data changes) run once, on the command's node: rows replicate.
 */
import type { Connection } from '../connection.js';
import type { RunOptions, RunStep } from '../dialect.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { runMysql } from '../mysql/run.js';
import { connectMysql } from '../mysql/connection.js';
import { isSqlStep } from '../shared/run-step.js';
import type { GaleraConnection } from './connection.js';
import { clusterNodes, nodeId, waitSynced } from './nodes.js';

/** Run `steps` in RSU on `conn`'s node only, then back to TOI. */
async function runDesynced(conn: Connection, steps: readonly RunStep[], options: RunOptions): Promise<void> {
  await conn.execute("SET SESSION wsrep_OSU_method = 'RSU'");
  try {
    await runMysql(conn, steps, options);
  } finally {
    await conn.execute("SET SESSION wsrep_OSU_method = 'TOI'").catch(() => undefined);
  }
}

/** Run `steps` (see the module comment and {@link Dialect.run}). */
export async function runGalera(conn: Connection, steps: readonly RunStep[], options: RunOptions = {}): Promise<void> {
  const g = conn as GaleraConnection;
  if (!g.cluster.rolling || !steps.some(isSqlStep)) return runMysql(conn, steps, options);
  if (!g.cluster.nodes?.length) {
    throw new EvolveError(ErrorCode.Usage, 'A rolling change (--rolling) needs the URL of every node of the cluster.', {
      hint: 'Pass --nodes URL,URL,… (or host:port,…) naming each node, the one --db names included.',
    });
  }
  const self = await nodeId(conn);
  const sql = steps.filter(isSqlStep);
  for (const url of await clusterNodes(g)) {
    const c = await connectMysql(url, { readOnly: false });
    try {
      if (await nodeId(c) === self) continue;
      const state = await waitSynced(c);
      if (state !== 'Synced') {
        throw new EvolveError(ErrorCode.ClusterDiverged, `Node ${url.display} is ${state}, not Synced: a rolling change goes one synced node at a time.`, {
          hint: 'Wait until the node has rejoined the cluster, then apply again: nodes already changed are left as they are.',
          details: { node: url.display, state },
        });
      }
      await runDesynced(c, sql, options.lockWait ? { lockWait: options.lockWait } : {});
    } finally {
      await c.close();
    }
  }
  await runDesynced(conn, steps, options);
}
