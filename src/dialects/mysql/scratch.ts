/**
 * Where MySQL/MariaDB parses a SQL file, as a sandbox: whatever the file says, it can change
 * nothing but its own scratch. On the target's server (or the `--scratch` one) Evolve creates a
 * scratch database and a user of its own that holds every privilege on that database and none
 * anywhere else (no FILE, SUPER, CREATE USER, GRANT OPTION, no other database), and runs the
 * file over that user's connection: the server refuses a qualified name of another database,
 * `USE other`, `SET GLOBAL` / `SET PERSIST`, `INTO OUTFILE`, `LOAD DATA`, users and grants.
 * Triggers, routines, events and views run as that user too (their `DEFINER = …` clauses, as
 * mysqldump writes them, are left out: the sandbox may not act as another user). Reading a file
 * of the client (`LOAD DATA LOCAL INFILE`) is refused by the driver. A file that makes and `USE`s
 * a database of its own (`CREATE SCHEMA sakila; USE sakila;`) describes that database: the
 * scratch stands for it (file-database.ts).
 *
 * Database and user are named with their creation time, always dropped (also when loading
 * fails); those a killed client left behind are swept after an hour.
 */
import { randomBytes } from 'node:crypto';
import type { SchemaIR } from '../../ir/schema.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import type { Connection } from '../connection.js';
import type { DatabaseUrl } from '../url.js';
import { rememberSecret } from '../shared/url-helpers.js';
import { loadStatements, refuseStatements, scratchName, sweepScratches, SCRATCH_LIKE, type LoadRules } from '../shared/sql-file.js';
import { splitSql } from '../shared/sql-split.js';
import { withAka } from '../shared/sql-aka.js';
import { withoutClientComments } from './client-comments.js';
import { intoScratchDatabase } from './file-database.js';
import { connectMysql } from './connection.js';
import { introspectMysql } from './introspect.js';
import { MODEL_CHARSET, mysqlSql } from './sql-builder.js';
import { parseMysqlUrl } from './url.js';

const q = mysqlSql.ident;
const lit = mysqlSql.literal;
const USER_NAME = String.raw`(?:\`(?:[^\`]|\`\`)*\`|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[\w.$-]+)`;
/** `DEFINER = user@host` (or CURRENT_USER) in a statement's head, also inside a versioned comment. */
const DEFINER = new RegExp(String.raw`(?:/\*!\d*\s*)?\bDEFINER\s*=\s*(?:CURRENT_USER(?:\s*\(\s*\))?|${USER_NAME}(?:\s*@\s*${USER_NAME})?)(?:\s*\*/)?`, 'i');

/** The statement without its `DEFINER = …` clause (only before the body: the head up to the object's kind). */
export function withoutDefiner(statement: string): string {
  const head = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*CREATE\b[\s\S]*?\b(?:TRIGGER|PROCEDURE|FUNCTION|EVENT|VIEW)\b/i.exec(statement);
  if (!head) return statement;
  const cut = head[0].replace(DEFINER, ' ');
  return cut === head[0] ? statement : cut + statement.slice(head[0].length);
}

/** MySQL's error codes for a privilege the sandbox user lacks. */
const DENIED = new Set(['ER_DBACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_PROCACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR']);

const RULES: LoadRules = {
  denied: (e) => DENIED.has(String((e as { code?: string }).code)),
};

function scratchDenied(near: DatabaseUrl, file: string, what: string, e: unknown): EvolveError {
  return new EvolveError(ErrorCode.ScratchDenied,
    `Cannot parse '${file}': a SQL file is loaded into a sandbox (a scratch database and a user of its own), ` +
    `and ${near.display} refused to ${what}: ${(e as Error).message}.`, {
      hint: 'Let the user create databases and users (GRANT CREATE, CREATE USER ON *.* … WITH GRANT OPTION), ' +
        'or give --scratch URL: a development server where Evolve may.',
      cause: e,
    });
}

/** A `SCRATCH_LIKE` query over `column` of `table`. */
const listing = (table: string, column: string): string => `SELECT ${column} AS name FROM ${table} WHERE ${column} LIKE ${SCRATCH_LIKE}`;

/**
 * The statements of a SQL file as the scratch runs them: split and stripped of their comments
 * as the mysql client does before sending them (so routine bodies are stored as a native load
 * stores them), the file's own database made the scratch (see file-database.ts), without DEFINER.
 */
export function mysqlFileStatements(text: string): string[] {
  return intoScratchDatabase(splitSql(text, { hashComments: true }).map(withoutClientComments)).map(withoutDefiner);
}

/**
 * The schema SQL `text` describes, loaded into a sandbox beside `near` (see the module comment).
 * @throws EvolveError `E_SQL_REFUSED` for a statement that reaches beyond the scratch,
 * `E_SQL_FAILED` naming the statement the database rejected, `E_SCRATCH_DENIED` when the
 * server will not make the sandbox.
 */
export async function mysqlSchemaFromSql(near: DatabaseUrl, text: string, file: string): Promise<SchemaIR> {
  const statements = mysqlFileStatements(text);
  refuseStatements(statements, 'mysql', file, RULES);
  const name = scratchName();
  const password = randomBytes(24).toString('hex');
  rememberSecret(password);
  const admin = await connectMysql(near, { readOnly: false });
  const dropDb = (n: string): Promise<void> => admin.execute(`DROP DATABASE IF EXISTS ${q(n)}`);
  try {
    await sweepScratches(admin, listing('information_schema.SCHEMATA', 'SCHEMA_NAME'), dropDb);
    await sweepScratches(admin, `SELECT DISTINCT User AS name, Host AS host FROM mysql.user WHERE User LIKE ${SCRATCH_LIKE}`,
      (n) => dropUsers(admin, n));
    // The sandbox user is for the host this client connects from, as the server sees it.
    const host = String((await admin.query("SELECT SUBSTRING_INDEX(USER(), '@', -1) AS h"))[0]?.h ?? '%');
    const user = `${lit(name)}@${lit(host)}`;
    try {
      await admin.execute(`CREATE DATABASE ${q(name)} CHARACTER SET ${MODEL_CHARSET}`);
    } catch (e) {
      throw scratchDenied(near, file, 'create a database', e);
    }
    try {
      try {
        await admin.execute(`CREATE USER ${user} IDENTIFIED BY ${lit(password)}`);
        await admin.execute(`GRANT ALL PRIVILEGES ON ${q(name)}.* TO ${user}`);
      } catch (e) {
        throw scratchDenied(near, file, 'create a user for it', e);
      }
      const u = new URL(near.raw);
      u.pathname = `/${encodeURIComponent(name)}`;
      u.username = encodeURIComponent(name);
      u.password = encodeURIComponent(password);
      let conn: Connection;
      try {
        conn = await connectMysql(parseMysqlUrl(u.toString())!, { readOnly: false });
      } catch (e) {
        throw scratchDenied(near, file, 'let the scratch user log in', e);
      }
      try {
        await loadStatements(conn, 'mysql', statements, file, RULES);
        return withAka(await introspectMysql(conn), text);
      } finally {
        await conn.close().catch(() => undefined);
      }
    } finally {
      await dropUsers(admin, name).catch(() => undefined);
      await dropDb(name).catch(() => undefined);
    }
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/** Drop every account named `name` (whatever its host). */
async function dropUsers(admin: Connection, name: string): Promise<void> {
  for (const r of await admin.query('SELECT Host AS host FROM mysql.user WHERE User = ?', [name])) {
    await admin.execute(`DROP USER IF EXISTS ${lit(name)}@${lit(String(r.host))}`);
  }
}
