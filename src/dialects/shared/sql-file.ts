/**
 * What every dialect's scratch shares when it parses a SQL file of CREATE statements (B13):
 * running the file's statements one by one (naming the one the database rejects), the former
 * names declared in its comments (`-- evolve:aka old_name`), and the names of scratch schemas
 * and databases, which carry their creation time so that those a killed client left behind
 * can be told from those in use and swept after an hour.
 */
import { randomBytes } from 'node:crypto';
import type { Connection } from '../connection.js';
import type { SchemaIR } from '../../ir/schema.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import { splitSql } from './sql-split.js';

const SCRATCH_PREFIX = '_evolve_scratch_';
/** Scratch schemas and databases older than this were left by a client that died: swept. */
export const SCRATCH_STALE_MS = 60 * 60 * 1000;
/** A LIKE pattern (as an SQL literal, backslash escapes) matching every scratch name. */
export const SCRATCH_LIKE = `'\\_evolve\\_scratch\\_%'`;

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
 * Drop the scratches that `listSql` finds (a query returning `name`) older than
 * {@link SCRATCH_STALE_MS}: left by a client killed mid-load (SIGINT, a crash), which never
 * reached its own cleanup. `drop` drops one. Best effort: a failure is ignored.
 */
export async function sweepScratches(conn: Connection, listSql: string, drop: (name: string) => Promise<void>, now = Date.now()): Promise<string[]> {
  const swept: string[] = [];
  try {
    for (const r of await conn.query(listSql)) {
      const name = String(r.name);
      const born = scratchBorn(name);
      if (born === null || now - born < SCRATCH_STALE_MS) continue;
      try {
        await drop(name);
        swept.push(name);
      } catch { /* another deployer swept it, or no privilege: leave it */ }
    }
  } catch { /* no catalog access: nothing to sweep */ }
  return swept;
}

/**
 * Run the statements of a SQL file, naming the one the database rejects.
 * @throws EvolveError `E_SQL_FAILED` with the file, the statement and its position.
 */
export async function loadStatements(conn: Connection, dialect: string, text: string, file: string): Promise<void> {
  const statements = splitSql(text);
  for (const [i, s] of statements.entries()) {
    try {
      await conn.execute(s);
    } catch (e) {
      throw new EvolveError(ErrorCode.SqlFailed, `Statement ${i + 1} of '${file}' was rejected by ${dialect}: ${(e as Error).message}.`, {
        hint: `Fix the statement in '${file}' (it must be valid ${dialect} DDL), then try again.`,
        details: { file, statement: s, index: i },
        cause: e,
      });
    }
  }
}
