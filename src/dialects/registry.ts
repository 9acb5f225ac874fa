/** Dialects by name, loaded lazily so a SQLite run never loads pg or mysql2. */
import type { DialectName } from '../ir/schema.js';
import type { Dialect } from './dialect.js';
import { EvolveError, ErrorCode } from '../errors.js';

export async function loadDialect(name: DialectName): Promise<Dialect> {
  switch (name) {
    case 'sqlite': return (await import('./sqlite/index.js')).sqliteDialect;
    case 'postgres': return (await import('./postgres/index.js')).postgresDialect;
    case 'mysql': return (await import('./mysql/index.js')).mysqlDialect;
    default: throw new EvolveError(ErrorCode.DbUrl, `Unknown dialect '${String(name)}'.`, { hint: 'Use sqlite, postgres or mysql.' });
  }
}
