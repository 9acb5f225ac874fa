/** The nodes of a Galera cluster: as given (`--nodes`) or as the cluster reports them, and whether one is the node at hand. */
import type { Connection } from '../connection.js';
import type { DatabaseUrl } from '../url.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { parseMysqlUrl } from '../mysql/url.js';
import { parseGaleraUrl, nodeUrl } from './url.js';
import type { GaleraConnection } from './connection.js';

/** A node URL given with `--nodes`: a `mysql://` or `galera://` URL, or `host:port` (the database's URL on that node). */
function givenNode(url: DatabaseUrl, raw: string): DatabaseUrl {
  if (!raw.includes('://')) return nodeUrl(url, raw);
  const parsed = parseGaleraUrl(raw) ?? parseMysqlUrl(raw);
  if (!parsed) {
    throw new EvolveError(ErrorCode.Usage, `--nodes: '${raw}' is not a node of a Galera cluster.`, {
      hint: 'Name each node as host:port or as a mysql:// URL of the same database on that node.',
    });
  }
  return parsed;
}

/** The nodes to check or change: `--nodes`, else `wsrep_incoming_addresses` (each with this URL's user and database). */
export async function clusterNodes(conn: GaleraConnection): Promise<DatabaseUrl[]> {
  if (conn.cluster.nodes?.length) return conn.cluster.nodes.map((n) => givenNode(conn.url, n));
  const rows = await conn.query("SHOW GLOBAL STATUS LIKE 'wsrep_incoming_addresses'");
  const addresses = String(rows[0]?.Value ?? '').split(',').map((a) => a.trim()).filter((a) => /:\d+$/.test(a) && !a.startsWith('0.0.0.0'));
  return addresses.map((a) => nodeUrl(conn.url, a));
}

/** The node's identity in the cluster (`wsrep_gcomm_uuid`). */
export async function nodeId(conn: Connection): Promise<string> {
  return String((await conn.query("SHOW GLOBAL STATUS LIKE 'wsrep_gcomm_uuid'"))[0]?.Value ?? '');
}

/** Wait (up to `timeoutMs`) until the node is `Synced` with the cluster; its state otherwise. */
export async function waitSynced(conn: Connection, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = String((await conn.query("SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'"))[0]?.Value ?? '');
    if (state === 'Synced' || Date.now() > deadline) return state;
    await new Promise((r) => setTimeout(r, 200));
  }
}
