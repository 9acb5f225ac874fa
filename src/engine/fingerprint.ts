/** `evolve fingerprint` and friends: the live fingerprint of a database, the models' fingerprint without one, and introspection. */
import type { Table } from '../model/table.js';
import { desiredOn, loadDesired, type ModelsInput } from '../database/sources.js';
import { compileModels } from '../model/compile.js';
import { checkIdentifierLengths } from '../model/identifier-length.js';
import type { Dialect } from '../dialects/dialect.js';
import type { DialectName, SchemaIR } from '../ir/schema.js';
import { fingerprint } from '../ir/fingerprint.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { withDatabase, type DatabaseOptions } from '../database/database.js';
import { loadDialect } from '../dialects/registry.js';
import { unmanagedOf } from './build-plan.js';

/** The models as `dialect` would report them (compiled, validated, normalised). */
export function desiredSchema(models: readonly Table[], dialect: Dialect): SchemaIR {
  const compiled = compileModels(models, dialect.name, dialect.capabilities);
  checkIdentifierLengths(compiled, dialect.capabilities.maxIdentifierLength, dialect.capabilities.schemas, dialect.name);
  return dialect.normalise(compiled);
}

/**
 * The models' fingerprint on a dialect, computed without a database (proven equal, by the
 * test suite, to the fingerprint of the models created in an empty database).
 */
export async function modelsFingerprint(models: ModelsInput, dialect: string): Promise<string> {
  const d = await loadDialect(dialect);
  const desired = await loadDesired(models, { dialect: d.name });
  if (desired.kind === 'sql' && d.localScratch === null) {
    throw new EvolveError(ErrorCode.Usage, `The fingerprint of SQL file '${desired.path}' on ${dialect} needs a ${dialect} server to parse it.`, {
      hint: 'Use evolve fingerprint --db URL --models FILE.sql, which loads it into a scratch schema on that server.',
    });
  }
  return fingerprint(await desiredOn(d, null, desired));
}

/** Introspect a database. */
export async function inspect(db: string, options: DatabaseOptions = {}): Promise<SchemaIR> {
  return withDatabase(db, true, options, (d) => d.introspect());
}

/** The live fingerprint of a database. */
export async function fingerprintDatabase(
  db: string, options: DatabaseOptions = {},
): Promise<{ fingerprint: string; dialect: DialectName; tables: number; unmanaged: string[] }> {
  return withDatabase(db, true, options, async (d) => {
    const live = await d.introspect();
    return { fingerprint: fingerprint(live), dialect: d.dialect.name, tables: live.tables.length, unmanaged: unmanagedOf(live) };
  });
}
