/**
 * MySQL/MariaDB introspection: a constant number of information_schema queries (filtered by
 * `TABLE_SCHEMA = DATABASE()`), whatever the number of tables; never one query per table.
 *
 * Read: columns (ENUM/SET and UNSIGNED/ZEROFILL types exactly, generated columns, collations
 * that differ from the table's), keys, indexes, CHECK constraints, table options that differ
 * from what a table gets when nothing is asked for (engine other than InnoDB, a charset other
 * than utf8mb4, a collation other than the server's default for the charset; see
 * `MysqlDefaults`), and — in `objects.ts` — views,
 * triggers, functions, FULLTEXT/SPATIAL/prefix-length indexes; procedures, events, sequences
 * and functional indexes are listed in `unmanaged`.
 * Limits (what the IR does not hold, so it is neither read nor compared): ON UPDATE
 * CURRENT_TIMESTAMP, column and table comments, AUTO_INCREMENT start values, row formats,
 * partitioning, trigger order (FOLLOWS/PRECEDES), index visibility and comments.
 * MySQL cannot tell a UNIQUE constraint from a unique index: every unique index is read as a
 * unique constraint (see `normaliseMysql`).
 */
import type { ColumnIR, ForeignKeyIR, IndexIR, ObjectIR, ReferentialAction, SchemaIR, TableIR, UniqueIR, UnmanagedIR } from '../../ir/schema.js';
import { deepFreeze, freezeTable } from '../../ir/schema.js';
import { isEvolveTable } from '../../ir/canonical.js';
import { besideReader, eachRow, type Connection, type Row } from '../connection.js';
import { serverFromVersion, type MysqlConnection, type MysqlServer } from './connection.js';
import { normaliseMysql, parseMysqlDefault, parseMysqlType, unescapeMysql8Expression, type MysqlCheckIR } from './normalise.js';
import { mysqlIndexObject, mysqlIntrospectObjects, isObjectIndex, serverExpression, type MysqlObjects } from './objects.js';
import { isLobType, LOB_INDEX_PREFIX, MODEL_CHARSET } from './sql-builder.js';
import { ptOscLeftoverObjects } from './pt-osc-leftovers.js';
import type { ColumnType, DefaultValue } from '../../ir/schema.js';

/** information_schema text may come back as Buffer (binary collations on MySQL 8). */
const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));

/** `rows` by `key`, in order; rows of one key mostly come together (a table's), so a run of them costs one lookup. */
function groupBy(rows: Row[], key: (r: Row) => string): Map<string, Row[]> {
  const m = new Map<string, Row[]>();
  let lastKey: string | undefined;
  let last: Row[] = [];
  for (const r of rows) {
    const k = key(r);
    if (k !== lastKey) {
      lastKey = k;
      const had = m.get(k);
      if (had === undefined) m.set(k, last = []);
      else last = had;
    }
    last.push(r);
  }
  return m;
}

function action(a: unknown): ReferentialAction {
  const s = str(a).toLowerCase();
  return (['no action', 'restrict', 'cascade', 'set null', 'set default'] as const).find((x) => x === s) ?? 'no action';
}

/**
 * A column default as information_schema reports it. MariaDB (10.2.7+) writes SQL: quoted
 * literals (`'abc'`), `NULL` for an explicit NULL default, expressions such as
 * `current_timestamp()`. MySQL 8 writes literals unquoted and marks expressions with
 * DEFAULT_GENERATED in EXTRA (CURRENT_TIMESTAMP on temporal columns too).
 */
/** `ON UPDATE CURRENT_TIMESTAMP[(n)]` from EXTRA (MariaDB: `current_timestamp()`), spelled one way. */
export function onUpdateOf(extra: string): string | null {
  const m = /on update (current_timestamp|now|localtimestamp)(?:\((\d*)\))?/i.exec(extra);
  return m ? `CURRENT_TIMESTAMP${m[2] ? `(${m[2]})` : ''}` : null;
}

