/**
 * Adding a foreign key online on MySQL/MariaDB (issue 16): the analogue of PostgreSQL's
 * `ADD … NOT VALID` then `VALIDATE CONSTRAINT`.
 *
 * With the session's `foreign_key_checks = 1` InnoDB adds a foreign key only by copying the table
 * (ALGORITHM=COPY: every row checked, writes wait for the whole copy). With it off the key is
 * added in place (ALGORITHM=INPLACE, LOCK=NONE): only the definition changes — where the key's
 * columns have no index, one is built from the rows while writes go on — and no row is checked.
 * So a statement that only adds foreign keys, stated INPLACE (online-plan.ts states it so for a
 * table with rows), runs as:
 *
 * 1. a record per key in `_evolve_fk_pending` (committed): the key is not yet known to hold, and
 *    whether the index named after it will be the key's own (built by the ALTER);
 * 2. the ALTER, with `foreign_key_checks = 0` set for the session just around it (set back to 1
 *    right after, also when it fails);
 * 3. a wait for the transactions that may have written rows before the key existed (below);
 * 4. a plain query (no locks): rows of the table whose key columns are all set and that match no
 *    row of the referenced table, a few of them to name;
 * 5. none: the record is deleted. Some: the key is dropped again (instant; with the index it
 *    brought), the record deleted, and the run stops with `E_FOREIGN_KEY_VIOLATION` naming them.
 *
 * (A session whose checks are already off — a stored evolution that ran `SET foreign_key_checks
 * = 0` — runs the statement as it is: it asked for no check.)
 *
 * Why the query after the ALTER is enough. Once the ALTER has committed, InnoDB enforces the key
 * on every later write (a row of the table inserted or its key changed; a referenced row deleted
 * or its key changed), so only writes made before can break it, and those are committed or in
 * flight:
 * - writes to the table itself: the ALTER ends by taking an exclusive metadata lock on it, which
 *   waits for every transaction that touched the table (each holds its metadata lock until it
 *   ends, and the ALTER's wait is bounded by `lock_wait_timeout` and retried like any other);
 *   when it commits, every earlier write to the table is committed or rolled back;
 * - writes to the referenced table: the ALTER takes no lock there that waits for them (measured
 *   on MariaDB 10.11: a transaction that deleted a referenced row before the ALTER and committed
 *   after it left a row the key never checked). So step 3 waits, without locking anything, for
 *   every transaction that was open when the ALTER ended and has written or locked rows or is
 *   running a statement other than a SELECT (information_schema.INNODB_TRX, read at least 150 ms
 *   after the ALTER: InnoDB refreshes it at most every 100 ms), for at most the run's
 *   lock wait × tries; when they do not end in time the key is dropped again and the run stops
 *   with `E_LOCK_TIMEOUT` naming them.
 * The query then reads a snapshot taken after all of them: every row that could break the key is
 * in it, and every row written later is checked by the key itself.
 *
 * A deployer killed between step 1 and step 5 leaves the record (an `_evolve*` table: never part
 * of a fingerprint). The next apply reads it (OnlineFacts.unvalidated) and its plan runs the
 * statement again first (online-plan.ts): with the key already there the ALTER is skipped and
 * steps 3–5 check it; where the key never got added the plan adds it as usual, and the record
 * still says whether its index is the key's own. A run of other steps (a stored evolution) checks
 * the keys left pending before its first step ({@link checkPendingKeys}).
 */
import { EvolveError, ErrorCode } from '../../errors.js';
import type { Blocker, LockWait } from '../shared/lock.js';
import { backoffMs, blockersText, sleep } from '../shared/lock.js';
import type { Connection } from '../connection.js';
import type { MysqlConnection } from './connection.js';
import { alterClauses, parseAlter, statedAlgorithm } from './online.js';
import { mysqlSql } from './sql-builder.js';

const q = mysqlSql.ident;
const lit = mysqlSql.literal;

/** Evolve's record of keys added without a row check whose check has not finished. */
export const PENDING_KEYS_TABLE = '_evolve_fk_pending';

