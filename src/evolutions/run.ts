/**
 * Running one stored evolution (forward or its revert): in one transaction where the dialect
 * has transactional DDL, with the live fingerprint verified inside it before commit, so a
 * failed or wrong evolution leaves the database exactly as it was. On MySQL the statements run
 * one by one and a failure says which ran.
 */
import type { OpenDatabase } from '../engine/database.js';
import { fingerprint } from '../ir/fingerprint.js';
import type { SchemaIR } from '../ir/schema.js';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import type { Evolution, Step, StepContext } from './format.js';
import { operations } from '../deploy/operations.js';

/** What a TypeScript step receives: the connection and the operations API, on `db`. */
function stepContext(db: OpenDatabase): StepContext {
  const conn = db.conn;
  return { query: (s, p) => conn.query(s, p), execute: (s) => conn.execute(s), dialect: db.dialect.name, ops: operations(db) };
}

/** Begin statement per dialect (SQLite takes the write lock at once). */
function beginSql(dialect: string): string | null {
  return dialect === 'sqlite' ? 'BEGIN IMMEDIATE' : dialect === 'postgres' ? 'BEGIN' : null;
}

/**
 * Run `steps` of `evo` and verify the result is `expected` (null: accept any fingerprint but
 * `refuse`, for `evolve complete`; false: verify nothing and return the header's fingerprint —
 * a MySQL chain link whose next link only adds, the chain verifying later: additive.ts).
 * Returns the fingerprint after; `onSchema` receives the schema it was
 * computed from (so a caller that plans next need not read the catalog again).
 */
export async function runEvolution(db: OpenDatabase, evo: Evolution, direction: 'up' | 'down', expected: string | null | false, refuse?: ((after: string) => EvolveError | null) | null, onSchema?: (schema: SchemaIR) => void): Promise<string> {
  const steps: readonly Step[] = direction === 'up' ? evo.steps : evo.revert ?? [];
  const conn = db.conn;
  const ctx = stepContext(db);
  const begin = beginSql(db.dialect.name);
  const sqlite = db.dialect.name === 'sqlite';
  const fkOff = sqlite && evo.foreignKeysOff && Number((await conn.query('PRAGMA foreign_keys'))[0]?.foreign_keys ?? 0) === 1;
  if (fkOff) await conn.execute('PRAGMA foreign_keys = OFF');
  const fkBefore = sqlite && evo.foreignKeysOff ? (await conn.query('PRAGMA foreign_key_check')).length : 0;
  let i = -1;
  // PostgreSQL: leading enum value changes (`ALTER TYPE … ADD VALUE`, as the planner places
  // them) commit before the transaction: a value cannot be used in the transaction that added it.
  let first = 0;
  while (db.dialect.name === 'postgres' && first < steps.length && steps[first]!.kind === 'sql' && /^\s*ALTER TYPE .* (?:ADD|RENAME) VALUE /is.test((steps[first] as { sql: string }).sql)) first++;
  try {
    try {
      for (i = 0; i < first; i++) await conn.execute((steps[i] as { sql: string }).sql);
      if (begin) await conn.execute(begin);
      for (i = first; i < steps.length; i++) {
        const s = steps[i]!;
        if (s.kind === 'sql') await conn.execute(s.sql);
        else await s.fn(ctx);
      }
      i = steps.length;
      if (sqlite && evo.foreignKeysOff && (await conn.query('PRAGMA foreign_key_check')).length > fkBefore) {
        throw new EvolveError(ErrorCode.ForeignKeyViolation, `Evolution '${evo.id}' leaves rows that violate a foreign key${begin ? '; it was rolled back' : ''}.`, {
          hint: 'Fix the evolution so every foreign key holds afterwards (PRAGMA foreign_key_check lists the rows).',
        });
      }
      if (expected === false) {
        if (begin) await conn.execute('COMMIT');
        return direction === 'up' ? evo.to : evo.from;
      }
      const schema = await db.introspect();
      const after = fingerprint(schema);
      const refused = expected === null ? refuse?.(after) ?? null : null;
      if (refused) throw refused;
      if (expected !== null && after !== expected) {
        throw new EvolveError(ErrorCode.EvolutionMismatch,
          `Evolution '${evo.id}' (${direction === 'up' ? 'forward' : 'revert'}) should lead to ${expected} but the schema is now ${after}${begin ? '; it was rolled back and the database is as it was' : ''}.`, {
            hint: 'The evolution does not do what its header says: fix its SQL (or its from/to), run `evolve hash`, and try again.',
            details: { evolution: evo.id, expected, actual: after },
          });
      }
      if (begin) await conn.execute('COMMIT');
      onSchema?.(schema);
      return after;
    } catch (e) {
      if (begin) await conn.execute('ROLLBACK').catch(() => undefined);
      if (isEvolveError(e)) throw e;
      const step = steps[i];
      const what = step ? (step.kind === 'sql' ? step.sql : `function ${step.name}`) : '(verification)';
      const ran = begin ? 'It was rolled back; the database is as it was.' : `Steps 1–${i} ran and stay applied; steps ${i + 1}–${steps.length} did not run.`;
      throw new EvolveError(ErrorCode.SqlFailed, `Step ${i + 1} of ${steps.length} of evolution '${evo.id}' failed: ${(e as Error).message}. ${ran}`, {
        hint: begin ? 'Fix the evolution (then `evolve hash`) or the data, and apply again.' : 'Fix what the failing step needs, then finish the remaining steps by hand or restore and apply again.',
        cause: e, details: { evolution: evo.id, step: i, statement: what },
      });
    }
  } finally {
    if (fkOff) await conn.execute('PRAGMA foreign_keys = ON');
  }
}

