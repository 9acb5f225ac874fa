/** The MySQL/MariaDB dialect. */
import type { Dialect } from '../dialect.js';
import { diffSchemas } from '../../diff/differ.js';
import { mysqlCapabilities } from './capabilities.js';
import { checkMysqlModels, checkMysqlTableNames } from './check-models.js';
import { mysqlDiffHooks } from './diff-hooks.js';
import { acquireMysqlLock } from './lock.js';
import { mysqlSchemaFromSql } from './scratch.js';
import { connectMysql } from './connection.js';
import { mysqlLossyPredicate } from './conversions.js';
import { introspectMysql } from './introspect.js';
import { normaliseMysql } from './normalise.js';
import { planMysql } from './planner.js';
import { runMysql } from './run.js';
import { mysqlSql } from './sql-builder.js';
import { expandMysqlTargets } from './targets.js';
import { mysqlStatementLock } from './lock-levels.js';
import { mysqlLintOnline } from './online-lint.js';
import { mysqlOnlineFacts } from './online-facts.js';

/**
 * MySQL 8 and MariaDB (10.5+): `mysql://user:password@host:3306/database`.
 *
 * @example
 * ```ts
 * const report = await applyEvolution({ db: 'mysql://root@127.0.0.1/app', models: [user, post] });
 * ```
 */
export const mysqlDialect: Dialect = {
  name: 'mysql',
  capabilities: mysqlCapabilities,
  sql: mysqlSql,
  diffHooks: mysqlDiffHooks,
  localScratch: null,
  // A database is created only when the command asks for it (--create-database).
  connect: connectMysql,
  introspect: (conn) => introspectMysql(conn),
  normalise: normaliseMysql,
  checkModels: checkMysqlModels,
  diff: (from, to, known) => {
    checkMysqlTableNames(from, to);
    return diffSchemas(from, to, mysqlDiffHooks, known);
  },
  onlineFacts: mysqlOnlineFacts,
  plan: planMysql,
  lossyValuePredicate: mysqlLossyPredicate,
  run: runMysql,
  acquireLock: acquireMysqlLock,
  schemaFromSql: mysqlSchemaFromSql,
  expandTargets: expandMysqlTargets,
  statementLock: mysqlStatementLock,
  lintOnline: mysqlLintOnline,
};
