/** MySQL/MariaDB fleet patterns: `mysql://…/tenant_*` stands for one target per database the glob matches. */
import { EvolveError, ErrorCode } from '../../errors.js';
import type { ExpandOptions } from '../dialect.js';
import type { DatabaseUrl } from '../url.js';
import { isNamePattern, matchNames } from '../shared/targets.js';
import { connectMysql } from './connection.js';

/** Databases of the server itself. */
const SYSTEM = new Set(['information_schema', 'mysql', 'performance_schema', 'sys']);

/**
 * One URL per database the path's glob matches (`*`; sorted); null when the database name is no pattern.
 * @throws EvolveError `E_USAGE` for `--schema-pattern` (MySQL databases are its schemas: put the pattern in the URL).
 */
export async function expandMysqlTargets(url: DatabaseUrl, options: ExpandOptions): Promise<string[] | null> {
  if (options.schemaPattern !== undefined) {
    throw new EvolveError(ErrorCode.Usage, `--schema-pattern cannot apply to ${url.display}: on MySQL a schema is a database.`, {
      hint: "Put the pattern in the URL's database name: --db 'mysql://user@host/tenant_*'.",
    });
  }
  const u = new URL(url.raw);
  const pattern = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!isNamePattern(pattern, false)) return null;
  const listing = new URL(url.raw);
  listing.pathname = '/information_schema';
  const conn = await connectMysql({ ...url, raw: listing.toString() }, {
    readOnly: true, ...(options.connectTimeoutSeconds !== undefined ? { connectTimeoutSeconds: options.connectTimeoutSeconds } : {}),
  });
  let names: string[];
  try {
    names = (await conn.query('SELECT schema_name AS name FROM information_schema.schemata')).map((r) => String(r.name));
  } finally {
    await conn.close();
  }
  return matchNames(pattern, names.filter((n) => !SYSTEM.has(n))).map((name) => {
    const t = new URL(url.raw);
    t.pathname = '/' + encodeURIComponent(name);
    return t.toString();
  });
}