export function parseColumnDefault(raw: string | null, extra: string, type: ColumnType, server: MysqlServer): DefaultValue | null {
  if (raw === null) return null;
  if (server.flavour === 'mariadb') return parseMysqlDefault(raw);
  if (/default_generated/i.test(extra)) return parseMysqlDefault(unescapeMysql8Expression(raw));
  if (type.kind === 'timestamp' || (type.kind === 'raw' && /^(datetime|timestamp)/.test(type.sql))) {
    if (/^(current_timestamp|now|localtimestamp|localtime)(\(\d*\))?$/i.test(raw.trim())) return parseMysqlDefault(raw);
  }
  return { kind: 'value', value: raw };
}

async function server(conn: Connection): Promise<MysqlServer> {
  const known = (conn as Partial<MysqlConnection>).server;
  if (known) return known;
  return serverFromVersion(str((await conn.query('SELECT VERSION() AS v'))[0]?.v));
}

/**
 * What a table gets when nothing is asked for, as Evolve creates it (what table options are
 * compared with): the character set utf8mb4 (`MODEL_CHARSET`) with the server's default
 * collation for it, and InnoDB. Never the database's default character set: that is a setting
 * the models did not ask for (and `ALTER DATABASE` changes it under existing tables).
 */
export interface MysqlDefaults {
  readonly charset: string;
  readonly collation: string;
  readonly engine: string;
}

/** A schema as this dialect introspects it: the defaults ride along (never fingerprinted). */
export interface MysqlSchemaIR extends SchemaIR {
  readonly defaults?: MysqlDefaults;
  /**
   * The server stores every table name in lower case (`lower_case_table_names=1`): a table
   * named `Users` is created as `users`, so models must name it so (see check-models.ts).
   */
  readonly lowerCaseTableNames?: true;
}

/** The character set a collation belongs to (`latin1_swedish_ci` → `latin1`). */
export function collationCharset(collation: string): string {
  return collation.toLowerCase().split('_')[0]!;
}

/** Options of a table that differ from what a table gets when nothing is asked for. */
function tableOptions(engine: string, collation: string, d: MysqlDefaults): Record<string, string> {
  const out: Record<string, string> = {};
  if (engine && engine.toLowerCase() !== d.engine) out.engine = engine.toLowerCase();
  if (collation && collationCharset(collation) !== d.charset) out.charset = collationCharset(collation);
  if (collation && collation.toLowerCase() !== d.collation) out.collation = collation.toLowerCase();
  return out;
}

/** A table's columns as their rows came, with each one's ORDINAL_POSITION (see {@link readColumn}). */
interface ColumnsRead {
  readonly columns: ColumnIR[];
  readonly positions: number[];
}

/**
 * A column from its information_schema.COLUMNS row, as the row comes (the row is then dropped):
 * its collation kept only where it is not its table's (`tableCollation`, when known yet); a
 * longtext that is MariaDB's JSON is made so later, once the checks are read (see `introspectMysql`).
 */
function readColumn(r: Row, tableCollation: string | undefined, srv: MysqlServer): ColumnIR {
  const cname = str(r.name);
  const extra = str(r.extra);
  const type = parseMysqlType(str(r.type));
  // Most columns have no EXTRA: none of its readings apply.
  const gen = extra === '' ? null : /\b(virtual|stored|persistent) generated\b/i.exec(extra);
  const collation = strOrNull(r.collation)?.toLowerCase() ?? null;
  const onUpdate = extra === '' ? null : onUpdateOf(extra);
  const nullable = str(r.nullable);
  const column: { -readonly [K in keyof ColumnIR]: ColumnIR[K] } = {
    name: cname, type,
    nullable: nullable === 'YES' || nullable.toUpperCase() === 'YES',
    default: gen ? null : columnDefault(strOrNull(r.dflt), extra, type, srv),
    autoIncrement: extra !== '' && /auto_increment/i.test(extra),
  };
  // (Stores, not spreads of empty objects: the same fields in the same order, for a fraction of
  // the cost in V8's interpreter, where a command runs this once per column.)
  if (gen) column.generated = { expression: serverExpression(str(r.gen), srv), stored: !/^virtual$/i.test(gen[1]!) };
  if (collation && collation !== tableCollation) column.collation = collation;
  if (onUpdate) column.onUpdate = onUpdate;
  return column;
}

