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
  /**
   * Seconds to wait for a server to answer a new connection, from `?connect_timeout=` (server
   * dialects; 0: no limit, as libpq means it). Unset: the connect option, else
   * {@link DEFAULT_CONNECT_TIMEOUT}.
   */
  readonly connectTimeout?: number;
}

/** Seconds a server dialect waits for a new connection to be answered when nothing says otherwise. */
export const DEFAULT_CONNECT_TIMEOUT = 10;

/**
 * `?connect_timeout=SECONDS` of a server URL: undefined when absent.
 * @throws EvolveError `E_DB_URL` when it is not a number of seconds ≥ 0.
 */
export function connectTimeoutParam(raw: string, url: URL): number | undefined {
  const text = url.searchParams.get('connect_timeout');
  if (text === null) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    const shown = redact(redactUrl(raw));
    throw new EvolveError(ErrorCode.DbUrl, `Cannot use database URL '${shown}': connect_timeout must be a number of seconds, got '${redact(text)}'.`, {
      hint: 'Write ?connect_timeout=10 (seconds to wait for the server to answer; 0 waits as long as it takes), or leave it out for the default of 10.',
    });
  }
  return n;
}

/** The connect timeout in milliseconds: the URL's, else `optionSeconds`, else the default; 0: none. */
export function connectTimeoutMs(url: DatabaseUrl, optionSeconds: number | undefined): number {
  return Math.round((url.connectTimeout ?? optionSeconds ?? DEFAULT_CONNECT_TIMEOUT) * 1000);
}

/** Passwords of the URLs parsed in this process, in every spelling they may be shown in. */
const secrets = new Set<string>();

/**
 * Remember a URL's password, so that {@link redact} removes it from any text — also text that
 * quotes it outside a URL (a driver's error message) — whatever characters it holds.
 */
export function rememberSecret(password: string): void {
  if (password === '') return;
  const forms = [password];
  try { forms.push(decodeURIComponent(password)); } catch { /* not a valid escape: the raw form only */ }
  for (const f of [...forms]) forms.push(encodeURIComponent(f));
  // Short passwords are removed from URLs only: as free text they would blot out common words.
  for (const f of forms) if (f.length >= 4) secrets.add(f);
}

/**
 * One URL with its password replaced by `***`: everything between the `:` after the user name
 * and the last `@` (a password may hold `@`, `:`, `/`, spaces…). The password is remembered.
 */
export function redactUrl(raw: string): string {
  const start = raw.indexOf('://');
  if (start < 0) return raw;
  const at = raw.lastIndexOf('@');
  const colon = raw.indexOf(':', start + 3);
  if (at < 0 || colon < 0 || colon > at) return raw;
  rememberSecret(raw.slice(colon + 1, at));
  return `${raw.slice(0, colon + 1)}***${raw.slice(at)}`;
}

/**
 * Remove passwords from anything that may contain a URL: every password of a URL parsed in
 * this process, in any spelling, and the password part of anything shaped like a URL with one.
 */
export function redact(text: string): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s'"`]*:)[^\n'"`]*@/gi, '$1***@');
}

/** The forms of URL the built-in dialects take, as the errors list them. */
export const URL_FORMS = 'sqlite:PATH (or a path ending in .db or .sqlite), postgres://user@host/db, mysql://user@host/db or pglite:DIR';

/** The error for a URL that cannot be used, saying `why` (the password is never shown). */
export function badUrl(url: string, why: string): EvolveError {
  return new EvolveError(ErrorCode.DbUrl, `Cannot use database URL '${redact(redactUrl(url))}': ${why}.`, {
    hint: `Give --db as ${URL_FORMS}; percent-encode special characters in the user name and password (encodeURIComponent: @ as %40, / as %2F, % as %25).`,
  });
}

/**
 * The user name and password of a parsed URL, decoded and remembered for {@link redact}.
 * @throws EvolveError `E_DB_URL` for a malformed percent escape (the password is never shown).
 */
export function credentials(raw: string, url: URL): { user: string; password: string } {
  rememberSecret(url.password);
  try {
    const password = decodeURIComponent(url.password);
    rememberSecret(password);
    return { user: decodeURIComponent(url.username), password };
  } catch {
    throw badUrl(raw, 'the user name or password holds a % that is not followed by two hexadecimal digits');
  }
}

/** A `scheme://…` URL parsed, or the E_DB_URL error; null when `raw` has no `scheme://`. */
export function parseSchemeUrl(raw: string): { url: URL; scheme: string } | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return null;
  let url: URL;
  try { url = new URL(raw); } catch { throw badUrl(raw, 'it is not a valid URL'); }
  credentials(raw, url); // a malformed escape is refused here; the password is remembered
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
