/**
 * Scratch schemas (PostgreSQL) and databases (MySQL; PostgreSQL with extra schemas) that SQL
 * files are parsed in: named with their creation time, so the ones a killed client left behind
 * (SIGINT mid-load, a crash) can be told from those in use and swept after an hour.
 */
import { randomBytes } from 'node:crypto';
import type { Dialect } from '../dialects/dialect.js';
import type { Connection } from '../dialects/connection.js';

const SCRATCH_PREFIX = '_evolve_scratch_';
/** Scratch schemas and databases older than this were left by a client that died: swept. */
export const SCRATCH_STALE_MS = 60 * 60 * 1000;

/** A fresh scratch name, carrying its creation time: `_evolve_scratch_<seconds, base 36>_<random>`. */
export function scratchName(now = Date.now()): string {
  return `${SCRATCH_PREFIX}${Math.floor(now / 1000).toString(36)}_${randomBytes(5).toString('hex')}`;
}

/** When a scratch was made (ms since the epoch), from its name; null for a name that does not say. */
export function scratchBorn(name: string): number | null {
  const m = /^_evolve_scratch_([0-9a-z]{1,12})_[0-9a-f]{10}$/.exec(name);
  return m ? parseInt(m[1]!, 36) * 1000 : null;
}

/**
 * Drop the scratch schemas (PostgreSQL) or databases (MySQL; PostgreSQL with extra schemas)
 * of this server older than {@link SCRATCH_STALE_MS}: left by a client killed mid-load
 * (SIGINT, a crash), which never reached its own cleanup. Best effort: a failure is ignored.
 */
export async function sweepScratches(conn: Connection, dialect: Dialect, what: 'schema' | 'database', now = Date.now()): Promise<string[]> {
  const like = `'\\_evolve\\_scratch\\_%'`;
  const list = dialect.name === 'mysql' ? `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ${like}`
    : what === 'schema' ? `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE ${like}`
      : `SELECT datname AS name FROM pg_database WHERE datname LIKE ${like}`;
  const swept: string[] = [];
  try {
    for (const r of await conn.query(list)) {
      const name = String(r.name);
      const born = scratchBorn(name);
      if (born === null || now - born < SCRATCH_STALE_MS) continue;
      const q = dialect.sql.ident(name);
      const drop = what === 'schema' ? `DROP SCHEMA IF EXISTS ${q} CASCADE` : `DROP DATABASE IF EXISTS ${q}`;
      try {
        await (dialect.name === 'postgres' && what === 'database' ? conn.execute(`${drop} WITH (FORCE)`).catch(() => conn.execute(drop)) : conn.execute(drop));
        swept.push(name);
      } catch { /* another deployer swept it, or no privilege: leave it */ }
    }
  } catch { /* no catalog access: nothing to sweep */ }
  return swept;
}
