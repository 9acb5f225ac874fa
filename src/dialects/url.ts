/**
 * Database URLs: `sqlite:PATH` (or a bare `*.db` / `*.sqlite` path), `postgres://…`,
 * `mysql://…`, `pglite:DIR`, and the URLs of dialects a program registered. Each dialect
 * parses its own (see `registry.ts`); passwords never leave these modules except to the driver.
 */
import { badUrl, parseSchemeUrl } from './shared/url-helpers.js';
import type { DatabaseUrl } from './shared/url-helpers.js';
import { parseRegisteredUrl } from './registry.js';

export type { DatabaseUrl } from './shared/url-helpers.js';
export { redact, parseSchemaList, connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT } from './shared/url-helpers.js';

/**
 * Parse a database URL: the registered dialect that owns it parses it.
 * @throws EvolveError `E_DB_URL` naming what is wrong (the password is never shown).
 */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  if (typeof url !== 'string' || url.trim() === '') throw badUrl(String(url), 'it is empty');
  const u = url.trim();
  const parsed = parseRegisteredUrl(u);
  if (parsed) return parsed;
  const scheme = parseSchemeUrl(u);
  if (scheme) throw badUrl(u, `unknown scheme '${scheme.scheme}'`);
  throw badUrl(u, 'it is neither a URL with a known scheme nor a path ending in .db or .sqlite');
}
