/**
 * The PostgreSQL dialect: a PostgreSQL server (`postgres://…`, through `pg`) or PGlite
 * (`pglite:DIR`, in-process). Everything is scoped to one schema: `?schema=` in the URL or the
 * `schema` option, default `public`; the connection pins `search_path` to it. Extra schemas
 * (`?schemas=a,b`, the `schemas` option) are managed beside it, their names qualified.
 */
import type { Dialect } from '../dialect.js';
import { diffSchemas } from '../../diff/differ.js';
import { postgresCapabilities } from './capabilities.js';
import { checkPostgresModels } from './check-models.js';
import { postgresDiffHooks } from './diff-hooks.js';
import { acquirePostgresLock } from './lock.js';
import { postgresSchemaFromSql } from './scratch.js';
import { connectPostgres } from './connection.js';
import { postgresLossyPredicate } from './conversions.js';
import { introspectPostgres } from './introspect.js';
import { normalisePostgresModels } from './normalise.js';
import { planPostgres } from './planner.js';
import { postgresOnlineFacts, postgresOnlineState } from './online-facts.js';
import { outsideTransaction, runPostgres } from './run.js';
import { postgresSql } from './sql-builder.js';
import { expandPostgresTargets } from './targets.js';
import { postgresStatementLock } from './lock-levels.js';
import { postgresLintOnline } from './online-lint.js';

/**
 * PostgreSQL (server or PGlite). Tables are addressed unqualified: the connection's
 * `search_path` is exactly the target schema, so plans and recorded evolutions apply to a
 * schema of any name (use {@link qualifiedSql} for SQL that must name the schema).
 */
export const postgresDialect: Dialect = {
  name: 'postgres',
  capabilities: postgresCapabilities,
  sql: postgresSql,
  diffHooks: postgresDiffHooks,
  localScratch: 'pglite:memory',
  connect: connectPostgres,
  introspect: introspectPostgres,
  normalise: normalisePostgresModels,
  checkModels: checkPostgresModels,
  diff: (from, to, known) => diffSchemas(from, to, postgresDiffHooks, known),
  onlineFacts: postgresOnlineFacts,
  onlineState: postgresOnlineState,
  plan: planPostgres,
  lossyValuePredicate: postgresLossyPredicate,
  run: runPostgres,
  runsAlone: outsideTransaction,
  acquireLock: acquirePostgresLock,
  schemaFromSql: postgresSchemaFromSql,
  expandTargets: expandPostgresTargets,
  statementLock: postgresStatementLock,
  lintOnline: postgresLintOnline,
};

export type { PgConnection } from './connection.js';
export { isPgConnection, DEFAULT_SCHEMA } from './connection.js';
export { qualifiedSql } from './sql-builder.js';
export { canonicalExpression } from './normalise.js';
