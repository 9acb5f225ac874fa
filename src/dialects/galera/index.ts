/**
 * The Galera dialect: MariaDB Galera Cluster, a flavour of the mysql dialect. Its schemas are
 * MySQL schemas (the same fingerprint on a node as on a plain server); what differs is its
 * connection (a Galera node, TOI, causal reads), its cluster-wide deploy lock, its run (TOI, or
 * node by node with --rolling), its plans (no table without a primary key, InnoDB only) and the
 * check of every node after a change. See docs/clusters.md.
 */
import type { Dialect } from '../dialect.js';
import { mysqlDialect } from '../mysql/index.js';
import { connectGalera } from './connection.js';
import { acquireGaleraLock } from './lock.js';
import { planGalera } from './planner.js';
import { runGalera } from './run.js';
import { verifyGaleraNodes } from './verify.js';

/**
 * MariaDB Galera: `galera://user:password@host:3306/database`, or a `mysql://` URL of a node.
 *
 * @example
 * ```ts
 * await applyEvolution({ db: 'mysql://root@db1:3306/app', nodes: ['db2:3306', 'db3:3306'], models });
 * ```
 */
export const galeraDialect: Dialect = {
  ...mysqlDialect,
  connect: connectGalera,
  plan: planGalera,
  run: runGalera,
  acquireLock: acquireGaleraLock,
  afterApply: verifyGaleraNodes,
};