/** A table's columns in position order (ORDINAL_POSITION), MariaDB's JSON columns (`jsonCols`) made so. */
function finishColumns(table: string, read: ColumnsRead | undefined, jsonCols: ReadonlySet<string>): ColumnIR[] {
  if (read === undefined) return [];
  let { columns } = read;
  const { positions } = read;
  for (let i = 1; i < positions.length; i++) {
    if (positions[i - 1]! > positions[i]!) {
      columns = columns.map((c, k) => ({ c, p: positions[k]! })).sort((x, y) => x.p - y.p).map((x) => x.c);
      break;
    }
  }
  if (jsonCols.size === 0) return columns;
  const isJson = (c: ColumnIR): boolean => c.type.kind === 'raw' && c.type.sql === 'longtext' && jsonCols.has(`${table}\u0000${c.name}`);
  return columns.map((c) => (isJson(c) ? { ...c, type: { kind: 'json' } } : c));
}

/** Defaults read, by server flavour, column type, default text and how EXTRA marks it (they repeat across thousands of columns). */
const defaultCache = new Map<string, Map<ColumnType, Map<string, DefaultValue | null>>>();

/** {@link parseColumnDefault}, once per (server flavour, type, text, EXTRA's DEFAULT_GENERATED), frozen. */
function columnDefault(raw: string | null, extra: string, type: ColumnType, srv: MysqlServer): DefaultValue | null {
  if (raw === null) return null;
  const key = `${srv.flavour}${extra !== '' && /default_generated/i.test(extra) ? '+' : ''}`;
  let byType = defaultCache.get(key);
  if (byType === undefined) defaultCache.set(key, byType = new Map());
  let byText = byType.get(type);
  if (byText === undefined) {
    if (byType.size >= 10_000) byType.clear();
    byType.set(type, byText = new Map());
  }
  let d = byText.get(raw);
  if (d === undefined) {
    d = deepFreeze(parseColumnDefault(raw, extra, type, srv));
    if (byText.size >= 10_000) byText.clear();
    byText.set(raw, d);
  }
  return d;
}

/**
 * The primary key, unique constraints and plain indexes of table `table` from its
 * information_schema.STATISTICS rows; the indexes the IR holds as objects go to `objects`, those
 * outside it to `unmanaged`.
 */
function readKeys(
  table: string, rows: Row[], columns: readonly ColumnIR[], objects: ObjectIR[], unmanaged: UnmanagedIR[],
): { primaryKey: TableIR['primaryKey']; uniques: UniqueIR[]; indexes: IndexIR[] } {
  let primaryKey: TableIR['primaryKey'] = null;
  const uniques: UniqueIR[] = [];
  const indexes: IndexIR[] = [];
  const lob = (col: string): boolean => { const c = columns.find((x) => x.name === col); return c !== undefined && isLobType(c.type); };
  for (const [iname, rs] of groupBy(rows, (r) => str(r.idx))) {
    // Functional key parts (MySQL 8) are outside the IR: listed as unmanaged.
    if (rs.some((r) => r.col === null)) { unmanaged.push({ kind: 'index', name: iname, table }); continue; }
    const ix = { table, name: iname, rows: rs };
    if (iname !== 'PRIMARY' && isObjectIndex(ix, lob, LOB_INDEX_PREFIX)) { objects.push(mysqlIndexObject(ix)); continue; }
    const cols = rs.map((r) => str(r.col));
    if (iname === 'PRIMARY') primaryKey = { name: 'PRIMARY', columns: cols };
    else if (Number(rs[0]!.non_unique) === 0) uniques.push({ name: iname, columns: cols });
    else indexes.push({ name: iname, columns: cols, unique: false, where: null });
  }
  return { primaryKey, uniques, indexes };
}

/** The foreign keys of table `table` from its KEY_COLUMN_USAGE rows and the REFERENTIAL_CONSTRAINTS `rules`. */
function readForeignKeys(table: string, rows: Row[], rules: ReadonlyMap<string, Row>): ForeignKeyIR[] {
  return [...groupBy(rows, (r) => str(r.name))].map(([fname, rs]) => {
    const rule = rules.get(`${table}\u0000${fname}`);
    return {
      name: fname,
      columns: rs.map((r) => str(r.col)),
      refTable: str(rs[0]!.ref),
      refColumns: rs.map((r) => str(r.refcol)),
      onDelete: action(rule?.on_delete),
      onUpdate: action(rule?.on_update),
    };
  });
}

