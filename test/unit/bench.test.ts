/**
 * The benchmark's own measuring (bench/, issue 8): regressions for figures it once got wrong.
 * Needs `npm run build` (the bench measures dist/).
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { countDrizzleTables } from '../../bench/drizzle.js';
import { child } from '../../bench/data.js';
import { markdown, type Results } from '../../bench/report.js';
import type { PlanFigures } from '../../bench/plan.js';

describe('bench', () => {
  it('reads a child process\'s own peak memory, not the parent\'s (maxRSS is inherited across exec)', () => {
    const ballast = Buffer.alloc(400 * 2 ** 20, 1); // the parent's peak is now above 400 MiB
    const bare = child(['baseline']);
    const control = child(['control']);
    assert.ok(ballast[ballast.length - 1] === 1);
    assert.ok(bare.rssMiB < 300, `a bare child read ${bare.rssMiB} MiB: the parent's peak, not its own`);
    assert.ok(control.rssMiB - bare.rssMiB >= 50, `a child holding 64 MiB more read ${control.rssMiB} against ${bare.rssMiB} MiB`);
  });

  it('counts the tables of a drizzle-kit schema.ts, in a named schema too (a pull of the wrong schema has none)', () => {
    const pg = 'export const evolveBench = pgSchema("evolve_bench");\nexport const t00000InEvolveBench = evolveBench.table("t00000", {\n});\nexport const t00001InEvolveBench = evolveBench.table("t00001", {\n});';
    assert.equal(countDrizzleTables(pg), 2);
    assert.equal(countDrizzleTables('export const a = mysqlTable("a", {});\nexport const b = sqliteTable("b", {});'), 2);
    assert.equal(countDrizzleTables('import { pgTable } from "drizzle-orm/pg-core"\n'), 0);
  });

  it('shows growth between each pair of sizes and flags a step the overall growth would hide', () => {
    const plan = (tables: number, diff5Ms: number): PlanFigures => ({
      dialect: 'mysql', tables, views: 0, runs: 1, createMs: 0, catalogQueries: 11, catalogRows: 0, floorMs: tables / 10, introspectDriverMs: 0,
      introspectMs: tables / 10, fingerprintMs: 1, compileModelsMs: 1, noopDiffMs: 1, noopChanges: 0, diff5Ms, diff5Changes: 0, diff5Statements: 0,
      planMs: tables / 10 + diff5Ms, planRatio: 0, introspectRatio: 1, fastestMs: tables / 10, fastestQueries: 4, planReplayRatio: 0,
    });
    // 146 → 47 → 116 µs/table: smallest to largest looks flat (0.79), 1,000 → 5,000 is 2.47×.
    const results: Results = {
      machine: {}, runs: [{ date: 'r', note: '', parts: ['plan'], sizes: [100, 1000, 5000], dialects: ['mysql'] }], sizes: [100, 1000, 5000],
      plan: [plan(100, 14.6), plan(1000, 47), plan(5000, 580)].map((f) => ({ ...f, run: 'r' })), startup: null, apply: [], data: [], drizzle: [], errors: [],
    };
    const md = markdown(results);
    const row = md.split('\n').find((l) => l.startsWith('| mysql | diff5 |'))!;
    assert.match(row, /\| 146 \| 47 \| 116 \| 0\.32 \| 2\.47 ⚠ \|/);
    assert.match(md, /## Limits[\s\S]*mysql diff5 per table grows 2\.47× from 1000 to 5000 tables/);
  });
});
