/**
 * Profiling aid (not part of `npm run bench`): the plan's stages on a kept database, in a loop,
 * with the fastest read interleaved, so `node --cpu-prof --import tsx bench/profile-plan.ts`
 * profiles only Evolve's code on a schema already built. The database (`evolve_prof_<n>`: a
 * SQLite file in the temp directory, a PostgreSQL schema, a MariaDB database) is built once and
 * kept; PROFILE_DROP=1 drops it at the end.
 *
 * Environment: PROFILE_DIALECT (sqlite), PROFILE_TABLES (1000), PROFILE_RUNS (10), PROFILE_DROP.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, loadDialect, desiredSchema } from '../dist/index.js';
import { fingerprintPair } from '../dist/ir/fingerprint.js';
import { adoptUnmodelled } from '../dist/database/sources.js';
import { fastestRead } from './fastest-read.js';
import { generateModels, createStatements } from './schema.js';
import { type BenchDialect, type RawConn, rawSqlite, rawPostgres, rawMysql, pgUrl, mysqlUrl, median, round, time, log } from './lib.js';

const dialect = (process.env.PROFILE_DIALECT ?? 'sqlite') as BenchDialect;
const n = Number(process.env.PROFILE_TABLES ?? 1000);
const runs = Number(process.env.PROFILE_RUNS ?? 10);
const tag = `evolve_prof_${n}`;
const d = await loadDialect(dialect);
const models = generateModels(n);
const changed = generateModels(n, true);

async function open(): Promise<{ url: string; raw: RawConn; drop: () => Promise<void> }> {
  const build = (): string[] => createStatements(models, d, { views: true }).statements;
  if (dialect === 'sqlite') {
    const path = join(tmpdir(), `${tag}.db`);
    const fresh = !existsSync(path);
    const raw = rawSqlite(path);
    if (fresh) await raw.batch(['PRAGMA journal_mode = WAL', 'BEGIN', ...build(), 'COMMIT']);
    return { url: `sqlite:${path}`, raw, drop: async () => { const { rmSync } = await import('node:fs'); rmSync(path, { force: true }); } };
  }
  if (dialect === 'postgres') {
    const admin = await rawPostgres();
    const exists = (await admin.query(`SELECT 1 FROM pg_namespace WHERE nspname = '${tag}'`)).length > 0;
    if (!exists) {
      await admin.batch([`CREATE SCHEMA ${tag}`]);
      const raw = await rawPostgres(tag);
      const st = build();
      for (let i = 0; i < st.length; i += 200) await raw.batch(['BEGIN', ...st.slice(i, i + 200), 'COMMIT']);
      await raw.close();
    }
    const raw = await rawPostgres(tag);
    return {
      url: pgUrl(tag), raw, drop: async () => {
        const names = (await raw.query(`SELECT tablename AS t FROM pg_tables WHERE schemaname = '${tag}'`)).map((r) => String((r as { t: unknown }).t));
        for (let i = 0; i < names.length; i += 200) await admin.batch([`DROP TABLE IF EXISTS ${names.slice(i, i + 200).map((x) => `${tag}."${x}"`).join(', ')} CASCADE`]);
        await admin.batch([`DROP SCHEMA ${tag} CASCADE`]);
      },
    };
  }
  const admin = await rawMysql();
  const exists = (await admin.query(`SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${tag}'`)).length > 0;
  if (!exists) {
    await admin.batch([`CREATE DATABASE ${tag}`]);
    const raw = await rawMysql(tag);
    await raw.batch(['SET foreign_key_checks = 0', ...build(), 'SET foreign_key_checks = 1']);
    await raw.close();
  }
  const raw = await rawMysql(tag);
  return { url: mysqlUrl(tag), raw, drop: async () => { await admin.batch([`DROP DATABASE ${tag}`]); } };
}

const env = await open();
const db = await openDatabase(env.url, true);
const desired5 = desiredSchema(changed, d);
const xs: Record<string, number[]> = { fastest: [], introspect: [], fingerprint: [], diff5: [], plan: [], ratio: [] };
let live = await d.introspect(db.conn, db.introspectOptions);
if (live.tables.length !== n) throw new Error(`introspected ${live.tables.length} tables`);
for (let k = -1; k < runs; k++) {
  const fastest = await time(() => fastestRead(dialect, env.raw, tag));
  const intro = await time(async () => { live = await d.introspect(db.conn, db.introspectOptions); });
  // As a plan does it (engine/build-plan.ts): both fingerprints in one pass, then the diff of what differs.
  let target = adoptUnmodelled(desired5, live).schema;
  let same: ReadonlySet<string> = new Set();
  const fp = await time(() => { target = adoptUnmodelled(desired5, live).schema; same = fingerprintPair(live, target).sameTables; });
  const diff5 = await time(() => d.plan(d.diff(live, target, { sameTables: same })));
  if (k < 0) continue;
  xs.fastest!.push(fastest); xs.introspect!.push(intro); xs.fingerprint!.push(fp); xs.diff5!.push(diff5);
  xs.plan!.push(intro + fp + diff5); xs.ratio!.push((intro + fp + diff5) / fastest);
}
log(`${dialect} ${n}: ${Object.entries(xs).map(([k, v]) => `${k} ${round(median(v))}`).join(', ')}`);
await db.close();
if (process.env.PROFILE_DROP === '1') await env.drop();
await env.raw.close();
process.exit(0);
