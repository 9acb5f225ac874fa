/**
 * The open registry of dialects. A dialect registers itself with its name, a parser for the
 * URLs it owns and a lazy loader, so a SQLite run never loads pg or mysql2 and a program can add
 * a dialect (a flavour of a built-in one, or a new database) without touching Evolve. The
 * built-in three register the same way (`built-in.ts`).
 */
import type { Dialect } from './dialect.js';
import type { DatabaseUrl } from './shared/url-helpers.js';
import type { Connection } from './connection.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { BUILT_IN_DIALECTS } from './built-in.js';

/**
 * What a dialect tells the registry about itself.
 *
 * @example
 * ```ts
 * import { registerDialect, loadDialect, parseDatabaseUrl } from 'evolve';
 * registerDialect({
 *   name: 'pg-locked',
 *   parseUrl: (raw) => raw.startsWith('pglocked://') ? { ...parseDatabaseUrl(raw.replace('pglocked', 'postgres')), raw, dialect: 'pg-locked' } : null,
 *   load: async () => ({ ...(await loadDialect('postgres')), acquireLock: myLock }),
 * });
 * ```
 */
export interface DialectRegistration {
  /** The dialect's registered name: what {@link DatabaseUrl.dialect} holds for its URLs. */
  readonly name: string;
  /**
   * Parse `raw` when it is a URL of this dialect; null when it is not. A URL of this dialect
   * that is malformed throws `E_DB_URL` saying what is wrong (never showing the password).
   * The `raw` of the result is what {@link Dialect.connect} receives.
   */
  parseUrl(raw: string): DatabaseUrl | null;
  /** Load the dialect (import its drivers only now). */
  load(): Promise<Dialect>;
  /**
   * The registered name of the dialect this one is a flavour of: a connection opened by that
   * dialect is asked {@link detect}, and when it says yes the command runs on this dialect
   * instead (a `mysql://` URL of a Galera node runs on `galera`).
   */
  readonly flavourOf?: string;
  /** Is the server behind `conn` (opened by the {@link flavourOf} dialect) of this flavour? */
  detect?(conn: Connection): Promise<boolean>;
}

const registered: DialectRegistration[] = [...BUILT_IN_DIALECTS];
const loaded = new Map<string, Promise<Dialect>>();

/**
 * Register a dialect. Its URLs are recognised before those of dialects registered earlier,
 * so a flavour can claim a scheme of its own.
 * @throws EvolveError `E_USAGE` when a dialect of that name is already registered.
 */
export function registerDialect(registration: DialectRegistration): void {
  if (registered.some((r) => r.name === registration.name)) {
    throw new EvolveError(ErrorCode.Usage, `A dialect named '${registration.name}' is already registered.`, {
      hint: 'Give the new dialect a name of its own.',
    });
  }
  registered.unshift(registration);
}

/** The names of the registered dialects, the built-in ones last. */
export function dialectNames(): string[] {
  return registered.map((r) => r.name);
}

/** The first registered dialect's parse of `raw`, or null when no dialect owns it. */
export function parseRegisteredUrl(raw: string): DatabaseUrl | null {
  for (const r of registered) {
    const url = r.parseUrl(raw);
    if (url) return url;
  }
  return null;
}

/**
 * The dialect registered as `name`, loaded once.
 * @throws EvolveError `E_DB_URL` for a name no dialect is registered under.
 */
export function loadDialect(name: string): Promise<Dialect> {
  const r = registered.find((x) => x.name === name);
  if (!r) {
    return Promise.reject(new EvolveError(ErrorCode.DbUrl, `Unknown dialect '${String(name)}'.`, {
      hint: `Use one of ${dialectNames().join(', ')}, or register the dialect first (registerDialect).`,
    }));
  }
  let d = loaded.get(name);
  if (!d) {
    d = r.load();
    loaded.set(name, d);
    d.catch(() => loaded.delete(name));
  }
  return d;
}

/**
 * The registered flavour of dialect `name` that the server behind `conn` turns out to be
 * (see {@link DialectRegistration.flavourOf}), or null.
 */
export async function detectFlavour(name: string, conn: Connection): Promise<string | null> {
  for (const r of registered) {
    if (r.flavourOf === name && r.detect && await r.detect(conn)) return r.name;
  }
  return null;
}
