/**
 * The core promise, as a property on every dialect: for random schemas A and B (B derived
 * from A by random edits, renames through aka included) and random rows in A, applying B
 * gives B's fingerprint, a second plan is empty, every value of every surviving column whose
 * type did not change is intact, and every value of a column whose type changed is its
 * conversion — or, for a value that does not convert, what --allow-data-loss documents (cut
 * to the new length for text, NULL otherwise; refused when the column is NOT NULL). The same
 * change recorded at A (`evolve record`, forward and generated revert) is then reverted from B:
 * A's fingerprint again, and the values of every column the change kept with its type intact.
 *
 * One test file per dialect (test/behaviour/property-<dialect>.test.ts), so that the four run
 * in parallel processes instead of one after the other.
 *
 * EVOLVE_PROPERTY_RUNS (default 200 on every dialect; EVOLVE_PGLITE_PROPERTY_RUNS overrides it
 * on PGlite alone) and EVOLVE_PROPERTY_SEED replay a run; the seed is printed, and with
 * EVOLVE_PROPERTY_PATH (the `path` of a failure report) a single counterexample runs again.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyEvolution, fingerprintDatabase, isEvolveError, recordEvolution, revertEvolutions } from '../../src/index.js';
import { withDb } from './harness.js';
import { evolveTo } from './evolve.js';
import { freshDatabase, selectedDialects, type TestDatabase, type TestDialect } from './databases.js';
import { schemaArb, rowsArb, derive, toModels, joinColumns, type SchemaSpec, type Row, type TypeSpec } from './schema-arbitrary.js';

// 200 cases on every dialect. On PGlite the test harness keeps the instance open between the
// library's connections (keepPgliteOpen, src/dialects/postgres/pglite-pool.ts), and each case's
// fresh database is the previous one's directory emptied on that open instance
// (support/databases.ts): a case costs ~0.5 s of CPU.
const RUNS_FOR = (d: string): number => Number(process.env.EVOLVE_PROPERTY_RUNS ??
  (d === 'pglite' ? process.env.EVOLVE_PGLITE_PROPERTY_RUNS ?? 200 : 200));
const SEED = Number(process.env.EVOLVE_PROPERTY_SEED ?? Date.now() % 2 ** 31);

function literal(v: string | number | boolean | null, dialect: TestDialect): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'number') return String(v);
  const escaped = v.replace(/'/g, "''");
  // MySQL treats a backslash in a string literal as an escape.
  return `'${dialect === 'mysql' ? escaped.replace(/\\/g, '\\\\') : escaped}'`;
}

async function insert(db: TestDatabase, spec: SchemaSpec, data: Record<string, Row[]>): Promise<void> {
  const d = db.dialect;
  const statements: string[] = [];
  const later: string[] = [];
  const order = spec.map((t) => t.name);
  for (const t of spec) {
    // A reference to a later table (a cycle) is set once that table has its rows.
    const deferred = Object.entries(t.links ?? {}).filter(([, fk]) => fk && order.indexOf(fk.ref) > order.indexOf(t.name)).map(([c]) => c);
    for (const r of data[t.name] ?? []) {
      const cols = Object.keys(r);
      statements.push(`INSERT INTO ${t.name} (${cols.join(', ')}) VALUES (${cols.map((c) => (deferred.includes(c) ? 'NULL' : literal(r[c]!, d))).join(', ')})`);
      for (const c of deferred) if (r[c] !== null) later.push(`UPDATE ${t.name} SET ${c} = ${literal(r[c]!, d)} WHERE id = ${literal(r.id!, d)}`);
    }
  }
  statements.push(...later);
  if (statements.length) await db.exec(statements.join(';\n')); // one round trip (PGlite opens per call)
}

async function snapshot(db: TestDatabase, t: string, cols: string[], join: [string, string] | null = null): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  if (join) {
    for (const r of await db.query(`SELECT ${join[0]}, ${join[1]} FROM ${t}`)) out.set(`${String(r[join[0]])}:${String(r[join[1]])}`, []);
    return out;
  }
  for (const r of await db.query(`SELECT ${["id", ...cols].join(", ")} FROM ${t}`)) out.set(String(r.id), cols.map((c) => r[c]));
  return out;
}

const INT_RANGE = { integer: [-2147483648n, 2147483647n], bigint: [-9223372036854775808n, 9223372036854775807n] } as const;
const numeric = (t: TypeSpec): boolean => ['integer', 'bigint', 'real', 'decimal'].includes(t.k);
const textual = (t: TypeSpec): boolean => t.k === 'text' || t.k === 'varchar';

/**
 * What a value of type `from` becomes as `to` (`undefined`: it does not convert). Only the
 * changes `derive` makes are modelled; a value converts exactly or not at all.
 */
