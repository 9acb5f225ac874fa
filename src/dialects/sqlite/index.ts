/** The SQLite dialect. */
import type { Dialect } from '../dialect.js';
import { sqliteCapabilities } from './capabilities.js';
import { connectSqlite } from './connection.js';
import { sqliteLossyPredicate } from './conversions.js';
import { introspectSqlite } from './introspect.js';
import { normaliseSqlite } from './normalise.js';
import { planSqlite } from './planner.js';
import { runSqlite } from './run.js';
import { sqliteSql } from './sql-builder.js';

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  capabilities: sqliteCapabilities,
  sql: sqliteSql,
  connect: connectSqlite,
  introspect: (conn) => introspectSqlite(conn),
  normalise: normaliseSqlite,
  plan: planSqlite,
  lossyValuePredicate: sqliteLossyPredicate,
  run: runSqlite,
};
