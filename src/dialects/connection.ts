/**
 * The one I/O seam: a connection to a database. Only introspection and apply use it.
 */
import type { DialectName } from '../ir/schema.js';

export type Row = Record<string, unknown>;

/**
 * An open connection to one database, as a dialect's `connect` returns it: queries and
 * statements run on it in order; `close` ends it.
 */
export interface Connection {
  readonly dialect: DialectName;
  /** The URL with any password removed, safe to print. */
  readonly displayUrl: string;
  /** Run a query with positional parameters and return its rows. */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Run one statement that returns no rows. */
  execute(sql: string): Promise<void>;
  /**
   * Each row of a query to `take` as the driver gives it, none kept (a reader that builds from
   * each row and drops it never holds them all: they die young); nothing else may use the
   * connection until it resolves. Where a driver cannot, absent: see {@link eachRow}.
   */
  eachRow?(sql: string, params: readonly unknown[], take: (row: Row) => void): Promise<void>;
  close(): Promise<void>;
}

/** A second session that only reads catalogs beside a connection (a dialect's `catalogReader()`). */
export interface CatalogReader {
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** Each row of `sql` to `take`: as the connection steps them where it can ({@link Connection.eachRow}), else all read first. */
export async function eachRow(conn: Connection, sql: string, params: readonly unknown[], take: (row: Row) => void): Promise<void> {
  if (typeof conn.eachRow === 'function') return conn.eachRow(sql, params, take);
  for (const r of await conn.query(sql, params)) take(r);
}

/**
 * Where catalog queries that may run beside `conn` go: the catalog reader `opening` gives (a
 * dialect's `catalogReader()`), else `conn` itself; a query the reader fails (its session lost,
 * say) runs again on `conn`.
 */
export async function besideReader(conn: Connection, opening: Promise<CatalogReader | undefined> | undefined): Promise<Pick<Connection, 'query'>> {
  const reader = opening === undefined ? undefined : await opening.catch(() => undefined);
  if (reader === undefined) return conn;
  return { query: (sql, params) => reader.query(sql, params).catch(() => conn.query(sql, params)) };
}