function convert(v: unknown, from: TypeSpec, to: TypeSpec): unknown {
  if (v === null) return null;
  if (to.k === 'text') return String(v);
  if (to.k === 'varchar') return String(v).length <= to.n ? String(v) : undefined;
  if (to.k === 'integer' || to.k === 'bigint') {
    let n: bigint;
    if (textual(from)) {
      const m = /^ *([+-]?[0-9]+) *$/.exec(String(v));
      if (!m) return undefined;
      n = BigInt(m[1]!.replace('+', ''));
    } else {
      if (!Number.isInteger(Number(v))) return undefined;
      n = BigInt(String(v).replace(/\.0*$/, ''));
    }
    const [lo, hi] = INT_RANGE[to.k];
    return n < lo || n > hi ? undefined : Number(n);
  }
  if (to.k === 'decimal') return Math.abs(Number(v)) < 10 ** (to.p - to.s) ? Number(v) : undefined;
  return v;
}

/** The value a column holds after the change, with consent: converted, else cut (text → varchar) or NULL. */
function expectedAfter(v: unknown, from: TypeSpec, to: TypeSpec): unknown {
  const c = convert(v, from, to);
  if (c !== undefined) return c;
  return to.k === 'varchar' && textual(from) ? String(v).slice(0, to.n) : null;
}

/** A value as compared after a type change: numbers as numbers, text as text. */
const comparable = (v: unknown, t: TypeSpec): unknown => (v === null || v === undefined ? null : numeric(t) ? Number(v) + 0 : String(v));

/** B with the type changes refused even with consent (NOT NULL columns whose values do not convert) put back to A's types. */
function withoutRefused(a: SchemaSpec, b: SchemaSpec, refused: { table: string; column: string | null }[]): SchemaSpec {
  return b.map((tb) => ({
    ...tb,
    cols: tb.cols.map((cb) => {
      if (!refused.some((h) => h.table === tb.name && h.column === cb.name)) return cb;
      const ta = a.find((x) => x.name === tb.name || tb.aka?.includes(x.name))!;
      const ca = ta.cols.find((x) => x.name === cb.name || cb.aka?.includes(x.name))!;
      return { ...cb, type: ca.type, def: ca.def === null ? null : cb.def, nullable: cb.nullable && ca.nullable ? true : cb.nullable };
    }),
  }));
}

/**
 * Whether the revert of A → B must fail: a table B keeps still references (non-NULL values, or
 * join rows) a table B dropped. The revert brings that table back empty and may not change
 * the referencing values without consent.
 */
async function danglingReference(db: TestDatabase, a: SchemaSpec, b: SchemaSpec): Promise<boolean> {
  const survives = (n: string): boolean => b.some((t) => t.name === n || t.aka?.includes(n));
  const count = async (sql: string): Promise<number> => Number((await db.query(sql))[0]!.n);
  for (const ta of a) {
    const tb = b.find((t) => t.name === ta.name || t.aka?.includes(ta.name));
    if (!tb) continue;
    if (ta.join) {
      if ((!survives(ta.join.left) || !survives(ta.join.right)) && await count(`SELECT count(*) AS n FROM ${tb.name}`) > 0) return true;
      continue;
    }
    for (const [col, fk] of Object.entries(ta.links ?? {})) {
      if (!fk || survives(fk.ref)) continue;
      const cb = tb.cols.find((c) => c.name === col || c.aka?.includes(col));
      if (cb && await count(`SELECT count(*) AS n FROM ${tb.name} WHERE ${cb.name} IS NOT NULL`) > 0) return true;
    }
  }
  return false;
}

