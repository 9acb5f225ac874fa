/**
 * Connections to a Galera node: a MySQL/MariaDB connection (mysql/connection.ts) that checks
 * the server is a Galera node, refuses to change a node whose schema changes would reach only
 * itself (RSU) unless a rolling change was asked for, runs schema changes in TOI (every node
 * applies them at the same point of the replication order), and waits before each read until
 * the node has applied everything the cluster committed before it (`wsrep_sync_wait`), so a
 * deployer on any node reads what the last one left.
 */
import type { ClusterOptions, ConnectOptions } from '../dialect.js';
import type { DatabaseUrl } from '../url.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { connectMysql, type MysqlConnection } from '../mysql/connection.js';
import { isGaleraNode } from './registration.js';

/** `wsrep_sync_wait` bits: reads (1), UPDATE/DELETE (2), INSERT/REPLACE (4), SHOW (8). */
export const SYNC_WAIT_ALL = 15;

/** An open connection to a Galera node. */
export interface GaleraConnection extends MysqlConnection {
  /** The URL it was opened with. */
  readonly url: DatabaseUrl;
  readonly cluster: ClusterOptions;
}

/** The error for a node whose schema changes would not replicate (`method`: its wsrep_OSU_method). */
export function rsuRefused(display: string, method: string): EvolveError {
  return new EvolveError(ErrorCode.ClusterRsu,
    `${display} runs schema changes with wsrep_OSU_method=${method}: a change would reach only that node and the cluster's nodes ` +
    'would hold different schemas; nothing was changed.', {
      hint: "Set wsrep_OSU_method back to TOI (SET GLOBAL wsrep_OSU_method = 'TOI'), or change the nodes one by one on purpose " +
        'with --rolling --nodes URL,URL,… naming every node.',
      details: { method },
    });
}

/**
 * Open a connection to the Galera node `url` names (see the module comment).
 * @throws EvolveError `E_DB_CONNECT` when the server is not a Galera node; `E_CLUSTER_RSU` for a
 *   writable connection to a node in RSU without `cluster.rolling`.
 */
export async function connectGalera(url: DatabaseUrl, options: ConnectOptions): Promise<GaleraConnection> {
  const conn = await connectMysql(url, options);
  try {
    if (!(await isGaleraNode(conn))) {
      throw new EvolveError(ErrorCode.DbConnect, `${url.display} is not a Galera node (wsrep_on is not ON).`, {
        hint: 'Use a mysql:// URL for a server outside a cluster (a Galera node behind mysql:// is recognised by itself).',
      });
    }
    if (!options.readOnly) {
      const method = String((await conn.query('SELECT @@SESSION.wsrep_OSU_method AS m'))[0]?.m ?? '');
      if (method.toUpperCase() !== 'TOI' && options.cluster?.rolling !== true) throw rsuRefused(url.display, method);
      await conn.execute("SET SESSION wsrep_OSU_method = 'TOI'");
    }
    await conn.execute(`SET SESSION wsrep_sync_wait = ${SYNC_WAIT_ALL}`);
    return { ...conn, url, cluster: options.cluster ?? {} };
  } catch (e) {
    await conn.close();
    throw e;
  }
}
