import type { DialectCapabilities } from '../dialect.js';
import { MAX_IDENTIFIER_BYTES } from './sql-builder.js';

/** What PostgreSQL can do (see {@link DialectCapabilities} for why each matters). */
export const postgresCapabilities: DialectCapabilities = {
  // DDL is transactional: a failed plan rolls back completely, catalog included.
  transactionalDdl: true,
  // CREATE INDEX ... WHERE.
  partialIndexes: true,
  // ALTER COLUMN TYPE ... USING, SET/DROP NOT NULL, SET/DROP DEFAULT: no table rebuilds.
  alterColumn: true,
  // Named schemas: extra ones can be managed beside the primary one (--schemas).
  schemas: true,
  // NAMEDATALEN - 1: longer names are cut silently (with a NOTICE), so two of them can become one.
  maxIdentifierLength: { max: MAX_IDENTIFIER_BYTES, unit: 'bytes' },
  // COMMENT ON TABLE / COLUMN: comments are objects of the IR.
  comments: true,
  // CREATE DOMAIN, CREATE TYPE … AS (…), CREATE EXTENSION.
  typeObjects: true,
  // A LANGUAGE sql body is checked at creation unless this is off.
  uncheckedFunctionBodies: 'SET check_function_bodies TO off',
  // A serial or identity column need not be the primary key.
  autoIncrementAnyColumn: true,
};