/**
 * The COMMENTs of table `table`, its columns and indexes, as unmanaged entries: the IR holds
 * no MySQL comments, so they are reported (`comment on column c on table t`), a SQL file's
 * among what Evolve does not create, rather than silently dropped.
 */
function commentsOf(table: string, row: Row, commented: readonly string[], indexes: readonly Row[]): UnmanagedIR[] {
  const out: UnmanagedIR[] = [];
  if (str(row.comment) !== '') out.push({ kind: 'comment on table', name: table });
  for (const c of commented) out.push({ kind: 'comment on column', name: c, table });
  const seen = new Set<string>();
  for (const i of indexes) {
    if (str(i.comment) === '' || seen.has(str(i.idx))) continue;
    seen.add(str(i.idx));
    out.push({ kind: 'comment on index', name: str(i.idx), table });
  }
  return out;
}

/** Sort `rows` in place unless they are in order already (information_schema mostly gives them so). */
function inOrder(rows: Row[], cmp: (a: Row, b: Row) => number): void {
  for (let i = 1; i < rows.length; i++) if (cmp(rows[i - 1]!, rows[i]!) > 0) { rows.sort(cmp); return; }
}

/**
 * How MariaDB's information_schema (utf8mb3_general_ci) orders `name`: ASCII compared without
 * case, trailing spaces ignored; undefined for other text (see {@link orderedRows}).
 */
function generalCiKey(name: string): string | undefined {
  return /^[\x00-\x7f]*$/.test(name) && !name.endsWith(' ') ? name.toUpperCase() : undefined;
}

/** Runs catalog queries: `query` on one connection, in the order they are asked for. */
type Query = (sql: string, params?: readonly unknown[]) => Promise<Row[]>;

/**
 * The rows of `sql` in the order `ORDER BY <order>` gives (table, then `key`, then `pos`),
 * without making the server sort (an ORDER BY on information_schema costs it a temporary copy
 * of the rows: most of the query's cost): on MariaDB (`sortHere`), names of plain ASCII are put
 * in its collation's order here; any other name, or another server, and the server sorts.
 */
async function orderedRows(query: Query, sql: string, params: readonly unknown[], order: string, key: string, sortHere: boolean): Promise<Row[]> {
  if (!sortHere) return query(`${sql} ORDER BY ${order}`, params);
  const rows = await query(sql, params);
  const keys = new Map<unknown, string>();
  for (const r of rows) {
    const n = r[key];
    if (keys.has(n)) continue;
    const k = generalCiKey(str(n));
    if (k === undefined) return query(`${sql} ORDER BY ${order}`, params);
    keys.set(n, k);
  }
  // Grouped by table here (groupBy), so only the order within a table matters.
  const cmp = (a: Row, b: Row): number => {
    const x = keys.get(a[key])!;
    const y = keys.get(b[key])!;
    return x < y ? -1 : x > y ? 1 : Number(a.pos) - Number(b.pos);
  };
  const byTable = groupBy(rows, (r) => str(r.tbl));
  const out: Row[] = [];
  for (const rs of byTable.values()) { inOrder(rs, cmp); for (const r of rs) out.push(r); }
  return out;
}

/** The catalog rows one introspection reads (see {@link readCatalog}). */
interface Catalog {
  /** The schema row (tbl NULL: database, default collation, lower_case_table_names), then the tables. */
  readonly rows: Row[];
  /** Columns by table, as their rows came (see {@link readColumn}). */
  readonly colsBy: Map<string, ColumnsRead>;
  /** Names of the columns with a COMMENT, by table. */
  readonly commented: Map<string, string[]>;
  readonly idxRows: Row[];
  readonly fkRows: Row[];
  readonly ruleRows: Row[];
  readonly checkRows: Row[];
  readonly found: MysqlObjects;
}

/**
 * Every catalog query of an introspection. They are sent at once (a connection runs them one
 * after another with no wait between), split between the connection and its catalog reader;
 * each result is put to use as it comes.
 */
