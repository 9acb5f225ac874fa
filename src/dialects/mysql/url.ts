/** MySQL/MariaDB URLs: `mysql://user:password@host:3306/database` (or `mariadb://`), with `?ssl=` and `?connect_timeout=SECONDS`. */
import { badUrl, connectTimeoutParam, parseSchemeUrl, redact, redactUrl, type DatabaseUrl } from '../shared/url-helpers.js';

/** Parse a MySQL URL; null when `raw` is not one. */
export function parseMysqlUrl(raw: string): DatabaseUrl | null {
  const parsed = parseSchemeUrl(raw);
  if (!parsed || (parsed.scheme !== 'mysql' && parsed.scheme !== 'mariadb')) return null;
  if (!parsed.url.hostname) throw badUrl(raw, 'no host');
  if (parsed.url.pathname.replace(/^\//, '') === '') throw badUrl(raw, 'no database name (mysql://user@host/DATABASE)');
  const connectTimeout = connectTimeoutParam(raw, parsed.url);
  return { dialect: 'mysql', raw, display: redact(redactUrl(raw)), ...(connectTimeout !== undefined ? { connectTimeout } : {}) };
}