interface Kept { from: string; to: string; cols: { a: string; b: string; from: TypeSpec; to: TypeSpec; filled: boolean }[]; join: [string, string][] | null }

async function oneCase(dialect: TestDialect, a: SchemaSpec, data: Record<string, Row[]>, dice: number[]): Promise<void> {
  let b = derive(a, dice);
  const db = await freshDatabase(dialect);
  const dirs: string[] = [];
  /** Record A → `spec` at A (it applies nothing) into a new directory: the directory, 'same' when B is A, null when it is refused even with consent. */
  const record = async (spec: SchemaSpec): Promise<string | null> => {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-prop-'));
    dirs.push(dir);
    try {
      const r = await recordEvolution({ db: db.url, models: toModels(spec), evolutions: dir, allowDataLoss: true });
      return r.file === null ? 'same' : dir; // B may describe A itself
    } catch (e) {
      if (isEvolveError(e) && e.code === 'E_DATA_LOSS') return null;
      throw e;
    }
  };
  try {
    await evolveTo(db, toModels(a));
    await insert(db, a, data);
    const fpA = (await fingerprintDatabase(db.url)).fingerprint;
    // Every value of A, before anything runs.
    const beforeAll = new Map<string, Map<string, unknown[]>>();
    for (const ta of a) beforeAll.set(ta.name, await snapshot(db, ta.name, ta.join ? [] : ta.cols.map((c) => c.name), ta.join ? joinColumns(ta) : null));
    let recorded = await record(b);
    // Phase 1, no consent: anything that loses data is refused and nothing changes; values that
    // do not convert are named (LOSSY_TYPE_CHANGE). Without hazards it simply applies.
    let applied = false;
    try {
      await applyEvolution({ db: db.url, models: toModels(b) });
      applied = true;
    } catch (e) {
      if (!isEvolveError(e) || e.code !== 'E_DATA_LOSS') throw e;
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, fpA, 'a refused plan changes nothing');
      const hazards = (e.details?.hazards ?? []) as { code: string; table: string; column: string | null; allowable: boolean }[];
      for (const h of hazards) if (h.code === 'LOSSY_TYPE_CHANGE' && !h.allowable) {
        const col = b.find((t) => t.name === h.table)?.cols.find((c) => c.name === h.column);
        assert.equal(col?.nullable, false, 'only a NOT NULL column refuses a lossy change with consent');
      }
      b = withoutRefused(a, b, hazards.filter((h) => h.code === 'LOSSY_TYPE_CHANGE' && !h.allowable));
      recorded = await record(b); // still at A: the change as it will apply
    }
    assert.ok(recorded, 'a change that applies with consent can be recorded');
    // Phase 2, with consent: B without the refused conversions (a no-op if phase 1 applied).
    const keep: Kept[] = [];
    for (const tb of b) {
      const ta = a.find((x) => x.name === tb.name || tb.aka?.includes(x.name));
      if (!ta) continue;
      if (tb.join) { keep.push({ from: ta.name, to: tb.name, cols: [], join: [joinColumns(ta), joinColumns(tb)] }); continue; }
      const cols: Kept['cols'] = [];
      for (const cb of tb.cols) {
        const ca = ta.cols.find((x) => x.name === cb.name || cb.aka?.includes(x.name));
        if (ca) cols.push({ a: ca.name, b: cb.name, from: ca.type, to: cb.type, filled: ca.nullable && !cb.nullable });
      }
      keep.push({ from: ta.name, to: tb.name, cols, join: null });
    }
    const r = await evolveTo(db, toModels(b), { allowDataLoss: true });
    if (applied) assert.equal(r.applied, false, 'phase 1 applied everything');
    for (const k of keep) {
      const ta = a.find((x) => x.name === k.from)!;
      const all = beforeAll.get(k.from)!;
      if (k.join) {
        const after = await snapshot(db, k.to, [], k.join[1]);
        assert.deepEqual(after, all, `links of ${k.from} → ${k.to} survive`);
        continue;
      }
      const after = await snapshot(db, k.to, k.cols.map((c) => c.b));
      const idx = k.cols.map((c) => ta.cols.findIndex((x) => x.name === c.a));
      const expected = new Map([...all].map(([id, vals]) => [id, k.cols.map((c, j) => {
        const v = vals[idx[j]!];
        if (v === null && c.filled) return after.get(id)?.[j]; // took the default
        return JSON.stringify(c.from) === JSON.stringify(c.to) ? v : comparable(expectedAfter(v, c.from, c.to), c.to);
      })]));
      const got = new Map([...after].map(([id, vals]) => [id, vals.map((v, j) => (JSON.stringify(k.cols[j]!.from) === JSON.stringify(k.cols[j]!.to) ? v : comparable(v, k.cols[j]!.to)))]));
      for (const [id, vals] of after) vals.forEach((v, j) => { if (k.cols[j]!.filled) assert.notEqual(v, null, `${k.to}.${k.cols[j]!.b} row ${id} filled`); });
      assert.deepEqual(got, expected, `data of ${k.from} → ${k.to} survives, converted where the type changed`);
    }
    // Back to A with the recorded revert: A's fingerprint, and every value of a column the
    // change kept with the same type (and did not fill) is as it was.
    if (recorded === 'same') {
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, fpA, 'nothing to record: B is A');
      return;
    }
    if (await danglingReference(db, a, b)) {
      // The recorded revert says so in a note: it may not change the referencing values.
      const fpB = (await fingerprintDatabase(db.url)).fingerprint;
      await assert.rejects(revertEvolutions({ db: db.url, evolutions: recorded }),
        (e: unknown) => isEvolveError(e) && ['E_FOREIGN_KEY_VIOLATION', 'E_SQL_FAILED'].includes(e.code) && /foreign key/i.test(e.message));
      if (dialect !== 'mysql') assert.equal((await fingerprintDatabase(db.url)).fingerprint, fpB, 'a failed revert changes nothing');
      return;
    }
    const back = await revertEvolutions({ db: db.url, evolutions: recorded });
    assert.equal(back.fingerprintAfter, fpA);
    assert.equal((await fingerprintDatabase(db.url)).fingerprint, fpA, 'the revert gives A\'s fingerprint');
    for (const k of keep) {
      if (k.join) continue;
      const ta = a.find((x) => x.name === k.from)!;
      const same = k.cols.filter((c) => JSON.stringify(c.from) === JSON.stringify(c.to) && !c.filled);
      const after = await snapshot(db, k.from, same.map((c) => c.a));
      const idx = same.map((c) => ta.cols.findIndex((x) => x.name === c.a));
      const expected = new Map([...beforeAll.get(k.from)!].map(([id, vals]) => [id, idx.map((i) => vals[i])]));
      assert.deepEqual(after, expected, `data of ${k.from} survives the round trip to ${k.to} and back`);
    }
  } finally {
    await db.dispose();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** The property suite on dialect `d` (when selected): what each property-<dialect>.test.ts runs. */
export function propertySuite(d: TestDialect): void {
  if (!selectedDialects().includes(d)) return;
  describe(`property: evolving A to B [${d}]`, () => {
    const RUNS = RUNS_FOR(d);
    // A PGlite case opens its directory several times (seconds each on a loaded machine): CI's 200 need more than 30 minutes.
    const timeout = Math.max(30 * 60_000, RUNS * (d === 'pglite' ? 30_000 : 9_000));
    it(`gives B's fingerprint and keeps surviving data (${RUNS} runs, seed ${SEED})`, { timeout }, (t) => withDb(t, d, async () => {
      process.stdout.write(`# property [${d}]: ${RUNS} runs, seed ${SEED} (replay: EVOLVE_PROPERTY_SEED=${SEED})\n`);
      await fc.assert(
        fc.asyncProperty(
          schemaArb.chain((a) => fc.tuple(fc.constant(a), rowsArb(a), fc.array(fc.nat(), { minLength: 40, maxLength: 40 }))),
          async ([a, data, dice]) => oneCase(d, a, data, dice),
        ),
        { numRuns: RUNS, seed: SEED, includeErrorInReport: true, ...(process.env.EVOLVE_PROPERTY_PATH ? { path: process.env.EVOLVE_PROPERTY_PATH } : {}) },
      );
    }));
  });
}
