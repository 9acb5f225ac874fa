/**
 * Where SQLite parses a SQL file: a fresh in-memory database, private to this process and
 * gone when closed, so there is nothing to drop or sweep. It is a sandbox: the only way a
 * statement reaches a file from there is ATTACH (another database file, read and written),
 * DETACH, or VACUUM INTO (writes a copy to a path), so those are refused before anything runs;
 * `load_extension()` is disabled by the driver. After loading, the connection must still hold
 * only its own database.
 */
import type { SchemaIR } from '../../ir/schema.js';
import type { DatabaseUrl } from '../url.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { loadStatements, statementWords, type LoadRules } from '../shared/sql-file.js';
import { withAka } from '../shared/sql-aka.js';
import { connectSqlite } from './connection.js';
import { introspectSqlite } from './introspect.js';
import { parseSqliteUrl } from './url.js';

/** The statements that would reach a file outside the in-memory scratch. */
const REACHES_A_FILE: Record<string, string> = {
  ATTACH: 'ATTACH opens another database file, which a preview must not read or change',
  DETACH: 'DETACH works on attached database files, which the scratch never has',
  VACUUM: 'VACUUM (INTO) writes a database file',
};

/** The sandbox rules of the SQLite scratch. */
export const SQLITE_LOAD_RULES: LoadRules = {
  refuse: (s) => {
    const words = statementWords(s, 3);
    const verb = words[0] === 'EXPLAIN' ? (words[1] === 'QUERY' ? undefined : words[1]) : words[0];
    return (verb && REACHES_A_FILE[verb]) ?? null;
  },
};

/** The schema SQL `text` describes, loaded into in-memory SQLite (`near` plays no part). */
export async function sqliteSchemaFromSql(_near: DatabaseUrl, text: string, file: string): Promise<SchemaIR> {
  const conn = await connectSqlite(parseSqliteUrl('sqlite::memory:')!, { readOnly: false });
  try {
    await loadStatements(conn, 'sqlite', text, file, SQLITE_LOAD_RULES);
    const open = (await conn.query('PRAGMA database_list')).map((r) => String(r.name)).filter((n) => n !== 'main' && n !== 'temp');
    if (open.length > 0) {
      throw new EvolveError(ErrorCode.SqlRefused, `'${file}' attached database(s) ${open.join(', ')} to the scratch.`, {
        hint: `A SQL file used as models may only create the schema it describes: remove every ATTACH from '${file}'.`,
      });
    }
    return withAka(await introspectSqlite(conn), text);
  } finally {
    await conn.close().catch(() => undefined);
  }
}
