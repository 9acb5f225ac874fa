/**
 * Galera URLs: `galera://user:password@host:3306/database`, read as `mysql://` URLs are
 * (`?ssl=`, `?connect_timeout=`). The scheme forces the Galera dialect: a server that is not a
 * Galera node is refused. A `mysql://` URL of a Galera node runs on it too (detected).
 */
import { parseSchemeUrl, redact, redactUrl, type DatabaseUrl } from '../shared/url-helpers.js';
import { parseMysqlUrl } from '../mysql/url.js';

/** Parse a Galera URL; null when `raw` is not one. */
export function parseGaleraUrl(raw: string): DatabaseUrl | null {
  const parsed = parseSchemeUrl(raw);
  if (!parsed || parsed.scheme !== 'galera') return null;
  const url = parseMysqlUrl(`mysql${raw.slice(raw.indexOf(':'))}`);
  return url ? { ...url, dialect: 'galera', raw } : null;
}

/** The URL of another node: `url` with its host and port replaced by `address` (`host:port`). */
export function nodeUrl(url: DatabaseUrl, address: string): DatabaseUrl {
  const u = new URL(url.raw);
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(address.trim());
  u.hostname = m?.[1] || u.hostname;
  u.port = m?.[2] ?? '3306';
  const raw = u.toString();
  return { ...url, raw, display: redact(redactUrl(raw)) };
}
