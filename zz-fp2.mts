import { openDatabase, loadDialect, desiredSchema } from './dist/index.js';
import { fingerprintPair } from './dist/ir/fingerprint.js';
import { adoptUnmodelled } from './dist/database/sources.js';
import { generateModels } from './bench/schema.ts';
const dialect = process.argv[2] ?? 'sqlite';
const url = (await import('node:fs')).readFileSync(`/tmp/cmd/${dialect}1000/url`, 'utf8');
const d = await loadDialect(dialect as never);
const db = await openDatabase(url, true);
const desired5 = desiredSchema(generateModels(1000, true), d);
const live = await d.introspect(db.conn, db.introspectOptions);
for (let k = 0; k < Number(process.env.N ?? 6); k++) {
  let t0 = performance.now(); const target = adoptUnmodelled(desired5, live).schema; const a = performance.now() - t0;
  t0 = performance.now(); fingerprintPair(live, target); const f = performance.now() - t0;
  console.log(`adopt ${a.toFixed(2)} pair ${f.toFixed(2)}`);
}
await db.close();
