/**
 * `evolve init`: start using Evolve in a project — `evolve.config.ts` (typed with
 * `defineConfig`, the database URL from the environment), an example models module and an
 * `evolutions/` directory (known fingerprints, signed). Nothing existing is ever overwritten: when any of the files is there
 * already, nothing is written.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { EvolveError, ErrorCode } from '../../errors.js';
import { printJson, type Out } from '../output.js';
import { hashEvolutions } from '../../engine/hash.js';

/** Flags of `evolve init`. */
export interface InitFlags { dir?: string; models?: string; db?: string; json?: boolean }

const CONFIG = (models: string, db: string): string => `import { defineConfig, env } from 'evolve';

// Settings every evolve command reads (flags win). The database URL comes from the environment
// (or a .env file beside this one): DATABASE_URL=postgres://user@host/app, mysql://…, sqlite:app.db.
export default defineConfig({
  db: env('DATABASE_URL', ${JSON.stringify(db)}),
  models: ${JSON.stringify(models)},
  evolutions: './evolutions',
});
`;

const MODELS = `import { table, integer, text, varchar, timestamp, sql } from 'evolve';

// Every exported table() is a model. Rename a column with .aka('old_name'), a table with
// { aka: ['old_name'] }: renames are never guessed.
export const author = table('author', {
  id: integer().primaryKey({ autoIncrement: true }),
  name: varchar(100).notNull().unique(),
});

export const post = table('post', {
  id: integer().primaryKey({ autoIncrement: true }),
  author_id: integer().notNull().references(() => author.columns.id, { onDelete: 'cascade' }),
  title: text().notNull(),
  created: timestamp().notNull().default(sql\`CURRENT_TIMESTAMP\`),
});
`;

const FINGERPRINTS = `# Known schema fingerprints, oldest first (evolve record and evolve complete add them).
`;

/** Write the starter files into `flags.dir` (default the working directory). */
export async function initCommand(flags: InitFlags, out: Out): Promise<number> {
  const dir = resolve(flags.dir ?? '.');
  const modelsPath = flags.models ?? 'src/models.ts';
  const files = [
    { path: join(dir, 'evolve.config.ts'), text: CONFIG(`./${relative('.', modelsPath).replace(/\\/g, '/')}`, flags.db ?? 'sqlite:app.db') },
    { path: resolve(dir, modelsPath), text: MODELS },
    { path: join(dir, 'evolutions', 'fingerprints.txt'), text: FINGERPRINTS },
  ];
  const there = [...files.map((f) => f.path), join(dir, 'evolutions')].filter((p) => existsSync(p));
  if (there.length > 0) {
    throw new EvolveError(ErrorCode.Usage, `evolve init would overwrite ${there.map((p) => relative(dir, p) || '.').join(', ')}; nothing was written.`, {
      hint: 'Run it in a project without Evolve files, or move those files away first (evolve init never overwrites).',
      details: { existing: there },
    });
  }
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.text, { flag: 'wx' });
  }
  // Signed, as `evolve hash` would: the empty directory is a valid evolutions set.
  const sum = hashEvolutions(join(dir, 'evolutions')).file;
  const written = [...files.map((f) => f.path), sum].map((p) => relative(dir, p).replace(/\\/g, '/'));
  if (out.json) { printJson(out, { ok: true, written }); return 0; }
  out.write([
    ...written.map((w) => `wrote ${w}`),
    '',
    'Next:',
    '  npx evolve sql     # what apply would do (changes nothing)',
    `  npx evolve apply   # create the tables of ${written[1]} in the database`,
  ].join('\n'));
  return 0;
}