/** One evolution of a chain, with when it ran. */
export interface ChainRun { readonly evolution: Evolution; readonly started: Date; readonly finished: Date }

/** A chain run at once: its evolutions, and the schema verified at its end. */
export interface ChainResult { readonly runs: readonly ChainRun[]; readonly schema: SchemaIR }

/**
 * The fast path for a chain of stored evolutions on a dialect with transactional DDL: every
 * step of every evolution in ONE transaction, the fingerprint verified against the chain's end
 * before commit — the only point at which the database can be left in a new state (the states
 * between links are never committed, so no database and no reader can be at them). With
 * `verifyEachLink`, every link is also verified against its own `to` (one introspection per
 * link: a link that does not do what its header says is caught even when a later one happens
 * to reach the chain's end). Returns null — with everything rolled back, the database exactly
 * as it was — when a step fails or the result is not what the chain promises; the caller then
 * runs the chain one verified evolution at a time, which stops at the exact evolution at fault
 * (and names it), keeping the ones before it.
 */
export async function runChainAtOnce(db: OpenDatabase, chain: readonly Evolution[], verifyEachLink = false): Promise<ChainResult | null> {
  const begin = beginSql(db.dialect.name);
  if (!begin || chain.length === 0 || chain.some((e) => e.foreignKeysOff)) return null;
  const conn = db.conn;
  const ctx = stepContext(db);
  const runs: ChainRun[] = [];
  let schema: SchemaIR | null = null;
  await conn.execute(begin);
  try {
    for (const [k, evo] of chain.entries()) {
      const started = new Date();
      for (const s of evo.steps) {
        if (s.kind === 'sql') await conn.execute(s.sql);
        else await s.fn(ctx);
      }
      if (verifyEachLink || k === chain.length - 1) {
        schema = await db.introspect();
        if (fingerprint(schema) !== evo.to) throw new Error(`fingerprint mismatch after ${evo.id}`);
      }
      runs.push({ evolution: evo, started, finished: new Date() });
    }
    await conn.execute('COMMIT');
    return { runs, schema: schema! };
  } catch {
    await conn.execute('ROLLBACK').catch(() => undefined);
    return null;
  }
}
