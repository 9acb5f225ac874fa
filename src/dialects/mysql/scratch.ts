/**
 * Where MySQL/MariaDB parses a SQL file: a scratch database on the target's server, named
 * with its creation time, always dropped afterwards (also when loading fails); scratches a
 * killed client left behind are swept after an hour.
 */
import type { SchemaIR } from '../../ir/schema.js';
import type { DatabaseUrl } from '../url.js';
import { loadStatements, scratchName, sweepScratches, SCRATCH_LIKE } from '../shared/sql-file.js';
import { withAka } from '../shared/sql-aka.js';
import { connectMysql } from './connection.js';
import { introspectMysql } from './introspect.js';
import { mysqlSql } from './sql-builder.js';
import { parseMysqlUrl } from './url.js';

/** The schema SQL `text` describes, loaded into a scratch database beside `near`. */
export async function mysqlSchemaFromSql(near: DatabaseUrl, text: string, file: string): Promise<SchemaIR> {
  const name = scratchName();
  const u = new URL(near.raw);
  u.pathname = `/${name}`;
  const conn = await connectMysql(parseMysqlUrl(u.toString())!, { readOnly: false });
  const drop = (n: string): Promise<void> => conn.execute(`DROP DATABASE IF EXISTS ${mysqlSql.ident(n)}`);
  try {
    await loadStatements(conn, 'mysql', text, file);
    return withAka(await introspectMysql(conn), text);
  } finally {
    await sweepScratches(conn, `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ${SCRATCH_LIKE}`, drop);
    await drop(name).catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
}