/** One `ADD CONSTRAINT … FOREIGN KEY` clause, its names unquoted. */
export interface ForeignKeyClause {
  readonly name: string;
  readonly columns: readonly string[];
  readonly refTable: string;
  readonly refColumns: readonly string[];
}

/** An ALTER TABLE that only adds foreign keys. */
export interface ForeignKeyAlter {
  readonly table: string;
  readonly keys: readonly ForeignKeyClause[];
}

const ID = '(?:`(?:[^`]|``)+`|[\\w$]+)';
const LIST = `\\(\\s*${ID}(?:\\s*,\\s*${ID})*\\s*\\)`;
const CLAUSE = new RegExp(`^ADD\\s+CONSTRAINT\\s+(${ID})\\s+FOREIGN\\s+KEY\\s*(?:${ID}\\s*)?(${LIST})\\s*REFERENCES\\s+(${ID})\\s*(${LIST})`, 'i');
const unquote = (s: string): string => (s.startsWith('`') ? s.slice(1, -1).replace(/``/g, '`') : s);
const names = (list: string): string[] => (list.slice(1, -1).match(new RegExp(ID, 'g')) ?? []).map(unquote);

/** The keys `sql` adds when it is an ALTER TABLE of named `ADD CONSTRAINT … FOREIGN KEY` clauses only; null otherwise. */
export function foreignKeyAlter(sql: string): ForeignKeyAlter | null {
  const alter = parseAlter(sql);
  if (!alter) return null;
  const clauses = alterClauses(alter.body).filter((c) => !/^(?:ALGORITHM|LOCK)\s*=/i.test(c));
  const keys: ForeignKeyClause[] = [];
  for (const c of clauses) {
    const m = CLAUSE.exec(c);
    if (!m) return null;
    keys.push({ name: unquote(m[1]!), columns: names(m[2]!), refTable: unquote(m[3]!), refColumns: names(m[4]!) });
  }
  return keys.length ? { table: unquote(alter.table), keys } : null;
}

/** True for a statement this module runs: it only adds foreign keys and states ALGORITHM=INPLACE. */
export function isOnlineForeignKey(sql: string): boolean {
  return statedAlgorithm(sql) === 'inplace' && foreignKeyAlter(sql) !== null;
}

const CREATE_PENDING = `CREATE TABLE IF NOT EXISTS ${q(PENDING_KEYS_TABLE)} (table_name VARCHAR(64) NOT NULL, ` +
  'constraint_name VARCHAR(64) NOT NULL, own_index TINYINT NOT NULL, started DATETIME NOT NULL, PRIMARY KEY (table_name, constraint_name)) ENGINE=InnoDB';

