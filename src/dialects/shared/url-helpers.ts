/**
 * Database URLs as every dialect's parser builds them. Passwords never leave these modules
 * except to the driver: {@link redact} removes them from anything shown.
 */
import { EvolveError, ErrorCode } from '../../errors.js';

/** A parsed database URL. */
export interface DatabaseUrl {
  /** The registered dialect that owns the URL (`sqlite`, `postgres`, `mysql`, or one a program registered). */
  readonly dialect: string;
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

/** Remove passwords from anything that may contain a URL. */
export function redact(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
}

/** The forms of URL the built-in dialects take, as the errors list them. */
export const URL_FORMS = 'sqlite:PATH (or a path ending in .db or .sqlite), postgres://user@host/db, mysql://user@host/db or pglite:DIR';

/** The error for a URL that cannot be used, saying `why` (the password is never shown). */
export function badUrl(url: string, why: string): EvolveError {
  return new EvolveError(ErrorCode.DbUrl, `Cannot use database URL '${redact(url)}': ${why}.`, {
    hint: `Give --db as ${URL_FORMS}.`,
  });
}

/** A `scheme://…` URL parsed, or the E_DB_URL error; null when `raw` has no `scheme://`. */
export function parseSchemeUrl(raw: string): { url: URL; scheme: string } | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return null;
  let url: URL;
  try { url = new URL(raw); } catch { throw badUrl(raw, 'it is not a valid URL'); }
  return { url, scheme: url.protocol.replace(/:$/, '').toLowerCase() };
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
