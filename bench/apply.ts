/**
 * Apply overhead (issue 8 item 3): a chain of stored evolutions, each one ADD COLUMN, applied by
 * `applyEvolution` (stored only) against the same statements run directly through the driver.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyEvolution, openDatabase, fingerprint, hashEvolutions, loadDialect, table, integer, text, type ColumnBuilder, type Table } from '../dist/index.js';
import { type BenchDialect, type RawConn, rawSqlite, rawPostgres, rawMysql, pgUrl, mysqlUrl, round, time, log, median, medianOf } from './lib.js';

export interface ApplyFigures {
  dialect: BenchDialect; evolutions: number;
  /** Runs per side, each on a fresh database; the times are medians. */
  runs: number;
  evolveMs: number; directMs: number; ratio: number; perEvolutionEvolveMs: number; perEvolutionDirectMs: number;
  evolveRuns: number[]; directRuns: number[];
  /**
   * One verification as a chain link does it (introspect + fingerprint of the finished
   * database), median: Evolve's fixed cost per evolution beside the DDL itself.
   */
  verifyMs: number;
  /**
   * One run with `verifyEachLink` (`evolve apply --verify-each-link`: every link verified, not
   * only the chain's end), ms.
   */
  eachLinkMs?: number | null;
}

const TABLES = 20;

interface Db {
  url: string; raw: RawConn;
  /** A new raw connection to the same database (the direct side connects and disconnects, as Evolve does). */
  connect: () => Promise<RawConn>;
  drop: () => Promise<void>;
}

async function fresh(dialect: BenchDialect, tag: string): Promise<Db> {
  const base = Array.from({ length: TABLES }, (_, i) => dialect === 'mysql'
    ? `CREATE TABLE a${i} (id INT NOT NULL PRIMARY KEY, name TEXT)`
    : `CREATE TABLE a${i} (id INTEGER NOT NULL PRIMARY KEY, name TEXT)`);
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-bench-apply-'));
    const path = join(dir, `${tag}.db`);
    const raw = rawSqlite(path);
    await raw.batch(['PRAGMA journal_mode = WAL', ...base]);
    return { url: `sqlite:${path}`, raw, connect: async () => rawSqlite(path), drop: async () => { await raw.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  if (dialect === 'postgres') {
    const admin = await rawPostgres();
    await admin.batch([`DROP SCHEMA IF EXISTS ${tag} CASCADE`, `CREATE SCHEMA ${tag}`]);
    const raw = await rawPostgres(tag);
    await raw.batch(base);
    return { url: pgUrl(tag), raw, connect: () => rawPostgres(tag), drop: async () => { await raw.close(); await admin.batch([`DROP SCHEMA ${tag} CASCADE`]); await admin.close(); } };
  }
  const admin = await rawMysql();
  await admin.batch([`DROP DATABASE IF EXISTS ${tag}`, `CREATE DATABASE ${tag}`]);
  const raw = await rawMysql(tag);
  await raw.batch(base);
  return { url: mysqlUrl(tag), raw, connect: () => rawMysql(tag), drop: async () => { await raw.close(); await admin.batch([`DROP DATABASE ${tag}`]); await admin.close(); } };
}

function finalModels(n: number): Table[] {
  const out: Table[] = [];
  for (let t = 0; t < TABLES; t++) {
    const cols: Record<string, ColumnBuilder> = { id: integer().primaryKey(), name: text() };
    for (let k = t; k < n; k += TABLES) cols[`c${k}`] = integer();
    out.push(table(`a${t}`, cols));
  }
  return out;
}

export async function benchApply(dialect: BenchDialect, n = 500, runs = 3): Promise<ApplyFigures> {
  const d = await loadDialect(dialect);
  const statements = Array.from({ length: n }, (_, k) => `ALTER TABLE ${d.sql.ident(`a${k % TABLES}`)} ADD COLUMN ${d.sql.ident(`c${k}`)} ${dialect === 'mysql' ? 'INT' : 'INTEGER'}`);
  const tag = `evolve_bench_apply_${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'evolve-bench-evolutions-'));
  try {
    // Fingerprints: apply the chain once to a scratch database, fingerprinting after each step.
    const scratch = await fresh(dialect, `${tag}_s`);
    const fps: string[] = [];
    const sdb = await openDatabase(scratch.url, true);
    try {
      fps.push(fingerprint(await sdb.introspect()));
      for (const s of statements) { await scratch.raw.query(s); fps.push(fingerprint(await sdb.introspect())); }
    } finally { await sdb.close(); await scratch.drop(); }
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'fingerprints.txt'), `${fps.join('\n')}\n`);
    statements.forEach((s, k) => writeFileSync(join(dir, `${String(k + 1).padStart(4, '0')}-add-c${k}.sql`),
      `-- evolve:from ${fps[k]}\n-- evolve:to ${fps[k + 1]}\n${s};\n`));
    hashEvolutions(dir);
    log(`  ${dialect}: ${n} evolutions written`);

    // Alternate the sides, each on a fresh database, so a burst of load on the machine hits both.
    const directRuns: number[] = [];
    const evolveRuns: number[] = [];
    const models = finalModels(n);
    let verifyMs = NaN;
    let eachLinkMs: number | null = null;
    for (let i = 0; i < runs; i++) {
      const direct = await fresh(dialect, `${tag}_d`);
      // Direct: connect, run the statements one by one, disconnect — the whole job, as Evolve's side does it.
      try {
        directRuns.push(await time(async () => {
          const c = await direct.connect();
          try { for (const s of statements) await c.query(s); } finally { await c.close(); }
        }));
      } finally { await direct.drop(); }
      const target = await fresh(dialect, `${tag}_e`);
      try {
        let applied = 0;
        // The path of `evolve apply --stored-only`: applyEvolution with the stored chain.
        evolveRuns.push(await time(async () => {
          const r = await applyEvolution({ db: target.url, models, evolutions: dir, storedOnly: true });
          applied = r.storedApplied.length;
        }));
        if (applied !== n) throw new Error(`${dialect}: applied ${applied} of ${n} evolutions`);
        if (i === 0) {
          const db = await openDatabase(target.url, true);
          try { verifyMs = await medianOf(20, async () => fingerprint(await db.introspect())); } finally { await db.close(); }
        }
      } finally { await target.drop(); }
      if (i === 0) {
        const strict = await fresh(dialect, `${tag}_v`);
        try {
          eachLinkMs = await time(() => applyEvolution({ db: strict.url, models, evolutions: dir, storedOnly: true, verifyEachLink: true }));
        } finally { await strict.drop(); }
      }
      log(`  ${dialect} run ${i + 1}: direct ${round(directRuns[i]!, 0)} ms, Evolve ${round(evolveRuns[i]!, 0)} ms`);
    }
    const directMs = median(directRuns);
    const evolveMs = median(evolveRuns);
    return {
      dialect, evolutions: n, runs, evolveMs: round(evolveMs, 0), directMs: round(directMs, 0), ratio: round(evolveMs / directMs),
      perEvolutionEvolveMs: round(evolveMs / n), perEvolutionDirectMs: round(directMs / n),
      evolveRuns: evolveRuns.map((x) => round(x, 0)), directRuns: directRuns.map((x) => round(x, 0)), verifyMs: round(verifyMs),
      eachLinkMs: eachLinkMs === null ? null : round(eachLinkMs, 0),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { selectedDialects } = await import('./lib.js');
  for (const dialect of selectedDialects()) console.log(JSON.stringify(await benchApply(dialect, Number(process.env.BENCH_EVOLUTIONS ?? 500))));
}
