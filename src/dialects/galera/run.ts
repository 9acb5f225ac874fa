/**
 * Galera's rules for a run. Normally the MySQL rules as they are, with every schema change in
 * TOI: the whole cluster applies each statement at the same point of its order (and blocks for
 * it). With `--rolling` (the node URLs given) the change is made node by node in RSU instead:
 * each other node first, desynchronised from the cluster while its statements run, then the node
 * the command is on, whose run ends with the usual checks; the nodes are verified after
 * (afterApply). Before any node changes, every node must be Synced and hold the same schema.
 * Function steps (data changes) run once, on the command's node: rows replicate.
 */
import type { Connection } from '../connection.js';
import type { RunOptions, RunStep } from '../dialect.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { runMysql } from '../mysql/run.js';
import { connectMysql } from '../mysql/connection.js';
import { isSqlStep } from '../shared/run-step.js';
import { fingerprint } from '../../ir/fingerprint.js';
import { mysqlDialect } from '../mysql/index.js';
import { SYNC_WAIT_ALL, type GaleraConnection } from './connection.js';
import { clusterNodes, nodeId, waitSynced } from './nodes.js';

/** The fingerprint of the whole database `conn` is on (every table: the nodes are compared, not the models). */
async function schemaFingerprint(conn: Connection): Promise<string> {
  return fingerprint(await mysqlDialect.introspect(conn));
}

function notReady(node: string, what: string, details: Record<string, unknown>): EvolveError {
  const message = `Node ${node} ${what}: a rolling change starts from nodes that are synced and alike; nothing was changed.`;
  return new EvolveError(ErrorCode.ClusterDiverged, message, {
    hint: 'Wait until the node has rejoined the cluster (Synced), or bring its schema in line with the others, then apply again.',
    details: { node, ...details },
  });
}

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
      hint: 'Pass --nodes URL,URL,… (or host:port,…) naming each node of the cluster.',
    });
  }
  const self = await nodeId(conn);
  const before = await schemaFingerprint(conn);
  const sql = steps.filter(isSqlStep);
  // Every other node is reached, Synced and at the schema the change starts from before any is changed.
  const others: Connection[] = [];
  try {
    for (const url of await clusterNodes(g)) {
      const c = await connectMysql(url, { readOnly: false });
      if (await nodeId(c) === self) { await c.close(); continue; }
      others.push(c);
      await c.execute(`SET SESSION wsrep_sync_wait = ${SYNC_WAIT_ALL}`);
      const state = await waitSynced(c, 30_000);
      if (state !== 'Synced') throw notReady(url.display, `is ${state}, not Synced`, { state });
      const at = await schemaFingerprint(c);
      if (at !== before) throw notReady(url.display, `is at ${at}, not at ${before} as ${g.url.display} is`, { fingerprint: at, expected: before });
    }
    const size = Number((await conn.query("SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'"))[0]?.Value ?? 0);
    if (others.length + 1 < size) {
      throw new EvolveError(ErrorCode.Usage, `--nodes names ${others.length + 1} of the cluster's ${size} nodes: a rolling change must change every node.`, {
        hint: 'Name every node of the cluster in --nodes (the one --db names may be left out).',
        details: { named: others.length + 1, clusterSize: size },
      });
    }
    for (const c of others) await runDesynced(c, sql, options.lockWait ? { lockWait: options.lockWait } : {});
  } finally {
    await Promise.all(others.map((c) => c.close()));
  }
  await runDesynced(conn, steps, options);
}
