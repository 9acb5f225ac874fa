/**
 * Database URLs: `sqlite:PATH` (or a bare `*.db` / `*.sqlite` path), `postgres://…`,
 * `mysql://…`, `pglite:DIR`. Passwords never leave this module except to the driver.
 */
import { EvolveError, ErrorCode } from '../errors.js';
import type { DialectName } from '../ir/schema.js';

export interface DatabaseUrl {
  readonly dialect: DialectName;
  /** The URL as given (may hold a password: never print it). */
  readonly raw: string;
  /** The URL with the password replaced by `***`. */
  readonly display: string;
  /** SQLite file path or `:memory:`; PGlite directory. */
  readonly path?: string;
  /** PGlite (in-process PostgreSQL). */
  readonly pglite?: boolean;
  /** PostgreSQL schema from `?schema=` (default public). */
  readonly schema?: string;
  /**
   * PostgreSQL schemas managed beside the primary one, from `?schemas=a,b` (or `--schemas`):
   * their tables and objects are named `schema.name` in the IR.
   */
  readonly schemas?: readonly string[];
}

/**
 * A list of extra PostgreSQL schemas (`billing,audit`, or an array) as names: trimmed, empty
 * entries and repeats left out, the primary schema left out (it is always managed).
 * @throws EvolveError `E_USAGE` for a name Evolve cannot address (one with a dot).
 */
export function parseSchemaList(list: string | readonly string[] | undefined, primary = 'public'): string[] {
  if (list === undefined) return [];
  const names = (typeof list === 'string' ? list.split(',') : [...list]).map((s) => String(s).trim()).filter((s) => s !== '');
  for (const n of names) {
    if (n.includes('.')) {
      throw new EvolveError(ErrorCode.Usage, `Schema name '${n}' in the list of extra schemas contains a dot.`, {
        hint: 'Evolve names tables of extra schemas schema.table, so a schema name cannot contain a dot; rename the schema or leave it out of --schemas.',
      });
    }
  }
  return [...new Set(names)].filter((n) => n !== primary);
}

/** Remove passwords from anything that may contain a URL. */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
}

function badUrl(url: string, why: string): EvolveError {
  return new EvolveError(ErrorCode.DbUrl, `Cannot use database URL '${redact(url)}': ${why}.`, {
    hint: 'Give --db as sqlite:PATH (or a path ending in .db or .sqlite), postgres://user@host/db, mysql://user@host/db or pglite:DIR.',
  });
}

/**
 * Parse a database URL.
 * @throws EvolveError `E_DB_URL` naming what is wrong (the password is never shown).
 */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  if (typeof url !== 'string' || url.trim() === '') throw badUrl(String(url), 'it is empty');
  const u = url.trim();
  if (/^sqlite:/i.test(u)) {
    let path = u.replace(/^sqlite:(\/\/)?/i, '');
    if (path === '' ) throw badUrl(u, 'no file path after sqlite:');
    if (path === 'memory' || path === ':memory:') path = ':memory:';
    return { dialect: 'sqlite', raw: u, display: u, path };
  }
  if (/^pglite:/i.test(u)) {
    const path = u.replace(/^pglite:(\/\/)?/i, '');
    return { dialect: 'postgres', raw: u, display: u, path: path === '' || path === 'memory' ? ':memory:' : path, pglite: true };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) {
    let parsed: URL;
    try { parsed = new URL(u); } catch { throw badUrl(u, 'it is not a valid URL'); }
    const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
    const display = redact(u);
    if (scheme === 'postgres' || scheme === 'postgresql') {
      if (!parsed.hostname && !parsed.searchParams.get('host')) throw badUrl(u, 'no host');
      const schema = parsed.searchParams.get('schema') ?? undefined;
      const list = parsed.searchParams.get('schemas');
      const schemas = list === null ? [] : parseSchemaList(list, schema ?? 'public');
      return { dialect: 'postgres', raw: u, display, ...(schema ? { schema } : {}), ...(schemas.length ? { schemas } : {}) };
    }
    if (scheme === 'mysql' || scheme === 'mariadb') {
      if (!parsed.hostname) throw badUrl(u, 'no host');
      if (parsed.pathname.replace(/^\//, '') === '') throw badUrl(u, 'no database name (mysql://user@host/DATABASE)');
      return { dialect: 'mysql', raw: u, display };
    }
    throw badUrl(u, `unknown scheme '${scheme}'`);
  }
  if (/\.(db|sqlite|sqlite3)$/i.test(u)) return { dialect: 'sqlite', raw: u, display: u, path: u };
  throw badUrl(u, 'it is neither a URL with a known scheme nor a path ending in .db or .sqlite');
}
