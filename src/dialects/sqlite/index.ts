/** The SQLite dialect: `sqlite:PATH` (or a bare `*.db` / `*.sqlite` path), through better-sqlite3. */
import { sqliteStatementLock } from './lock-levels.js';
import type { Dialect } from '../dialect.js';
import { diffSchemas } from '../../diff/differ.js';
import { sqliteCapabilities } from './capabilities.js';
import { connectSqlite } from './connection.js';
import { sqliteLossyPredicate } from './conversions.js';
import { sqliteDiffHooks } from './diff-hooks.js';
import { introspectSqlite } from './introspect.js';
import { sqliteCatalogKey } from './catalog-key.js';
import { acquireSqliteLock } from './lock.js';
import { normaliseSqlite } from './normalise.js';
import { planSqlite } from './planner.js';
import { runSqlite } from './run.js';
import { sqliteSchemaFromSql } from './scratch.js';
import { sqliteSql } from './sql-builder.js';
import { checkForeignKeys } from '../../model/foreign-keys.js';
import { expandSqliteTargets } from './targets.js';

/** SQLite 3 (a database file, or `:memory:`). */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  capabilities: sqliteCapabilities,
  sql: sqliteSql,
  diffHooks: sqliteDiffHooks,
  localScratch: 'sqlite::memory:',
  connect: connectSqlite,
  introspect: (conn) => introspectSqlite(conn),
  catalogKey: (conn) => sqliteCatalogKey(conn),
  normalise: normaliseSqlite,
  checkModels: () => undefined,
  diff: (from, to, known) => diffSchemas(from, to, sqliteDiffHooks, known),
  plan: planSqlite,
  lossyValuePredicate: sqliteLossyPredicate,
  run: runSqlite,
  acquireLock: acquireSqliteLock,
  expandTargets: expandSqliteTargets,
  schemaFromSql: async (near, text, file) => {
    const schema = await sqliteSchemaFromSql(near, text, file);
    // SQLite takes a key to a column set that is not unique, and then fails every insert into
    // either table ("foreign key mismatch"): refused here, as for models.
    checkForeignKeys(schema.tables, { where: ` in SQL file '${file}'`, types: false, foldCase: true });
    return schema;
  },
  statementLock: sqliteStatementLock,
};