async function readCatalog(conn: Connection, srv: MysqlServer): Promise<Catalog> {
  const ordered = srv.flavour === 'mariadb';
  // Queries that name their database may run on the catalog reader beside the connection.
  const reading = besideReader(conn, (conn as Partial<MysqlConnection>).catalogReader?.()).then((c): Query => (sql, params) => c.query(sql, params));
  // The collation CREATE TABLE … DEFAULT CHARSET=utf8mb4 gives on this server (MySQL 8's
  // default_collation_for_utf8mb4 and MariaDB's character_set_collations included).
  // One round trip for both: the row with no table (tbl NULL) holds the database, that
  // collation and lower_case_table_names; the others are the tables.
  const tablesRead = conn.query(
    `SELECT NULL AS tbl, DATABASE() AS type, COLLATION(CONVERT('' USING ${MODEL_CHARSET})) AS engine, @@lower_case_table_names AS collation,
       NULL AS comment
     UNION ALL
     SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()
     ORDER BY tbl`);
  // Each table's collation, known before the columns' rows come (the same connection answers in order).
  const collationOf = new Map<string, string>();
  void tablesRead.then((rows) => { for (const r of rows) if (r.tbl !== null) collationOf.set(str(r.tbl), str(r.collation).toLowerCase()); }, () => undefined);
  // Read unordered (an ORDER BY makes the server copy information_schema into a temporary
  // table first: most of the query's cost), put in order here (see `finishColumns`). Each row
  // becomes its column as it comes, where the connection can give rows so, and is dropped.
  const colsBy = new Map<string, ColumnsRead>();
  const commented = new Map<string, string[]>();
  let last: ColumnsRead | undefined;
  let lastTable: string | undefined;
  const takeColumn = (r: Row): void => {
    const table = str(r.tbl);
    if (table !== lastTable) {
      lastTable = table;
      last = colsBy.get(table);
      if (last === undefined) colsBy.set(table, last = { columns: [], positions: [] });
    }
    last!.columns.push(readColumn(r, collationOf.get(table), srv));
    last!.positions.push(Number(r.pos));
    if (str(r.comment) !== '') (commented.get(table) ?? commented.set(table, []).get(table)!).push(str(r.name));
  };
  const columnsSql = `SELECT TABLE_NAME AS tbl, COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, EXTRA AS extra,
       GENERATION_EXPRESSION AS gen, COLLATION_NAME AS collation, COLUMN_COMMENT AS comment, ORDINAL_POSITION AS pos
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()`;
  const colsRead = eachRow(conn, columnsSql, [], takeColumn);
  const idxRead = orderedRows((sql, params) => conn.query(sql, params),
    `SELECT TABLE_NAME AS tbl, INDEX_NAME AS idx, NON_UNIQUE AS non_unique, COLUMN_NAME AS col, INDEX_TYPE AS itype, SUB_PART AS sub_part,
       INDEX_COMMENT AS comment, SEQ_IN_INDEX AS pos
     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()`, [], 'TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX', 'idx', ordered);
  // The rest on the reader, once the database's name is known (the reader's queries name it).
  const restRead = Promise.all([tablesRead, reading]).then(([rows, query]) => {
    const database = str(rows.find((r) => r.tbl === null)?.type);
    const on = [database];
    return Promise.all([
      // Two queries joined here: information_schema joins are not indexed, and the join costs
      // several times the two reads on a large schema.
      orderedRows(query,
        `SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, COLUMN_NAME AS col, REFERENCED_TABLE_NAME AS ref, REFERENCED_COLUMN_NAME AS refcol,
           ORDINAL_POSITION AS pos
         FROM information_schema.KEY_COLUMN_USAGE
         WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL`, on, 'TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION', 'name', ordered),
      query(`SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, UPDATE_RULE AS on_update, DELETE_RULE AS on_delete
         FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`, on),
      // MariaDB lists column-level checks (LEVEL 'Column', named after the column) beside table
      // ones, and the json_valid check of its JSON columns; MySQL 8 has no TABLE_NAME there.
      srv.flavour === 'mariadb'
        ? query(`SELECT TABLE_NAME AS tbl, CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause, LEVEL AS level
            FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? ORDER BY TABLE_NAME, CONSTRAINT_NAME`, on)
        : query(`SELECT tc.TABLE_NAME AS tbl, cc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause, 'Table' AS level
            FROM information_schema.CHECK_CONSTRAINTS cc JOIN information_schema.TABLE_CONSTRAINTS tc
              ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
            WHERE cc.CONSTRAINT_SCHEMA = ? ORDER BY tc.TABLE_NAME, cc.CONSTRAINT_NAME`, on),
      mysqlIntrospectObjects(query, database),
    ] as const);
  });
  const [rows, , idxRows, [fkRows, ruleRows, checkRows, found]] = await Promise.all([tablesRead, colsRead, idxRead, restRead]);
  return { rows, colsBy, commented, idxRows, fkRows, ruleRows, checkRows, found };
}

