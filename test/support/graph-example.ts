/**
 * An example evolutions directory for `evolve graph` tests and the screenshot in docs/: four
 * known fingerprints, three recorded evolutions (each with its revert) and a hand-written
 * jump over two of them (no revert), applied to `db` — apply takes the jump.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applyEvolution, hashEvolutions, recordEvolution } from '../../src/index.js';
import { IMPORTS, writeModels } from './cli.js';

export interface GraphExample { models: string; evolutions: string; ids: string[]; fingerprints: string[] }

const STATES = [
  "export const author = table('author', { id: integer().primaryKey(), name: varchar(100).notNull() });\n",
  "export const post = table('post', { id: integer().primaryKey(), title: text() });\n",
  "export const author = table('author', { id: integer().primaryKey(), name: varchar(100).notNull(), email: varchar(200) });\n",
  "export const post = table('post', { id: integer().primaryKey(), heading: text().aka('title') });\n",
];

export async function buildGraphExample(db: string): Promise<GraphExample> {
  const source = (n: number): string => IMPORTS + [STATES[0]!, ...(n >= 2 ? [STATES[1]!] : [])]
    .map((s) => (n >= 3 && s.includes("'author'") ? STATES[2]! : n >= 4 && s.includes("'post'") ? STATES[3]! : s)).join('');
  const models = writeModels(source(1));
  const evolutions = join(dirname(models), 'evolutions');
  await applyEvolution({ db, models });
  const ids: string[] = [];
  for (const [n, name] of [[2, 'add-post'], [3, 'add-email'], [4, 'rename-title']] as const) {
    writeFileSync(models, source(n));
    const r = await recordEvolution({ db, models, name });
    ids.push(r.file!.split('/').pop()!);
    await applyEvolution({ db, models });
  }
  const fingerprints = readFileSync(join(evolutions, 'fingerprints.txt'), 'utf8').split('\n').filter((l) => /^fv\d+:/.test(l));
  // The jump: what 0002 and 0003 do, in one evolution from the 2nd fingerprint to the 4th (no revert).
  const up = (id: string): string => readFileSync(join(evolutions, id), 'utf8').split('-- evolve:revert')[0]!
    .split('\n').filter((l) => !l.startsWith('-- evolve:')).join('\n');
  const fkOff = readFileSync(join(evolutions, ids[1]!), 'utf8').includes('-- evolve:foreign-keys off') ? '-- evolve:foreign-keys off\n' : '';
  writeFileSync(join(evolutions, '0004-jump-to-heading.sql'),
    `-- evolve:from ${fingerprints[1]}\n-- evolve:to ${fingerprints[3]}\n${fkOff}${up(ids[1]!)}\n${up(ids[2]!)}\n`);
  ids.push('0004-jump-to-heading.sql');
  hashEvolutions(evolutions);
  return { models, evolutions, ids, fingerprints };
}
