/**
 * How the registry finds the Galera dialect: `galera://` URLs force it; a `mysql://` (or
 * `mariadb://`) URL runs on it when the server reports `wsrep_on=ON` (see `detect`).
 */
import type { DialectRegistration } from '../registry.js';
import type { Connection } from '../connection.js';
import { parseGaleraUrl } from './url.js';

/** Does the server behind `conn` replicate with Galera (`wsrep_on=ON`)? MySQL and plain MariaDB have no such variable. */
export async function isGaleraNode(conn: Connection): Promise<boolean> {
  const rows = await conn.query("SHOW GLOBAL VARIABLES LIKE 'wsrep_on'");
  return String(rows[0]?.Value ?? rows[0]?.value ?? '').toUpperCase() === 'ON';
}

/** The galera dialect's registration (a flavour of mysql). */
export const galeraRegistration: DialectRegistration = {
  name: 'galera',
  parseUrl: parseGaleraUrl,
  flavourOf: 'mysql',
  detect: isGaleraNode,
  load: async () => (await import('./index.js')).galeraDialect,
};
