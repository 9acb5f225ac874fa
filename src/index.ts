/**
 * Evolve: schema evolution for TypeScript applications.
 *
 * Models (`table`, column types, `index`, `sql`), and everything the CLI does as library calls.
 * @packageDocumentation
 */
export { table, index, uniqueIndex, check, isTable } from './model/table.js';
export type { Table, TableOptions, IndexBuilder, IndexOptions, IndexPart, ForeignKeyDefinition, CheckDefinition } from './model/table.js';
export {
  integer, bigint, real, decimal, text, varchar, boolean, date, timestamp, json, bytes, uuid,
  column, rawType, ColumnBuilder,
} from './model/column.js';
export type { ColumnRef, ReferenceOptions, JsonValue, NewColumn, AnyColumnBuilder } from './model/column.js';
export {
  jsonb, inet, cidr, citext, tsvector, interval, smallint, time, char, array, tinyint, mediumint, unsignedInt, mediumtext, longtext,
  datetime, mysqlEnum, mysqlSet,
} from './model/dialect-types.js';
export type { MysqlIntegerOptions } from './model/dialect-types.js';
export { view, materializedView, trigger, sqlFunction, sequence, enumType, domain, sqlAggregate, extension, compositeType, exclusion, isModelObject,
} from './model/objects.js';
export type { ModelObject, ViewOptions, MaterializedViewOptions, CommentOption, SequenceOptions, EnumType, Domain, DomainOptions, CompositeType,
} from './model/objects.js';
export { sql } from './model/sql-expression.js';
export type { SqlExpression } from './model/sql-expression.js';
export { compileModels, type CompileRules } from './model/compile.js';
export { manyToMany } from './model/many-to-many.js';
export type { ManyToManyOptions } from './model/many-to-many.js';
export { loadModels } from './model/load.js';
export { drizzleModels, isDrizzleModels } from './model/drizzle/detect.js';
export type { DrizzleModels, DrizzleModelsOptions } from './model/drizzle/detect.js';

export type * from './ir/schema.js';
export { fingerprint, fingerprintPair, fingerprintText, FINGERPRINT_PREFIX, type FingerprintPair } from './ir/fingerprint.js';
export { canonicalSchema } from './ir/canonical.js';
export { diffSchemas } from './diff/differ.js';
export type { Diff, DiffKnown, Rename } from './diff/differ.js';
export type { Change, ChangeKind, ColumnChangeFlags } from './diff/changes.js';
export { describeChange } from './diff/changes.js';
export type { Plan, PlanOptions, PlanStatement, Hazard, DataCheck } from './plan/plan.js';
export { HazardCode } from './plan/plan.js';

export { parseDatabaseUrl, redact } from './dialects/url.js';
export type { DatabaseUrl } from './dialects/url.js';
export type {
  Dialect, DialectCapabilities, SqlBuilder, ConnectOptions, IntrospectOptions, RunStep, RunOptions, LockOptions, ReleaseLock,
  ClusterOptions, NodeCheck, AfterApplyContext,
} from './dialects/dialect.js';
export type { DiffHooks } from './diff/hooks.js';
export type { Connection } from './dialects/connection.js';
export { loadDialect, registerDialect, dialectNames } from './dialects/registry.js';
export type { DialectRegistration } from './dialects/registry.js';

export { openDatabase, withDatabase } from './database/database.js';
export type { OpenDatabase, DatabaseOptions } from './database/database.js';
export { tableScope, scopeSchema } from './database/scope.js';
export type { TableScope, TableFilter } from './database/scope.js';
export type { ModelsInput } from './database/sources.js';
export { schemaFromSql, akaFromSql } from './database/sources.js';
export type { Operations } from './database/operations.js';

export { fingerprintDatabase, modelsFingerprint, inspect, desiredSchema } from './engine/fingerprint.js';
export { planEvolution } from './engine/plan.js';
export { applyEvolution } from './engine/apply.js';
export { recordEvolution } from './engine/record.js';
export type { RecordReport } from './engine/record.js';
export { revertEvolutions } from './engine/revert.js';
export type { RevertOptions } from './engine/revert.js';
export { hashEvolutions } from './engine/hash.js';
export { statusOf } from './engine/status.js';
export { applyFleet, expandFleet } from './engine/fleet.js';
export type { FleetApplyOptions, FleetApplyReport, FleetTargetResult, FleetOutcome, FleetSummary, FleetExpandOptions } from './engine/fleet.js';
export { fleetStatus } from './engine/fleet-status.js';
export type { FleetStatusReport, FleetStatusTarget, FleetGroup } from './engine/fleet-status.js';
export type { StatusReport } from './engine/status.js';
export { lintEvolution } from './engine/lint.js';
export type { LintReport } from './engine/lint.js';
export { evolutionsDir, evolutionSet } from './engine/evolution-set.js';
export { completeEvolution } from './engine/complete.js';
export { defineConfig, env, type EvolveConfig } from './engine/config.js';
export type { CompleteOptions, CompleteReport } from './engine/complete.js';
export type { EvolveOptions, PlanReport, ApplyReport, StoredStep } from './engine/reports.js';
export { describeHazard } from './plan/describe.js';
export { diffSources } from './engine/diff-sources.js';
export type { SourcesDiff, DiffSourcesOptions } from './engine/diff-sources.js';

export { pullModels, pullSchema } from './pull/pull.js';
export type { EmitOptions } from './pull/emit-module.js';
export type { PullResult, PullLayout } from './pull/pull.js';
export type { EmittedFile } from './pull/emit-module.js';

export { evolution } from './evolutions/format.js';
export type { EvolutionDefinition, StepContext, StepFunction, Evolution, Step } from './evolutions/format.js';
export { loadEvolutions, isPlaceholder } from './evolutions/load.js';
export type { EvolutionSet, LoadOptions } from './evolutions/load.js';
export { splitSql } from './dialects/shared/sql-split.js';

export { EvolveError, ErrorCode, isEvolveError } from './errors.js';
export type { ErrorCodeValue } from './errors.js';

export { versioned, isVersioned } from './deploy/versioned.js';
export type { Versioned, VersionedDefinition, UpgradeStep } from './deploy/versioned.js';
export { loadSteps } from './deploy/steps-module.js';
export { upgradeDeployment } from './engine/upgrade.js';
export type { UpgradeReport } from './engine/upgrade.js';
export { installStorage } from './engine/install.js';
export type { InstallReport } from './engine/install.js';
export { checkVersion, assertVersion } from './engine/check.js';
export type { VersionReport } from './engine/check.js';
export { baselineDeployment } from './engine/baseline.js';
export type { DeployOptions } from './engine/deploy-context.js';
export { deploymentHistory } from './engine/history.js';
export { DEFAULT_RECORD_TABLE, DEFAULT_HISTORY_TABLE, DEFAULT_APP } from './deploy/record.js';
export type { DeploymentOptions, HistoryOptions, HistoryRow, HistoryKind, Deployed } from './deploy/record.js';
export type { Row, NewRow, Database } from './model/row-types.js';
