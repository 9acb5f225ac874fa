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
  close(): Promise<void>;
}
