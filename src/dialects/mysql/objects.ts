/**
 * MySQL/MariaDB objects beyond tables: views, triggers, stored functions, and the indexes the
 * table IR cannot hold (FULLTEXT, SPATIAL, prefix-length) — read in a constant number of
 * information_schema queries and described as {@link ObjectIR}s carrying their own SQL.
 * Stored procedures, events, sequences, system-versioned tables and MySQL 8 functional indexes
 * are listed as unmanaged.
 *
 * Definitions never name the database: the server writes `` `db`.`t` `` into view definitions,
 * and the qualifier is stripped, so a schema loaded into a scratch database compares equal to
 * the same schema in the target. DEFINER is never part of a definition (objects are created
 * by whoever applies the plan); SQL SECURITY, ALGORITHM and CHECK OPTION are, when not the
 * default.
 */
import type { ObjectIR, UnmanagedIR } from '../../ir/schema.js';
import type { Connection, Row } from '../connection.js';
import type { MysqlServer } from './connection.js';
import { normaliseMysqlExpression, parseMysqlType, unescapeMysql8Expression } from './normalise.js';
import { mysqlSql, mysqlType } from './sql-builder.js';

const q = mysqlSql.ident;
const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

/**
 * Remove every `` `db`. `` qualifier (the backquoted database name followed by a dot) outside
 * string literals; a bare `db.` is removed too when `db` is a plain identifier.
 */
