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
 * A statement's text after its leading comments and white space (`-- …` lines, `/* … *\/`
 * blocks; a MySQL versioned comment `/*! … *\/` is code, so it stays).
 */
export function statementHead(statement: string): string {
  let s = statement;
  for (;;) {
    const t = s.replace(/^\s+/, '');
    if (t.startsWith('--')) { const end = t.indexOf('\n'); s = end === -1 ? '' : t.slice(end + 1); continue; }
    if (t.startsWith('/*') && !t.startsWith('/*!')) { const end = t.indexOf('*/', 2); s = end === -1 ? '' : t.slice(end + 2); continue; }
    return t;
  }
}

/** The first `count` words of a statement (after its comments), upper-cased: `['CREATE', 'TABLE']`. */
export function statementWords(statement: string, count = 3): string[] {
  return statementHead(statement).split(/[\s(;]+/, count + 1).slice(0, count).map((w) => w.toUpperCase());
}

/** How a dialect's sandbox treats the statements of a SQL file. */
export interface LoadRules {
  /** Why the statement may not run (refused before anything runs), or null. */
  readonly refuse?: (statement: string) => string | null;
  /** True for a statement the scratch leaves out: it does not change the schema Evolve reads (owners, grants). */
  readonly skip?: (statement: string) => boolean;
  /** True for a database error meaning the sandbox denied the statement (it reaches beyond the scratch). */
  readonly denied?: (e: unknown) => boolean;
  /**
   * Given the error of a statement, make what it lacked (e.g. a stand-in for a table the file
   * refers to but does not create) and say whether to run the statement again.
   */
  readonly supply?: (e: unknown) => Promise<boolean>;
}

const locate = (file: string, i: number, n: number): string => `Statement ${i + 1} of ${n} in '${file}'`;

/**
 * Refuse, before anything runs, a SQL file that holds a client meta-command (psql's or mysql's
 * `\connect`, `\!`, …: Evolve hands statements to the server, never to a client) or a
 * statement the dialect's sandbox refuses.
 * @throws EvolveError `E_SQL_REFUSED` naming the statement.
 */
export function refuseStatements(statements: readonly string[], dialect: string, file: string, rules: LoadRules): void {
  for (const [i, s] of statements.entries()) {
    const head = statementHead(s);
    const why = head.startsWith('\\')
      ? 'it is a client meta-command (psql and mysql read those; a server never does)'
      : rules.refuse?.(s) ?? null;
    if (why === null) continue;
    throw new EvolveError(ErrorCode.SqlRefused, `${locate(file, i, statements.length)} is refused: ${why}. Nothing was run.`, {
      hint: `A SQL file used as models may only create the schema it describes, inside ${dialect}'s scratch: remove the statement from '${file}'.`,
      details: { file, statement: s, index: i },
    });
  }
}

/**
 * Run the statements of a SQL file, naming the one the database rejects. Statements the
 * rules refuse stop the load before anything runs; those they skip are left out.
 * @throws EvolveError `E_SQL_REFUSED` for a refused statement, or one the sandbox denied;
 * `E_SQL_FAILED` with the file, the statement and its position for one the database rejected.
 */
export async function loadStatements(conn: Connection, dialect: string, text: string | readonly string[], file: string, rules: LoadRules = {}): Promise<void> {
  const statements = typeof text === 'string' ? splitSql(text) : text;
  refuseStatements(statements, dialect, file, rules);
  for (const [i, s] of statements.entries()) {
    if (rules.skip?.(s)) continue;
    try {
      for (let tries = 0; ; tries++) {
        try {
          await conn.execute(s);
          break;
        } catch (e) {
          if (tries >= 20 || !(await rules.supply?.(e))) throw e;
        }
      }
    } catch (e) {
      if (rules.denied?.(e)) {
        throw new EvolveError(ErrorCode.SqlRefused,
          `${locate(file, i, statements.length)} reaches beyond its scratch, and the sandbox denied it: ${(e as Error).message}.`, {
            hint: 'A SQL file used as models may only create the schema it describes (no other database or schema, no roles, users, ' +
              `server settings or files): remove the statement from '${file}'.`,
            details: { file, statement: s, index: i },
            cause: e,
          });
      }
      throw new EvolveError(ErrorCode.SqlFailed, `${locate(file, i, statements.length)} was rejected by ${dialect}: ${(e as Error).message}.`, {
        hint: `Fix the statement in '${file}' (it must be valid ${dialect} DDL), then try again.`,
        details: { file, statement: s, index: i },
        cause: e,
      });
    }
  }
}
