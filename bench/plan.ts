/**
 * Plan-time figures (issue 8 items 1, 2, 5): introspection, fingerprint, no-op diff and a 5%
 * diff on generated schemas, each beside the floor (the same catalog queries replayed through
 * the raw driver in this process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, loadDialect, desiredSchema, type Connection, type SchemaIR } from '../dist/index.js';
import { fingerprintPair } from '../dist/ir/fingerprint.js';
import { fastestRead, fastestReadQueries } from './fastest-read.js';
import { generateModels, createStatements } from './schema.js';
import { adoptUnmodelled } from '../dist/database/sources.js';
import { introspectKept } from '../dist/database/kept-live.js';
import { readCompiled, writeCompiled } from '../dist/model/compiled-cache.js';
import { type BenchDialect, type RawConn, rawSqlite, rawPostgres, rawMysql, pgUrl, mysqlUrl, medianOf, median, round, log, time } from './lib.js';

export interface PlanFigures {
  dialect: BenchDialect;
  tables: number;
  /** Views in the schema (one per ten tables). */
  views: number;
  runs: number;
  createMs: number;
  /** Queries the introspector sends (constant in the number of tables when there is no per-table round trip). */
  catalogQueries: number;
  catalogRows: number;
  /** The fastest read of the same facts (bench/fastest-read.ts): the floor every ratio is taken against (issue 20 point 1). */
  fastestMs: number;
  fastestQueries: number;
  /** Evolve's own catalog queries replayed through the raw driver (the old floor, a second column). */
  floorMs: number;
  /** Time inside Evolve's Connection.query during one introspection (driver + Evolve's thin wrapper). */
  introspectDriverMs: number;
  introspectMs: number;
  fingerprintMs: number;
  compileModelsMs: number;
  noopDiffMs: number;
  noopChanges: number;
  diff5Ms: number;
  diff5Changes: number;
  diff5Statements: number;
  /** introspect + fingerprint + 5% diff (sum of the medians). */
  planMs: number;
  /** Median over the rounds of each round's plan ÷ fastest read (a round runs every figure back to back). */
  planRatio: number;
  /** Median over the rounds of each round's introspect ÷ fastest read. */
  introspectRatio: number;
  /** Median over the rounds of each round's plan ÷ replayed queries (the old floor). */
  planReplayRatio: number;
  /**
   * The plan again as a command makes it in its steady state (nothing changed since the command
   * before): the models read from their kept entry, the live schema kept by catalog key where the
   * dialect has one (src/database/kept-live.ts; SQLite), else read afresh: the live read, and the
   * whole plan (read + fingerprints + 5% diff) with the median of each round's ratio to the
   * fastest read. Absent in runs before 2026-12-07.
   */
  keptIntrospectMs?: number | null;
  keptPlanMs?: number | null;
  keptPlanRatio?: number | null;
}

interface Captured { sql: string; params: readonly unknown[] }