/** The keys left pending (table, constraint) by runs that did not finish checking them; none when the record does not exist. */
export async function pendingKeys(conn: Connection): Promise<{ table: string; name: string; ownIndex: boolean }[]> {
  const exists = await conn.query('SELECT 1 AS x FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [PENDING_KEYS_TABLE]);
  if (!exists.length) return [];
  const rows = await conn.query(`SELECT table_name AS t, constraint_name AS n, own_index AS o FROM ${q(PENDING_KEYS_TABLE)} ORDER BY 1, 2`);
  return rows.map((r) => ({ table: String(r.t), name: String(r.n), ownIndex: Number(r.o) === 1 }));
}

/** The foreign keys of `table` that exist, by name. */
async function presentKeys(conn: Connection, table: string): Promise<Set<string>> {
  const rows = await conn.query('SELECT CONSTRAINT_NAME AS n FROM information_schema.REFERENTIAL_CONSTRAINTS ' +
    'WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ?', [table]);
  return new Set(rows.map((r) => String(r.n)));
}

async function indexNames(conn: Connection, table: string): Promise<Set<string>> {
  const rows = await conn.query('SELECT DISTINCT INDEX_NAME AS n FROM information_schema.STATISTICS ' +
    'WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [table]);
  return new Set(rows.map((r) => String(r.n)));
}

/** Transactions of other sessions that have written or locked rows, or run a statement that may write (see the module comment). */
const WRITERS = 'SELECT t.trx_id AS id, t.trx_mysql_thread_id AS pid, TIMESTAMPDIFF(SECOND, t.trx_started, NOW()) AS xact, ' +
  't.trx_state AS state, t.trx_query AS query, CONCAT(p.USER, \'@\', p.HOST) AS application ' +
  'FROM information_schema.INNODB_TRX t LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id ' +
  'WHERE t.trx_mysql_thread_id <> CONNECTION_ID() AND (t.trx_rows_modified > 0 OR t.trx_rows_locked > 0 OR ' +
  "(t.trx_query IS NOT NULL AND t.trx_query NOT REGEXP '^[[:space:]]*(SELECT|SHOW)'))";

/** True when this session can see other sessions' transactions (INNODB_TRX needs the PROCESS privilege): without that, no online key. */
export async function canWatchTransactions(conn: Connection): Promise<boolean> {
  try {
    await conn.query(`${WRITERS} LIMIT 0`);
    return true;
  } catch {
    return false;
  }
}

const blocker = (r: Record<string, unknown>): Blocker => ({
  pid: Number(r.pid), application: String(r.application ?? ''), state: `transaction ${String(r.state ?? '').toLowerCase()}`,
  transactionSeconds: r.xact === null || r.xact === undefined ? null : Number(r.xact), query: String(r.query ?? ''),
});

/**
 * InnoDB answers information_schema.INNODB_TRX from a cache refreshed at most every 100 ms
 * (trx0i_s.cc): a read this long after the ALTER is answered from a refresh made after it ended.
 */
const TRX_CACHE_MS = 150;

/** Wait until the writing transactions open when the ALTER ended have ended; the ones still open after the budget, or none. */
async function waitForWriters(conn: Connection, wait: LockWait): Promise<Blocker[]> {
  await sleep(TRX_CACHE_MS);
  const ids = (await conn.query(WRITERS)).map((r) => String(r.id));
  if (!ids.length) return [];
  const still = `${WRITERS} AND t.trx_id IN (${ids.map(lit).join(', ')})`;
  const deadline = Date.now() + wait.waitMs * (wait.retries + 1);
  for (let round = 1; ; round++) {
    const open = await conn.query(still);
    if (!open.length) return [];
    if (Date.now() >= deadline) return open.map(blocker);
    await sleep(Math.min(200, 10 * round));
  }
}

/** Up to `limit` rows of `table` that break `key`: all key columns set, no referenced row. */
export function orphansSql(table: string, key: ForeignKeyClause, limit: number): string {
  const ch = q('evolve_child');
  const pa = q('evolve_parent');
  const set = key.columns.map((c) => `${ch}.${q(c)} IS NOT NULL`).join(' AND ');
  const match = key.refColumns.map((c, i) => `${pa}.${q(c)} = ${ch}.${q(key.columns[i]!)}`).join(' AND ');
  return `SELECT ${key.columns.map((c, i) => `${ch}.${q(c)} AS ${q(`v${i}`)}`).join(', ')} FROM ${mysqlSql.table(table)} ${ch} ` +
    `WHERE ${set} AND NOT EXISTS (SELECT 1 FROM ${mysqlSql.table(key.refTable)} ${pa} WHERE ${match}) LIMIT ${limit}`;
}

const isLockWait = (e: unknown): boolean => (e as { errno?: number } | null)?.errno === 1205;

/** Run `sql` (DDL) with this session's foreign_key_checks off, set back on right after. */
async function withoutKeyChecks(conn: Connection, sql: string): Promise<void> {
  await conn.execute('SET SESSION foreign_key_checks = 0');
  try {
    await conn.execute(sql);
  } finally {
    await conn.execute('SET SESSION foreign_key_checks = 1');
  }
}

/** Drop `keys` of `table` again, with the indexes they brought; retried while it waits for a lock. */
async function dropAgain(conn: Connection, table: string, keys: readonly ForeignKeyClause[], own: ReadonlySet<string>, wait: LockWait): Promise<boolean> {
  const present = await presentKeys(conn, table);
  const indexes = await indexNames(conn, table);
  const parts = keys.filter((k) => present.has(k.name)).map((k) => `DROP FOREIGN KEY ${q(k.name)}`);
  const dropIndexes = keys.filter((k) => own.has(k.name) && indexes.has(k.name));
  parts.push(...dropIndexes.map((k) => `DROP INDEX ${q(k.name)}`));
  if (parts.length) {
    const sql = `ALTER TABLE ${mysqlSql.table(table)} ${parts.join(', ')}, ALGORITHM=INPLACE, LOCK=NONE`;
    for (let tries = 0; ; tries++) {
      try {
        await conn.execute(sql);
        break;
      } catch (e) {
        if (!isLockWait(e) || tries >= wait.retries) throw e;
        await sleep(backoffMs(tries + 1, wait.waitMs));
      }
    }
  }
  await clearPending(conn, table, keys.map((k) => k.name));
  return dropIndexes.length > 0;
}

/** Delete the records of `keys` of `table`; the record table goes when it is left empty (nothing of Evolve's stays behind). */
async function clearPending(conn: Connection, table: string, keys: readonly string[]): Promise<void> {
  if (!keys.length) return;
  await conn.execute(`DELETE FROM ${q(PENDING_KEYS_TABLE)} WHERE table_name = ${lit(table)} AND constraint_name IN (${keys.map(lit).join(', ')})`);
  if (!(await conn.query(`SELECT 1 AS x FROM ${q(PENDING_KEYS_TABLE)} LIMIT 1`)).length) await conn.execute(`DROP TABLE IF EXISTS ${q(PENDING_KEYS_TABLE)}`);
}

const tuple = (xs: readonly unknown[]): string => (xs.length === 1 ? String(xs[0]) : `(${xs.join(', ')})`);

/** The error for `key` of `table`, broken by `rows` (as {@link orphansSql} reads them). */
function violation(table: string, key: ForeignKeyClause, rows: readonly Record<string, unknown>[], index: boolean): EvolveError {
  const cols = key.columns.join(', ');
  const values = rows.map((r) => tuple(key.columns.map((_, i) => (r[`v${i}`] === null ? 'NULL' : String(r[`v${i}`])))));
  const examples = values.map((v) => `${tuple(key.columns)} = ${v}`).join('; ');
  const counted = rows.length === 5 ? 'at least 5 rows' : `${rows.length} row${rows.length === 1 ? '' : 's'}`;
  return new EvolveError(ErrorCode.ForeignKeyViolation,
    `Foreign key ${key.name} on ${table} (${cols}) → ${key.refTable} (${key.refColumns.join(', ')}) does not hold: ` +
    `${counted} of ${table} reference${rows.length === 1 ? 's' : ''} no ${key.refTable} row ` +
    `(${examples}). The key was dropped again${index ? ', with the index it brought' : ''}: ${table} is as it was before the statement.`, {
      hint: `Insert the missing ${key.refTable} rows, or set those ${table}.${cols} values to NULL (or delete the rows), then apply again.`,
      details: { table, constraint: key.name, columns: key.columns, refTable: key.refTable, refColumns: key.refColumns, examples: values },
    });
}

/** Steps 3–5 of the module comment for `keys` of `table`, added (or found added) without a row check. */
async function check(
  conn: MysqlConnection | Connection, table: string, keys: readonly ForeignKeyClause[], own: ReadonlySet<string>, wait: LockWait,
): Promise<void> {
  const waiting = await waitForWriters(conn, wait);
  if (waiting.length) {
    const index = await dropAgain(conn, table, keys, own, wait);
    const budget = wait.waitMs * (wait.retries + 1);
    throw new EvolveError(ErrorCode.LockTimeout,
      `Checking foreign key ${keys.map((k) => k.name).join(', ')} on ${table} (${conn.displayUrl}) waited ${budget} ms for transactions ` +
        `that were writing when the key was added, and they are still open: ${blockersText(waiting)}. They may still break the key, ` +
        `so it was dropped again${index ? ' with its index' : ''}: ${table} is as it was before the statement.`, {
        hint: 'Let the transactions finish (a long-open transaction keeps what it wrote uncommitted until it ends), then apply again; ' +
          'or raise --lock-wait MS / --retries N (the wait is their product).',
        details: { table, constraints: keys.map((k) => k.name), waitedMs: budget, blockers: waiting },
      });
  }
  for (const key of keys) {
    const rows = await conn.query(orphansSql(table, key, 5));
    if (!rows.length) continue;
    const index = await dropAgain(conn, table, keys, own, wait);
    throw violation(table, key, rows, index);
  }
  await clearPending(conn, table, keys.map((k) => k.name));
}

/**
 * Run `sql`, an ALTER that only adds the foreign keys `fk` stating ALGORITHM=INPLACE, as the
 * module comment says: recorded, added with foreign_key_checks off, waited for, checked.
 * @throws EvolveError `E_FOREIGN_KEY_VIOLATION` naming rows that break a key (the keys dropped
 *   again); `E_LOCK_TIMEOUT` when writers older than the keys do not end in time. What the ALTER
 *   throws is rethrown (a lock wait is retried by the run, an unsupported algorithm falls back).
 */
export async function addForeignKeysOnline(conn: MysqlConnection, sql: string, fk: ForeignKeyAlter, wait: LockWait): Promise<void> {
  // A run that switched the checks off itself (a stored evolution's `SET foreign_key_checks = 0`) asked for no check: none is made.
  if (Number((await conn.query('SELECT @@SESSION.foreign_key_checks AS f'))[0]?.f) === 0) { await conn.execute(sql); return; }
  await conn.execute(CREATE_PENDING);
  const pending = new Map((await pendingKeys(conn)).filter((p) => p.table === fk.table).map((p) => [p.name, p.ownIndex]));
  const present = await presentKeys(conn, fk.table);
  const resumed = fk.keys.every((k) => present.has(k.name) && pending.has(k.name));
  if (!resumed) {
    const indexes = await indexNames(conn, fk.table);
    const fresh = fk.keys.filter((k) => !pending.has(k.name));
    for (const k of fresh) {
      const ownIndex = indexes.has(k.name) ? 0 : 1;
      pending.set(k.name, ownIndex === 1);
      await conn.execute(`INSERT IGNORE INTO ${q(PENDING_KEYS_TABLE)} (table_name, constraint_name, own_index, started) ` +
        `VALUES (${lit(fk.table)}, ${lit(k.name)}, ${ownIndex}, NOW())`);
    }
    try {
      await withoutKeyChecks(conn, sql);
    } catch (e) {
      // Nothing was added: the records this try wrote go (those of an earlier run stay, with what they know).
      await clearPending(conn, fk.table, fresh.map((k) => k.name)).catch(() => undefined);
      throw e;
    }
  }
  const own = new Set([...pending].filter(([, o]) => o).map(([n]) => n));
  await check(conn, fk.table, fk.keys, own, wait);
}

/**
 * Before a run's steps: check the keys a run that did not finish left pending (the module
 * comment), except those one of `statements` adds again (the plan's own repair). Records of keys
 * that are not there are deleted.
 * @throws EvolveError as {@link addForeignKeysOnline}'s check.
 */
export async function checkPendingKeys(conn: Connection, statements: readonly string[], wait: LockWait): Promise<void> {
  const pending = await pendingKeys(conn);
  if (!pending.length) return;
  const readded = new Set(statements.flatMap((s) => {
    const fk = foreignKeyAlter(s);
    return fk ? fk.keys.map((k) => `${fk.table}\u0000${k.name}`) : [];
  }));
  for (const p of pending) {
    if (readded.has(`${p.table}\u0000${p.name}`)) continue;
    const rows = await conn.query('SELECT k.COLUMN_NAME AS c, k.REFERENCED_TABLE_NAME AS rt, k.REFERENCED_COLUMN_NAME AS rc ' +
      'FROM information_schema.KEY_COLUMN_USAGE k WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? AND k.CONSTRAINT_NAME = ? ' +
      'AND k.REFERENCED_TABLE_NAME IS NOT NULL ORDER BY k.ORDINAL_POSITION', [p.table, p.name]);
    if (!rows.length) { await clearPending(conn, p.table, [p.name]); continue; }
    const key: ForeignKeyClause = {
      name: p.name, columns: rows.map((r) => String(r.c)), refTable: String(rows[0]!.rt), refColumns: rows.map((r) => String(r.rc)),
    };
    await check(conn, p.table, [key], new Set(p.ownIndex ? [p.name] : []), wait);
  }
}
