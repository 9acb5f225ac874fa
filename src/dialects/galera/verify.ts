/**
 * After a change on a Galera cluster: wait until the node is synced, then check every node the
 * command can reach (`--nodes`, else the addresses the cluster reports) for the fingerprint of
 * the node the change ran on. Each node's reads wait until it has applied what the cluster
 * committed before them (`wsrep_sync_wait`), so a node that is merely behind is not a
 * difference. A node that cannot be reached is reported, not failed: a cluster without it
 * still holds one schema, and the node receives it when it rejoins.
 */
import type { Connection } from '../connection.js';
import type { AfterApplyContext, NodeCheck } from '../dialect.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { redact } from '../url.js';
import { connectMysql } from '../mysql/connection.js';
import { SYNC_WAIT_ALL, type GaleraConnection } from './connection.js';
import { clusterNodes, nodeId, waitSynced } from './nodes.js';

/** Check every reachable node (see the module comment). @throws EvolveError `E_CLUSTER_DIVERGED`. */
export async function verifyGaleraNodes(conn: Connection, context: AfterApplyContext): Promise<NodeCheck[]> {
  const g = conn as GaleraConnection;
  await waitSynced(conn);
  const expected = await context.fingerprintOf(conn);
  const self = await nodeId(conn);
  const checks: NodeCheck[] = [{ node: g.url.display, fingerprint: expected }];
  for (const url of await clusterNodes(g)) {
    let c: Connection;
    try {
      c = await connectMysql(url, { readOnly: true, connectTimeoutSeconds: 5 });
    } catch (e) {
      checks.push({ node: url.display, fingerprint: null, error: redact((e as Error).message) });
      continue;
    }
    try {
      if (await nodeId(c) === self) continue;
      await c.execute(`SET SESSION wsrep_sync_wait = ${SYNC_WAIT_ALL}`);
      const state = await waitSynced(c, 30_000);
      checks.push({ node: url.display, fingerprint: await context.fingerprintOf(c), ...(state === 'Synced' ? {} : { error: `node is ${state}` }) });
    } catch (e) {
      checks.push({ node: url.display, fingerprint: null, error: redact((e as Error).message) });
    } finally {
      await c.close();
    }
  }
  const differ = checks.filter((c) => c.fingerprint !== null && c.fingerprint !== expected);
  if (differ.length) {
    throw new EvolveError(ErrorCode.ClusterDiverged,
      `After the change, ${differ.length} node(s) of the cluster hold another schema than ${g.url.display} (${expected}): ` +
      `${differ.map((d) => `${d.node} is at ${d.fingerprint}`).join('; ')}.`, {
        hint: 'A change reached only some nodes (made in RSU, or on a node outside the cluster): run `evolve status` against each node, ' +
          'bring the odd ones in line (evolve apply --db NODE_URL with wsrep_OSU_method=RSU on that node), then apply again.',
        details: { expected, nodes: checks },
      });
  }
  return checks;
}
