/**
 * Running one stored evolution (forward or its revert), or a chain of them at once, through
 * the dialect's one transaction implementation (`Dialect.run`): in one transaction where the
 * dialect has transactional DDL, with the live fingerprint verified inside it before commit,
 * so a failed or wrong evolution leaves the database exactly as it was. On MySQL the
 * statements run one by one and a failure says which ran.
 */
import type { OpenDatabase } from '../database/database.js';
import { operations } from '../database/operations.js';
import type { RunStep } from '../dialects/dialect.js';
import { fingerprint } from '../ir/fingerprint.js';
import type { SchemaIR } from '../ir/schema.js';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import type { Evolution, Step, StepContext } from './format.js';

/** What a TypeScript step receives: the connection and the operations API, on `db`. */
function stepContext(db: OpenDatabase): StepContext {
  const conn = db.conn;
  return { query: (s, p) => conn.query(s, p), execute: (s) => conn.execute(s), dialect: db.dialect.name, ops: operations(db) };
}

/** An evolution's steps as the dialect runs them. */
function runSteps(steps: readonly Step[], ctx: StepContext): RunStep[] {
  return steps.map((s) => (s.kind === 'sql' ? { sql: s.sql } : { kind: 'function' as const, name: s.name, run: async () => { await s.fn(ctx); } }));
}

/** "steps 1–3" / "step 1" / "steps 4, 5": a run of step numbers, for messages. */
function stepRange(first: number, last: number): string {
  return first === last ? `step ${first}` : `steps ${first}${last === first + 1 ? ', ' : '–'}${last}`;
}

/**
 * The error of step `i` (0-based, of all of `evo`'s steps) failing with `e` (a dialect's
 * E_SQL_FAILED, or what a function threw). Without transactional DDL it says which steps ran
 * and stay applied, and that apply resumes at the failed step once the file is fixed.
 */
function stepFailure(db: OpenDatabase, evo: Evolution, steps: readonly Step[], i: number, e: unknown, startAt: number, committed: number): EvolveError {
  if (db.dialect.capabilities.transactionalDdl && committed > 0) return aloneFailure(evo, steps, i, e, startAt, committed);
  const tx = db.dialect.capabilities.transactionalDdl;
  const step = steps[i];
  const what = step ? (step.kind === 'sql' ? step.sql : `function ${step.name}`) : '(verification)';
  const sqlFailed = isEvolveError(e) && e.code === ErrorCode.SqlFailed && step?.kind === 'sql';
  const message = sqlFailed ? String((e.details as { error?: unknown } | undefined)?.error ?? e.message) : (e as Error).message;
  const n = steps.length;
  const later = i + 2 <= n ? stepRange(i + 2, n) : '';
  const rest = later ? ` ${later} did not run.` : '';
  const earlier = startAt > 0 ? ` (${stepRange(1, startAt)} in an earlier apply)` : '';
  const ran = tx ? 'It was rolled back; the database is as it was.'
    : i >= n ? `${n === 0 ? 'No step ran' : `All ${n} step${n === 1 ? '' : 's'} ran and stay applied`}${earlier} (MySQL commits every DDL statement).`
    : i === 0 ? `No step ran before it: the database is still at ${evo.from}.${later ? ` ${later[0]!.toUpperCase()}${later.slice(1)} did not run.` : ''}`
      : `${stepRange(1, i)[0]!.toUpperCase()}${stepRange(1, i).slice(1)} ran and stay${i === 1 ? 's' : ''} applied${earlier} ` +
        `(MySQL commits every DDL statement);${rest || ' it was the last step.'}`;
  const hint = tx || i === 0 || i >= n
    ? 'Fix the evolution (then `evolve hash`) or the data, and apply again.'
    : `Fix step ${i + 1} (or the data it needs) and leave ${stepRange(1, i)} exactly as they ran, run \`evolve hash\`, and apply again: ` +
      `apply resumes at step ${i + 1}, as the history records where it stopped (docs/evolutions.md, "Resuming on MySQL").`;
  const failed = i < n ? `Step ${i + 1} of ${n} of evolution '${evo.id}' failed` : `Evolution '${evo.id}' failed after its last step, checking the result`;
  return new EvolveError(ErrorCode.SqlFailed, `${failed}: ${message.replace(/\.$/, '')}. ${ran}`, {
    hint, cause: sqlFailed ? (e.cause ?? e) : e, details: { evolution: evo.id, step: i, statement: what, stepsRun: tx ? 0 : i },
  });
}