/** Read the live schema of the connection's database (normalised, frozen). */
export async function introspectMysql(conn: Connection): Promise<SchemaIR> {
  const srv = await server(conn);
  const { rows, colsBy, commented, idxRows, fkRows, ruleRows, checkRows, found } = await readCatalog(conn, srv);
  const schemaRow = rows.find((r) => r.tbl === null);
  const tableRows = rows.filter((r) => r.tbl !== null);
  const database = str(schemaRow?.type);
  const defaults: MysqlDefaults = { charset: MODEL_CHARSET, collation: str(schemaRow?.engine).toLowerCase(), engine: 'innodb' };

  const idxBy = groupBy(idxRows, (r) => str(r.tbl));
  const fkBy = groupBy(fkRows, (r) => str(r.tbl));
  const checkBy = groupBy(checkRows, (r) => str(r.tbl));
  const rules = new Map(ruleRows.map((r) => [`${str(r.tbl)}\u0000${str(r.name)}`, r]));
  const jsonCols = new Set<string>();
  for (const r of checkRows) {
    const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(str(r.clause).trim());
    if (m) jsonCols.add(`${str(r.tbl)}\u0000${m[1]!.replace(/``/g, '`')}`);
  }

  const tables: TableIR[] = [];
  const objects: ObjectIR[] = [];
  const unmanaged: UnmanagedIR[] = [];
  // What an interrupted pt-online-schema-change run left is not part of the schema (pt-osc-leftovers.ts).
  const left = ptOscLeftoverObjects(found.objects, tableRows.map((r) => str(r.tbl)));
  unmanaged.push(...left.unmanaged);
  for (const t of tableRows) {
    const name = str(t.tbl);
    const type = str(t.type).toUpperCase();
    if (isEvolveTable(name) || left.tables.has(name) || type === 'VIEW') continue;
    if (type !== 'BASE TABLE') { unmanaged.push({ kind: type === 'SEQUENCE' ? 'sequence' : type.toLowerCase(), name }); continue; }
    const tableCollation = str(t.collation).toLowerCase();
    const columns = finishColumns(name, colsBy.get(name), jsonCols);
    const { primaryKey, uniques, indexes } = readKeys(name, idxBy.get(name) ?? [], columns, objects, unmanaged);
    const foreignKeys = readForeignKeys(name, fkBy.get(name) ?? [], rules);
    const checks: MysqlCheckIR[] = (checkBy.get(name) ?? []).map((r) => ({
      name: str(r.name),
      expression: serverExpression(str(r.clause), srv),
      ...(str(r.level).toLowerCase() === 'column' ? { column: str(r.name) } : {}),
    }));
    const options = tableOptions(str(t.engine), tableCollation, defaults);
    unmanaged.push(...commentsOf(name, t, commented.get(name) ?? [], idxBy.get(name) ?? []));
    tables.push({
      name, columns, primaryKey, uniques, indexes, foreignKeys,
      ...(checks.length ? { checks } : {}),
      ...(Object.keys(options).length ? { options } : {}),
    });
  }
  objects.push(...left.objects);
  unmanaged.push(...found.unmanaged);
  const schema: MysqlSchemaIR = {
    dialect: 'mysql', tables, defaults,
    ...(str(schemaRow?.collation) === '1' ? { lowerCaseTableNames: true as const } : {}),
    ...(objects.length ? { objects } : {}),
    ...(unmanaged.length ? { unmanaged } : {}),
  };
  const normalised = normaliseMysql(schema);
  for (const t of normalised.tables) freezeTable(t);
  return deepFreeze(normalised);
}
