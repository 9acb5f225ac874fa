/**
 * Running one MySQL/MariaDB statement with its stated algorithm (online.ts): when the server
 * answers that it cannot use it (ER_ALTER_OPERATION_NOT_SUPPORTED_REASON, 1845/1846), the next
 * weaker one is tried — INSTANT, then INPLACE with LOCK=NONE, then COPY. With `--online` a copy
 * of a table with rows is never run under a lock: pt-online-schema-change runs it when it is
 * installed and can, otherwise the run stops with `E_NOT_ONLINE` before the statement.
 *
 * A statement that only adds foreign keys and states INPLACE is run by online-foreign-key.ts
 * (foreign_key_checks off around it, the rows checked by a query after). With `--online`, one
 * stated COPY on a table with rows is run that way too, rather than refused (pt-online-schema-change
 * cannot add a foreign key).
 */
import { EvolveError, ErrorCode } from '../../errors.js';
import type { Batches } from '../dialect.js';
import type { MysqlConnection } from './connection.js';
import { nextWeaker, parseAlter, restate, statedAlgorithm, type MysqlAlgorithm } from './online.js';
import { ptOscPath, ptOscRefusal, runPtOsc } from './pt-osc.js';
import { mysqlSql } from './sql-builder.js';
import { addForeignKeysOnline, canWatchTransactions, foreignKeyAlter } from './online-foreign-key.js';
import { DEFAULT_LOCK_WAIT, type LockWait } from '../shared/lock.js';

/** The server cannot run the ALTER with the stated algorithm or lock. */
const notSupported = (e: unknown): boolean => {
  const err = e as { errno?: number; code?: string } | null;
  return err?.errno === 1845 || err?.errno === 1846 || /^ER_ALTER_OPERATION_NOT_SUPPORTED/.test(err?.code ?? '');
};

const unquote = (s: string): string => (s.startsWith('`') ? s.slice(1, -1).replace(/``/g, '`') : s);

/** Does `table` hold a row? */
async function hasRows(conn: MysqlConnection, table: string): Promise<boolean> {
  return (await conn.query(`SELECT 1 AS x FROM ${mysqlSql.table(table)} LIMIT 1`)).length > 0;
}

/**
 * Run `sql`, falling back to weaker algorithms as the server requires (see the module comment);
 * `batches`: pt-osc's chunks; `wait`: the run's lock wait (bounds the foreign key check's wait for older writers).
 */
export async function runOnline(
  conn: MysqlConnection, sql: string, online: boolean, batches?: Batches, wait: LockWait = DEFAULT_LOCK_WAIT,
): Promise<void> {
  const stated = statedAlgorithm(sql);
  const alter = parseAlter(sql);
  if (!stated || !alter) { await conn.execute(sql); return; }
  let a: MysqlAlgorithm = stated;
  let current = sql;
  const fk = foreignKeyAlter(sql);
  if (fk && (a === 'inplace' || (a === 'copy' && online && await hasRows(conn, fk.table))) && await canWatchTransactions(conn)) {
    try {
      await addForeignKeysOnline(conn, restate(sql, 'inplace'), fk, wait);
      return;
    } catch (e) {
      if (!notSupported(e)) throw e;
      a = 'copy'; // a server that cannot add the key in place even without the checks: copied (and checked) as before
      current = restate(sql, a);
    }
  }
  for (;;) {
    if (a === 'copy' && online && await hasRows(conn, unquote(alter.table))) {
      await copyOnline(conn, unquote(alter.table), current, batches);
      return;
    }
    try {
      await conn.execute(current);
      return;
    } catch (e) {
      const next: MysqlAlgorithm | null = notSupported(e) ? nextWeaker(a) : null;
      if (!next) throw e;
      a = next;
      current = restate(sql, a);
    }
  }
}

/** A copying ALTER on a table with rows under `--online`: pt-online-schema-change, or `E_NOT_ONLINE`. */
async function copyOnline(conn: MysqlConnection, table: string, sql: string, batches?: Batches): Promise<void> {
  const body = parseAlter(sql)!.body.replace(/,\s*ALGORITHM\s*=\s*\w+(?:\s*,\s*LOCK\s*=\s*\w+)?\s*$/i, '');
  const refusal = ptOscPath() === null ? 'pt-online-schema-change is not installed'
    : typeof conn.credentials !== 'function' ? 'the connection does not say where pt-online-schema-change should connect' : ptOscRefusal(body);
  if (refusal === null) { await runPtOsc(conn, table, body, batches); return; }
  throw new EvolveError(ErrorCode.NotOnline,
    `With --online, Evolve does not copy table ${table} under a write lock (the server cannot run this ALTER in place: ${sql}); ${refusal}.`, {
      hint: 'Install percona-toolkit (pt-online-schema-change) and apply with --online again, or apply without --online when writes ' +
        'to the table may wait for the copy.',
      details: { table, statement: sql },
    });
}