/**
 * The error of step `i` failing after the first `committed` steps
 * committed on their own (some maybe in an earlier apply, `startAt`) on a dialect with transactional DDL: a statement the database runs
 * only outside a transaction (`CREATE INDEX CONCURRENTLY`) came before the failure. The rest
 * was rolled back; apply resumes after the committed steps (engine/resume.ts).
 */
function aloneFailure(evo: Evolution, steps: readonly Step[], i: number, e: unknown, startAt: number, committed: number): EvolveError {
  const step = steps[i];
  const what = step ? (step.kind === 'sql' ? step.sql : `function ${step.name}`) : '(verification)';
  const sqlFailed = isEvolveError(e) && e.code === ErrorCode.SqlFailed && step?.kind === 'sql';
  const message = sqlFailed ? String((e.details as { error?: unknown } | undefined)?.error ?? e.message) : (e as Error).message;
  const n = steps.length;
  const ran = stepRange(1, committed);
  const failed = i < n ? `Step ${i + 1} of ${n} of evolution '${evo.id}' failed` : `Evolution '${evo.id}' failed after its last step, checking the result`;
  return new EvolveError(ErrorCode.SqlFailed,
    `${failed}: ${message.replace(/\.$/, '')}. ${ran[0]!.toUpperCase()}${ran.slice(1)} committed before it and stay${committed === 1 ? 's' : ''} applied ` +
    '(a statement such as CREATE INDEX CONCURRENTLY runs only outside a transaction, so what precedes it commits first); the rest was rolled back.', {
      hint: `Fix step ${i + 1} (or the data it needs) and leave ${ran} exactly as they ran, run \`evolve hash\`, and apply again: ` +
        `apply resumes at step ${committed + 1}, as the history records where it stopped (docs/evolutions.md, "Resuming on MySQL").`,
      cause: sqlFailed ? (e.cause ?? e) : e, details: { evolution: evo.id, step: i, statement: what, stepsRun: committed },
    });
}

/**
 * Run `steps` of `evo` and verify the result is `expected` (null: accept any fingerprint but
 * `refuse`, for `evolve complete`; false: verify nothing and return the header's fingerprint —
 * a MySQL chain link whose next link only adds, the chain verifying later: additive.ts).
 * Returns the fingerprint after; `onSchema` receives the schema it was
 * computed from (so a caller that plans next need not read the catalog again). `startAt`:
 * the steps before it already ran (a MySQL evolution resumed after a failure, engine/resume.ts).
 */