export async function setup(dialect: BenchDialect, n: number, statements: readonly string[]): Promise<{ url: string; tag: string; raw: RawConn; drop: () => Promise<void> }> {
  const tag = `evolve_bench_${n}_${process.pid}`;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'evolve-bench-'));
    const path = join(dir, `${tag}.db`);
    const raw = rawSqlite(path);
    await raw.batch(['PRAGMA journal_mode = WAL', 'BEGIN', ...statements, 'COMMIT']);
    return { url: `sqlite:${path}`, tag, raw, drop: async () => { await raw.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  if (dialect === 'postgres') {
    const admin = await rawPostgres();
    await admin.batch([`DROP SCHEMA IF EXISTS ${tag} CASCADE`, `CREATE SCHEMA ${tag}`]);
    const raw = await rawPostgres(tag);
    for (let i = 0; i < statements.length; i += 200) await raw.batch(["BEGIN", ...statements.slice(i, i + 200), "COMMIT"]);
    const drop = async (): Promise<void> => {
      // One DROP SCHEMA … CASCADE of thousands of tables runs out of lock slots
      // (max_locks_per_transaction): drop the tables in chunks first.
      const names = (await raw.query(`SELECT tablename AS t FROM pg_tables WHERE schemaname = '${tag}'`)).map((r) => String((r as { t: unknown }).t));
      await raw.close();
      for (let i = 0; i < names.length; i += 200) await admin.batch([`DROP TABLE IF EXISTS ${names.slice(i, i + 200).map((x) => `${tag}."${x}"`).join(', ')} CASCADE`]);
      await admin.batch([`DROP SCHEMA ${tag} CASCADE`]);
      await admin.close();
    };
    return { url: pgUrl(tag), tag, raw, drop };
  }
  const admin = await rawMysql();
  await admin.batch([`DROP DATABASE IF EXISTS ${tag}`, `CREATE DATABASE ${tag}`]);
  const raw = await rawMysql(tag);
  await raw.batch(['SET foreign_key_checks = 0', ...statements, 'SET foreign_key_checks = 1']);
  return { url: mysqlUrl(tag), tag, raw, drop: async () => { await raw.close(); await admin.batch([`DROP DATABASE ${tag}`]); await admin.close(); } };
}

/**
 * The plan figures on a fresh database of `n` generated tables. `alsoOnDatabase` runs on the same
 * database before it is dropped (the drizzle-kit comparison), so a size is built once.
 */
export async function benchPlan(dialect: BenchDialect, n: number, alsoOnDatabase?: (url: string, tag: string) => Promise<void>): Promise<PlanFigures> {
  const runs = n >= 5000 ? 3 : n >= 1000 ? 5 : 9;
  const d = await loadDialect(dialect);
  const models = generateModels(n);
  const changedModels = generateModels(n, true);
  const { statements } = createStatements(models, d, { views: true });
  let env!: Awaited<ReturnType<typeof setup>>;
  const createMs = await time(async () => { env = await setup(dialect, n, statements); });
  log(`  ${dialect} ${n} tables created in ${round(createMs / 1000, 1)} s (${statements.length} statements)`);
  const db = await openDatabase(env.url, true);
  try {
    // Capture the catalog queries and time the round trips through Evolve's connection.
    const captured: Captured[] = [];
    let driverMs = 0;
    let capturing = false;
    const conn: Connection = Object.create(db.conn) as Connection;
    Object.defineProperty(conn, 'query', {
      value: async (sql: string, params: readonly unknown[] = []) => {
        const t0 = performance.now();
        const rows = await db.conn.query(sql, params);
        driverMs += performance.now() - t0;
        if (capturing) captured.push({ sql, params });
        return rows;
      },
    });
    // SQLite steps its catalog query row by row, MySQL its columns query (Connection.eachRow): catalog queries too.
    if (typeof db.conn.eachRow === 'function') {
      Object.defineProperty(conn, 'eachRow', {
        value: async (sql: string, params: readonly unknown[], take: (row: Record<string, unknown>) => void) => {
          const t0 = performance.now();
          if (capturing) captured.push({ sql, params });
          await db.conn.eachRow!(sql, params, take);
          driverMs += performance.now() - t0;
        },
      });
    }
    // The queries introspection sends to the catalog reader beside the connection (PostgreSQL,
    // MySQL: connection.ts catalogReader) are Evolve's catalog queries too.
    const own = db.conn as Connection & { catalogReader?: () => Promise<{ query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]> } | undefined> };
    if (typeof own.catalogReader === 'function') {
      Object.defineProperty(conn, 'catalogReader', {
        value: async () => {
          const reader = await own.catalogReader!();
          if (!reader) return undefined;
          return {
            query: async (sql: string, params: readonly unknown[] = []) => {
              const t0 = performance.now();
              const rows = await reader.query(sql, params);
              driverMs += performance.now() - t0;
              if (capturing) captured.push({ sql, params });
              return rows;
            },
          };
        },
      });
    }
    const introspect = (): Promise<SchemaIR> => d.introspect(conn, db.introspectOptions);

    capturing = true;
    let live = await introspect();
    capturing = false;
    if (live.tables.length !== n) throw new Error(`${dialect}: introspected ${live.tables.length} tables, expected ${n}`);
    const views = (live.objects ?? []).filter((o) => o.kind === 'view').length;
    if (views !== Math.ceil(n / 10)) throw new Error(`${dialect}: introspected ${views} views, expected ${Math.ceil(n / 10)}`);

    let desired!: SchemaIR;
    const desired5 = desiredSchema(changedModels, d);
    const compileModelsMs = await medianOf(runs, () => { desired = desiredSchema(models, d); });
    // One round = every figure once, back to back, so a burst of load on a shared machine hits
    // the floor and Evolve alike; the ratios are medians of each round's own ratio.
    let catalogRows = 0;
    let noopChanges = 0;
    let diff5Changes = 0;
    let diff5Statements = 0;
    const floorRound = async (): Promise<void> => {
      catalogRows = 0;
      for (const q of captured) catalogRows += (await env.raw.query(q.sql, q.params)).length;
    };
    // As a plan does it (engine/build-plan.ts): the models keep the views they cannot state
    // (adoption); both fingerprints in one pass, which also finds the tables the same on both
    // sides; then the diff of the rest and the dialect's plan.
    let target = desired5;
    let same: ReadonlySet<string> = new Set();
    const fingerprintRound = (): void => { target = adoptUnmodelled(desired5, live).schema; same = fingerprintPair(live, target).sameTables; };
    const noopRound = (): void => {
      const t = adoptUnmodelled(desired, live).schema;
      noopChanges = d.plan(d.diff(live, t, { sameTables: fingerprintPair(live, t).sameTables })).changes.length;
    };
    const diff5Round = (): void => { const plan = d.plan(d.diff(live, target, { sameTables: same })); diff5Changes = plan.changes.length; diff5Statements = plan.statements.length; };
    const fastestRound = async (): Promise<void> => {
      const got = await fastestRead(dialect, env.raw, env.tag);
      if (dialect === 'sqlite' && got !== n) throw new Error(`fastest read: ${got} tables, expected ${n}`);
    };
    // A command's steady state: the models as a command has them then, read from their kept entry
    // (model/compiled-cache.ts: frozen, each table's canonical text read from the entry, not
    // written again; reading them is the command's models step, not timed here), and the live
    // schema kept by the round before where the catalog has a key (SQLite; the warm-up's read
    // keeps it), else read afresh.
    const keptDir = mkdtempSync(join(tmpdir(), 'evolve-bench-kept-'));
    const modelsKey = '0'.repeat(32);
    writeCompiled({ dir: keptDir }, modelsKey, { schema: desired5, ignored: [] });
    let keptIntro = 0;
    const keptRound = async (): Promise<number> => {
      const models = readCompiled({ dir: keptDir }, modelsKey)!.schema;
      const t0 = performance.now();
      const kept = await introspectKept(d, db.conn, db.introspectOptions, keptDir);
      keptIntro = performance.now() - t0;
      const t = adoptUnmodelled(models, kept).schema;
      const plan = d.plan(d.diff(kept, t, { sameTables: fingerprintPair(kept, t).sameTables }));
      const ms = performance.now() - t0;
      if (kept.tables.length !== n) throw new Error(`${dialect}: kept read gave ${kept.tables.length} tables, expected ${n}`);
      if (plan.statements.length !== diff5Statements) throw new Error(`${dialect}: the plan on the kept schema has ${plan.statements.length} statements, not ${diff5Statements}`);
      return ms;
    };
    const xs = { kept: [] as number[], keptIntro: [] as number[], keptRatio: [] as number[], fastest: [] as number[], planReplayRatio: [] as number[], floor: [] as number[], introspect: [] as number[], driver: [] as number[], fingerprint: [] as number[], noop: [] as number[], diff5: [] as number[], planRatio: [] as number[], introspectRatio: [] as number[] };
    for (let k = -1; k < runs; k++) { // k = -1: warm-up
      const fastest = await time(fastestRound);
      const floor = await time(floorRound);
      driverMs = 0;
      const intro = await time(async () => { live = await introspect(); });
      const fp = await time(fingerprintRound);
      const noop = await time(noopRound);
      const diff5 = await time(diff5Round);
      const kept = await keptRound();
      if (k < 0) continue;
      { xs.kept.push(kept); xs.keptIntro.push(keptIntro); xs.keptRatio.push(kept / fastest); }
      xs.fastest.push(fastest); xs.planReplayRatio.push((intro + fp + diff5) / floor);
      xs.floor.push(floor); xs.introspect.push(intro); xs.driver.push(driverMs); xs.fingerprint.push(fp); xs.noop.push(noop); xs.diff5.push(diff5);
      xs.planRatio.push((intro + fp + diff5) / fastest); xs.introspectRatio.push(intro / fastest);
    }
    const floorMs = median(xs.floor);
    const introspectMs = median(xs.introspect);
    const introspectDriverMs = median(xs.driver);
    const fingerprintMs = median(xs.fingerprint);
    const noopDiffMs = median(xs.noop);
    const diff5Ms = median(xs.diff5);
    if (noopChanges) log(`  WARNING ${dialect} ${n}: the no-op diff found ${noopChanges} changes`);
    const planMs = introspectMs + fingerprintMs + diff5Ms;
    await db.close();
    rmSync(keptDir, { recursive: true, force: true });
    if (alsoOnDatabase) await alsoOnDatabase(env.url, env.tag);
    return {
      dialect, tables: n, views, runs, createMs: round(createMs, 0), catalogQueries: captured.length, catalogRows,
      fastestMs: round(median(xs.fastest)), fastestQueries: fastestReadQueries(dialect), planReplayRatio: round(median(xs.planReplayRatio)),
      floorMs: round(floorMs), introspectDriverMs: round(introspectDriverMs), introspectMs: round(introspectMs),
      fingerprintMs: round(fingerprintMs), compileModelsMs: round(compileModelsMs), noopDiffMs: round(noopDiffMs), noopChanges,
      diff5Ms: round(diff5Ms), diff5Changes, diff5Statements, planMs: round(planMs),
      planRatio: round(median(xs.planRatio)), introspectRatio: round(median(xs.introspectRatio)),
      keptIntrospectMs: round(median(xs.keptIntro)), keptPlanMs: round(median(xs.kept)), keptPlanRatio: round(median(xs.keptRatio)),
    };
  } finally {
    await db.close().catch(() => undefined);
    await env.drop();
  }
}

// `node --import tsx bench/plan.ts` runs this part alone (sizes and dialects from the environment).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { selectedDialects } = await import('./lib.js');
  const sizes = (process.env.BENCH_SIZES ?? '100').split(',').map(Number);
  for (const dialect of selectedDialects()) for (const n of sizes) console.log(JSON.stringify(await benchPlan(dialect, n)));
}
