import { mkdirSync, writeFileSync } from 'node:fs';
import { fastestScript } from './bench/commands.ts';
import { modelsSourceTs } from './bench/models-source.ts';
import { pgUrl, mysqlUrl } from './bench/lib.ts';
const n = Number(process.argv[2] ?? 1000);
for (const d of ['sqlite', 'postgres', 'mysql'] as const) {
  const tag = `evolve_prof_${n}`;
  const url = d === 'sqlite' ? `sqlite:/tmp/${tag}.db` : d === 'postgres' ? pgUrl(tag) : mysqlUrl(tag);
  const dir = `/tmp/cmd/${d}${n}`;
  mkdirSync(`${dir}/evolutions`, { recursive: true });
  writeFileSync(`${dir}/fastest.mjs`, fastestScript(d, url, tag));
  writeFileSync(`${dir}/models.ts`, modelsSourceTs(n, true));
  writeFileSync(`${dir}/same.ts`, modelsSourceTs(n, false));
  writeFileSync(`${dir}/url`, url);
}