export async function runStoredEvolution(
  db: OpenDatabase, evo: Evolution, direction: 'up' | 'down', expected: string | null | false,
  refuse?: ((after: string) => EvolveError | null) | null, onSchema?: (schema: SchemaIR) => void, startAt = 0,
): Promise<string> {
  const steps: readonly Step[] = direction === 'up' ? evo.steps : evo.revert ?? [];
  const tx = db.dialect.capabilities.transactionalDdl;
  let i = -1;
  let committed = startAt;
  let after = direction === 'up' ? evo.to : evo.from;
  let schema: SchemaIR | null = null;
  const verify = async (): Promise<void> => {
    i = steps.length;
    if (expected === false) return;
    schema = await db.introspect();
    after = fingerprint(schema);
    const refused = expected === null ? refuse?.(after) ?? null : null;
    if (refused) throw refused;
    if (expected !== null && after !== expected) {
      throw new EvolveError(ErrorCode.EvolutionMismatch,
        `Evolution '${evo.id}' (${direction === 'up' ? 'forward' : 'revert'}) should lead to ${expected} but the schema is now ${after}` +
        `${tx ? '; it was rolled back and the database is as it was' : ''}.`, {
          hint: 'The evolution does not do what its header says: fix its SQL (or its from/to), run `evolve hash`, and try again.',
          details: { evolution: evo.id, expected, actual: after, stepsRun: tx ? 0 : steps.length },
        });
    }
  };
  try {
    await db.dialect.run(db.conn, runSteps(steps.slice(startAt), stepContext(db)), {
      lockWait: db.lockWait, online: db.online,
      foreignKeysOff: evo.foreignKeysOff, onStatement: (k) => { i = startAt + k; }, beforeCommit: verify,
      onCommitted: (k) => { if (startAt + k < steps.length) committed = startAt + k; },
    });
  } catch (e) {
    if (isEvolveError(e) && e.code === ErrorCode.ForeignKeyViolation) {
      // Where the dialect's error names the table, the key and the rows (MariaDB's online key), the message keeps them.
      const named = typeof e.details?.table === 'string' ? ` ${e.message}` : '';
      throw new EvolveError(ErrorCode.ForeignKeyViolation,
        `Evolution '${evo.id}' leaves rows that violate a foreign key${tx ? '; it was rolled back' : ''}.${named}`, {
          hint: named ? e.hint : 'Fix the evolution so every foreign key holds afterwards (PRAGMA foreign_key_check lists the rows).',
          cause: e, ...(e.details ? { details: e.details } : {}),
        });
    }
    if (isEvolveError(e) && !(e.code === ErrorCode.SqlFailed && steps[i]?.kind === 'sql')) throw e;
    throw stepFailure(db, evo, steps, i, e, startAt, committed);
  }
  if (schema) onSchema?.(schema);
  return after;
}

/** One evolution of a chain, with when it ran. */
export interface ChainRun { readonly evolution: Evolution; readonly started: Date; readonly finished: Date }

/** A chain run at once: its evolutions, and the schema verified at its end. */
export interface ChainResult { readonly runs: readonly ChainRun[]; readonly schema: SchemaIR }

/**
 * The fast path for a chain of stored evolutions on a dialect with transactional DDL: every
 * step of every evolution in ONE run of the dialect's transaction, the fingerprint verified
 * against the chain's end before commit — the only point at which the database can be left in
 * a new state (the states between links are never committed, so no database and no reader can
 * be at them). With `verifyEachLink`, every link is also verified against its own `to` (one
 * introspection per link: a link that does not do what its header says is caught even when a
 * later one happens to reach the chain's end). Returns null — with everything rolled back, the
 * database exactly as it was — when a step fails or the result is not what the chain promises;
 * the caller then runs the chain one verified evolution at a time, which stops at the exact
 * evolution at fault (and names it), keeping the ones before it.
 */
export async function runStoredChain(db: OpenDatabase, chain: readonly Evolution[], verifyEachLink = false): Promise<ChainResult | null> {
  if (!db.dialect.capabilities.transactionalDdl || chain.length === 0) return null;
  // A step that commits on its own would leave the chain part-way on a failure: one link at a time.
  if (chain.some((e) => e.steps.some((s) => s.kind === 'sql' && db.dialect.runsAlone?.({ sql: s.sql })))) return null;
  const ctx = stepContext(db);
  const runs: ChainRun[] = [];
  let schema: SchemaIR | null = null;
  const steps: RunStep[] = [];
  for (const [k, evo] of chain.entries()) {
    let started = new Date();
    steps.push({ kind: 'function', name: `start ${evo.id}`, run: async () => { started = new Date(); } });
    steps.push(...runSteps(evo.steps, ctx));
    steps.push({
      kind: 'function', name: `verify ${evo.id}`,
      run: async () => {
        if (verifyEachLink || k === chain.length - 1) {
          schema = await db.introspect();
          if (fingerprint(schema) !== evo.to) throw new Error(`fingerprint mismatch after ${evo.id}`);
        }
        runs.push({ evolution: evo, started, finished: new Date() });
      },
    });
  }
  try {
    await db.dialect.run(db.conn, steps, { lockWait: db.lockWait, online: db.online, foreignKeysOff: chain.some((e) => e.foreignKeysOff) });
    return { runs, schema: schema! };
  } catch {
    return null;
  }
}
