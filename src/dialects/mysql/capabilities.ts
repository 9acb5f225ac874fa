import type { DialectCapabilities } from '../dialect.js';
import { MAX_IDENTIFIER_LENGTH } from './sql-builder.js';

/** What MySQL and MariaDB can do. */
export const mysqlCapabilities: DialectCapabilities = {
  // Every DDL statement commits implicitly: a failed plan leaves the statements before it applied.
  transactionalDdl: false,
  // Neither MySQL nor MariaDB has `CREATE INDEX ... WHERE`.
  partialIndexes: false,
  // ALTER TABLE ... MODIFY COLUMN changes type, nullability and default in place.
  alterColumn: true,
  // A "schema" is a database: one per URL.
  schemas: false,
  // Longer names are refused ("Identifier name … is too long").
  maxIdentifierLength: { max: MAX_IDENTIFIER_LENGTH, unit: 'characters' },
  // An index belongs to its table: `ALTER TABLE t DROP INDEX n`.
  indexNamesPerTable: true,
  onUpdateTimestamp: true,
  indexKindKeywords: true,
  viewSqlSecurity: true,
  autoIncrementLeadingKey: true,
  // `rawType('tinyint(1)')` is boolean, `datetime()` timestamp: the DSL does not judge their defaults.
  nativeTypeDefaults: true,
};