export function stripDatabaseQualifier(sql: string, database: string): string {
  const quoted = q(database) + '.';
  const bare = /^[A-Za-z_][\w$]*$/.test(database) ? new RegExp(`(^|[^\\w$.\`])${database.replace(/\$/g, '\\$')}\\.(?=[\`A-Za-z_])`, 'gi') : null;
  let out = '';
  let i = 0;
  let code = '';
  const flush = (): void => { out += bare ? code.replace(bare, '$1') : code; code = ''; };
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === '`' && sql.startsWith(quoted, i)) { i += quoted.length; continue; }
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\' && ch !== '`') { j += 2; continue; }
        if (sql[j] === ch) { if (sql[j + 1] === ch) { j += 2; continue; } break; }
        j++;
      }
      flush();
      out += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    code += ch;
    i++;
  }
  flush();
  return out;
}

/** Statistics rows of one index, as introspection reads them. */
export interface IndexRows {
  readonly table: string;
  readonly name: string;
  readonly rows: readonly Row[];
}

/**
 * True when an index belongs in objects rather than in the table's indexes: FULLTEXT, SPATIAL,
 * or with a key-part prefix length other than the one Evolve gives TEXT/BLOB columns in a
 * plain index (`isLobColumn` tells those columns).
 */
export function isObjectIndex(ix: IndexRows, isLobColumn: (col: string) => boolean, lobPrefix: number): boolean {
  const type = str(ix.rows[0]!.itype).toUpperCase();
  if (type === 'FULLTEXT' || type === 'SPATIAL') return true;
  const unique = Number(ix.rows[0]!.non_unique) === 0;
  return ix.rows.some((r) => r.sub_part !== null && r.sub_part !== undefined &&
    (unique || !isLobColumn(str(r.col)) || Number(r.sub_part) !== lobPrefix));
}

/** An index outside the table IR, as an object (`table.index`, kind `index`). */
export function mysqlIndexObject(ix: IndexRows): ObjectIR {
  const type = str(ix.rows[0]!.itype).toUpperCase();
  const unique = Number(ix.rows[0]!.non_unique) === 0;
  const kind = type === 'FULLTEXT' ? 'fulltext' : type === 'SPATIAL' ? 'spatial' : unique ? 'unique' : 'index';
  // SPATIAL keys report an internal prefix (MariaDB: 32) that is not part of their definition.
  const part = (r: Row): string => `${q(str(r.col))}${r.sub_part !== null && r.sub_part !== undefined && kind !== 'spatial' ? `(${Number(r.sub_part)})` : ''}`;
  const parts = ix.rows.map(part).join(', ');
  const words = { fulltext: 'FULLTEXT INDEX', spatial: 'SPATIAL INDEX', unique: 'UNIQUE INDEX', index: 'INDEX' }[kind];
  return {
    kind: 'index',
    name: `${ix.table}.${ix.name}`,
    table: ix.table,
    definition: `${kind}(${parts})`,
    create: [`ALTER TABLE ${q(ix.table)} ADD ${words} ${q(ix.name)} (${parts})`],
    drop: [`ALTER TABLE ${q(ix.table)} DROP INDEX ${q(ix.name)}`],
  };
}

function viewObject(r: Row, database: string): ObjectIR {
  const name = str(r.name);
  const body = stripDatabaseQualifier(str(r.body).trim(), database);
  const algorithm = str(r.algo).toUpperCase();
  const security = str(r.sec_type).toUpperCase();
  const check = str(r.check_opt).toUpperCase();
  const head = `${algorithm && algorithm !== 'UNDEFINED' ? `ALGORITHM = ${algorithm} ` : ''}${security === 'INVOKER' ? 'SQL SECURITY INVOKER ' : ''}`;
  const tail = check && check !== 'NONE' ? ` WITH ${check} CHECK OPTION` : '';
  const sql = (verb: string): string => `${verb} ${head}VIEW ${q(name)} AS ${body}${tail}`;
  return {
    kind: 'view', name, table: null,
    definition: `${head}${body}${tail}`,
    create: [sql('CREATE')],
    drop: [`DROP VIEW ${q(name)}`],
    replace: [sql('CREATE OR REPLACE')],
  };
}

function triggerObject(r: Row, database: string): ObjectIR {
  const name = str(r.name);
  const table = str(r.tbl);
  const timing = str(r.timing).toUpperCase();
  const event = str(r.evt).toUpperCase();
  const body = stripDatabaseQualifier(str(r.body).trim(), database);
  return {
    kind: 'trigger', name, table,
    definition: `${timing} ${event} FOR EACH ROW ${body}`,
    create: [`CREATE TRIGGER ${q(name)} ${timing} ${event} ON ${q(table)} FOR EACH ROW ${body}`],
    drop: [`DROP TRIGGER ${q(name)}`],
  };
}

/** A type as routines are declared with it (`int(11)` → `int`, DSL kinds spelled back). */
function routineType(text: string): string {
  return mysqlType(parseMysqlType(text));
}

function functionObject(r: Row, params: readonly Row[], database: string): ObjectIR {
  const name = str(r.name);
  const args = params.filter((p) => Number(p.pos) > 0).sort((a, b) => Number(a.pos) - Number(b.pos));
  const signature = args.map((p) => `${q(str(p.pname))} ${routineType(str(p.dtd))}`).join(', ');
  const body = stripDatabaseQualifier(str(r.body).trim(), database);
  const traits = [
    str(r.is_det).toUpperCase() === 'YES' ? 'DETERMINISTIC' : 'NOT DETERMINISTIC',
    str(r.data_access).toUpperCase() || 'CONTAINS SQL',
    ...(str(r.sec_type).toUpperCase() === 'INVOKER' ? ['SQL SECURITY INVOKER'] : []),
    ...(str(r.remark) ? [`COMMENT ${mysqlSql.literal(str(r.remark))}`] : []),
  ].join(' ');
  const head = `(${signature}) RETURNS ${routineType(str(r.ret_type))} ${traits}`;
  return {
    kind: 'function',
    name: `${name}(${args.map((p) => routineType(str(p.dtd))).join(', ')})`,
    table: null,
    definition: `${head} ${body}`,
    create: [`CREATE FUNCTION ${q(name)}${head} ${body}`],
    drop: [`DROP FUNCTION ${q(name)}`],
  };
}

/** What {@link mysqlIntrospectObjects} found. */
export interface MysqlObjects {
  readonly objects: ObjectIR[];
  readonly unmanaged: UnmanagedIR[];
}

/**
 * Read views, triggers, functions, procedures and events of `database` (five queries at most,
 * whatever their number; the first three sent at once) through `query`.
 */
export async function mysqlIntrospectObjects(
  query: (sql: string, params?: readonly unknown[]) => Promise<Row[]>, database: string,
): Promise<MysqlObjects> {
  const on = [database];
  const [views, triggers, named] = await Promise.all([
    query(`SELECT TABLE_NAME AS name, VIEW_DEFINITION AS body, CHECK_OPTION AS check_opt, SECURITY_TYPE AS sec_type, ALGORITHM AS algo
       FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`, on),
    // A trigger is in its table's schema: filtered by EVENT_OBJECT_SCHEMA, MariaDB reads only this
    // schema's (by TRIGGER_SCHEMA, every schema's: slow on a server of many databases).
    query(`SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl, ACTION_TIMING AS timing, EVENT_MANIPULATION AS evt, ACTION_STATEMENT AS body
       FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? ORDER BY TRIGGER_NAME`, on),
    // Routines and events by name first, in one query: the routines' whole rows (slower to read)
    // only when there are any.
    query(`SELECT 'EVENT' AS type, EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?
       UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?
       ORDER BY name`, [database, database]),
  ]);
  const routines = !named.some((r) => str(r.type) !== 'EVENT') ? [] : await query(
    `SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type, DTD_IDENTIFIER AS ret_type, ROUTINE_DEFINITION AS body, IS_DETERMINISTIC AS is_det,
       SQL_DATA_ACCESS AS data_access, SECURITY_TYPE AS sec_type, ROUTINE_COMMENT AS remark
     FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_NAME`, on);
  const params = routines.some((r) => str(r.type).toUpperCase() === 'FUNCTION')
    ? await query(
      `SELECT SPECIFIC_NAME AS name, ORDINAL_POSITION AS pos, PARAMETER_NAME AS pname, DTD_IDENTIFIER AS dtd
       FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = ? AND ROUTINE_TYPE = 'FUNCTION'`, on)
    : [];
  const events = named.filter((r) => str(r.type) === 'EVENT');

  const objects: ObjectIR[] = [];
  const unmanaged: UnmanagedIR[] = [];
  for (const r of views) objects.push(viewObject(r, database));
  for (const r of triggers) objects.push(triggerObject(r, database));
  for (const r of routines) {
    const name = str(r.name);
    // A function whose body the server does not show (another definer's, without privilege) cannot be recreated.
    if (str(r.type).toUpperCase() === 'FUNCTION' && r.body !== null) objects.push(functionObject(r, params.filter((p) => str(p.name) === name), database));
    else unmanaged.push({ kind: str(r.type).toLowerCase(), name });
  }
  for (const r of events) unmanaged.push({ kind: 'event', name: str(r.name) });
  return { objects, unmanaged };
}

/** Normalised text of a CHECK clause or generation expression as a server reports it. */
export function serverExpression(text: string, server: MysqlServer): string {
  return normaliseMysqlExpression(server.flavour === 'mysql' ? unescapeMysql8Expression(text) : text);
}
