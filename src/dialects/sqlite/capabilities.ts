import type { DialectCapabilities } from '../dialect.js';

export const sqliteCapabilities: DialectCapabilities = {
  // SQLite DDL is transactional: a failed plan rolls back completely.
  transactionalDdl: true,
  blockingDriver: true,
  partialIndexes: true,
  // ALTER TABLE cannot change a column: type, nullability and default changes rebuild the table.
  alterColumn: false,
  // One database per file: no named schemas to manage beside it.
  schemas: false,
  // No maxIdentifierLength: SQLite takes names of any length.
};
