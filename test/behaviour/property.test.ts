/**
 * The core promise, as a property on every dialect: for random schemas A and B (B derived
 * from A by random edits, renames through aka included) and random rows in A, applying B
 * gives B's fingerprint, a second plan is empty, and every value of every surviving column
 * whose type did not change is intact.
 *
 * EVOLVE_PROPERTY_RUNS (default 200) and EVOLVE_PROPERTY_SEED replay a run; the seed is printed.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyEvolution, fingerprintDatabase, isEvolveError } from '../../src/index.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolveTo } from '../support/evolve.js';
import { freshDatabase, type TestDatabase, type TestDialect } from '../support/databases.js';
import { schemaArb, rowsArb, derive, toModels, type SchemaSpec, type Row } from '../support/schema-arbitrary.js';

// PGlite opens its data directory per connection (~0.5 s each), so it runs fewer cases by
// default; the PostgreSQL dialect itself gets the full count on the real server.
const RUNS_FOR = (d: string): number => Number(process.env.EVOLVE_PROPERTY_RUNS ?? (d === 'pglite' ? process.env.EVOLVE_PGLITE_PROPERTY_RUNS ?? 25 : 200));
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
  for (const t of spec) {
    for (const r of data[t.name] ?? []) {
      const cols = Object.keys(r);
      statements.push(`INSERT INTO ${t.name} (${cols.join(', ')}) VALUES (${cols.map((c) => literal(r[c]!, d)).join(', ')})`);
    }
  }
  if (statements.length) await db.exec(statements.join(';\n')); // one round trip (PGlite opens per call)
}

async function snapshot(db: TestDatabase, t: string, cols: string[], join = false): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  if (join) {
    for (const r of await db.query(`SELECT l_id, r_id FROM ${t}`)) out.set(`${String(r.l_id)}:${String(r.r_id)}`, []);
    return out;
  }
  for (const r of await db.query(`SELECT ${["id", ...cols].join(", ")} FROM ${t}`)) out.set(String(r.id), cols.map((c) => r[c]));
  return out;
}

/** B with the type changes that the data refused put back to A's types. */
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

async function oneCase(dialect: TestDialect, a: SchemaSpec, data: Record<string, Row[]>, dice: number[]): Promise<void> {
  let b = derive(a, dice);
  const db = await freshDatabase(dialect);
  try {
    await evolveTo(db, toModels(a));
    await insert(db, a, data);
    const fpA = (await fingerprintDatabase(db.url)).fingerprint;
    // Every value of A, before anything runs.
    const beforeAll = new Map<string, Map<string, unknown[]>>();
    for (const ta of a) beforeAll.set(ta.name, await snapshot(db, ta.name, ta.join ? [] : ta.cols.map((c) => c.name), ta.join !== undefined));
    // Phase 1, no consent: anything that loses data is refused and nothing changes; values that
    // do not convert are named (LOSSY_TYPE_CHANGE). Without hazards it simply applies.
    let applied = false;
    try {
      await applyEvolution({ db: db.url, models: toModels(b) });
      applied = true;
    } catch (e) {
      if (!isEvolveError(e) || e.code !== 'E_DATA_LOSS') throw e;
      assert.equal((await fingerprintDatabase(db.url)).fingerprint, fpA, 'a refused plan changes nothing');
      const hazards = (e.details?.hazards ?? []) as { code: string; table: string; column: string | null }[];
      b = withoutRefused(a, b, hazards.filter((h) => h.code === 'LOSSY_TYPE_CHANGE'));
    }
    // Phase 2, with consent for drops: B without the refused conversions (a no-op if phase 1 applied).
    const keep: { from: string; to: string; cols: [string, string][]; filled: boolean[]; join: boolean }[] = [];
    for (const tb of b) {
      const ta = a.find((x) => x.name === tb.name || tb.aka?.includes(x.name));
      if (!ta) continue;
      if (tb.join) { keep.push({ from: ta.name, to: tb.name, cols: [], filled: [], join: true }); continue; }
      const cols: [string, string][] = [];
      const filled: boolean[] = [];
      for (const cb of tb.cols) {
        const ca = ta.cols.find((x) => x.name === cb.name || cb.aka?.includes(x.name));
        if (ca && JSON.stringify(ca.type) === JSON.stringify(cb.type)) { cols.push([ca.name, cb.name]); filled.push(ca.nullable && !cb.nullable); }
      }
      keep.push({ from: ta.name, to: tb.name, cols, filled, join: false });
    }
    const fromA = (k: (typeof keep)[number]): Map<string, unknown[]> => {
      const ta = a.find((x) => x.name === k.from)!;
      const all = beforeAll.get(k.from)!;
      const idx = k.cols.map(([c]) => ta.cols.findIndex((x) => x.name === c));
      return new Map([...all].map(([id, vals]) => [id, idx.map((j) => vals[j])]));
    };
    const before = keep.map(fromA);
    const r = await evolveTo(db, toModels(b), { allowDataLoss: true });
    if (applied) assert.equal(r.applied, false, 'phase 1 applied everything');
    for (const [i, k] of keep.entries()) {
      const after = await snapshot(db, k.to, k.cols.map((c) => c[1]), k.join);
      const expected = new Map([...before[i]!].map(([id, vals]) => [id, vals.map((v, j) => (v === null && k.filled[j] ? after.get(id)?.[j] : v))]));
      for (const [id, vals] of after) vals.forEach((v, j) => { if (k.filled[j]) assert.notEqual(v, null, `${k.to}.${k.cols[j]![1]} row ${id} filled`); });
      assert.deepEqual(after, expected, `data of ${k.from} → ${k.to} survives`);
    }
  } finally {
    await db.dispose();
  }
}

forEachDialect('property: evolving A to B', (d) => {
  const RUNS = RUNS_FOR(d);
  it(`gives B's fingerprint and keeps surviving data (${RUNS} runs, seed ${SEED})`, { timeout: 30 * 60_000 }, (t) => withDb(t, d, async () => {
    process.stdout.write(`# property [${d}]: ${RUNS} runs, seed ${SEED} (replay: EVOLVE_PROPERTY_SEED=${SEED})\n`);
    await fc.assert(
      fc.asyncProperty(
        schemaArb.chain((a) => fc.tuple(fc.constant(a), rowsArb(a), fc.array(fc.nat(), { minLength: 40, maxLength: 40 }))),
        async ([a, data, dice]) => oneCase(d, a, data, dice),
      ),
      { numRuns: RUNS, seed: SEED, includeErrorInReport: true },
    );
  }));
});

