/**
 * `evolve init`: start using Evolve in a project — `evolve.config.ts` (typed with
 * `defineConfig`, the database URL from the environment), an example models module and an
 * `evolutions/` directory (known fingerprints, signed); with `--from-db URL`, the models are that
 * database's schema pulled (`evolve pull`). Nothing existing is ever overwritten: when any of the files is there
 * already, nothing is written.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { EvolveError, ErrorCode } from '../../errors.js';
import { printJson, type Out } from '../output.js';
import { hashEvolutions } from '../../engine/hash.js';
import { pullModels, type PullResult } from '../../pull/pull.js';
import { pullLines } from './pull.js';

/** Flags of `evolve init`. */
export interface InitFlags { dir?: string; models?: string; db?: string; fromDb?: string; schema?: string; json?: boolean }

/** A URL without its password (the config file keeps the rest; the password belongs in DATABASE_URL or .env). */
function withoutPassword(url: string): { url: string; hadPassword: boolean } {
  const start = url.indexOf('://');
  const at = url.lastIndexOf('@');
  const colon = start < 0 ? -1 : url.indexOf(':', start + 3);
  if (start < 0 || at < 0 || colon < 0 || colon > at) return { url, hadPassword: false };
  return { url: url.slice(0, colon) + url.slice(at), hadPassword: true };
}

/** The models module's text: the example, or (`--from-db`) the database's schema pulled as models, with pull's report lines. */
async function modelsText(flags: InitFlags, file: string): Promise<{ text: string; lines: string[]; pulled: PullResult | null }> {
  if (flags.fromDb === undefined) return { text: MODELS, lines: [], pulled: null };
  const r = await pullModels(flags.fromDb, { kind: 'file', file }, flags.schema !== undefined ? { schema: flags.schema } : {});
  return { text: r.files[0]!.text, lines: pullLines(r, []), pulled: r };
}

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
  const from = flags.fromDb === undefined ? null : withoutPassword(flags.fromDb);
  const files = [
    { path: join(dir, 'evolve.config.ts'), text: CONFIG(`./${relative('.', modelsPath).replace(/\\/g, '/')}`, flags.db ?? from?.url ?? 'sqlite:app.db') },
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
  const models = await modelsText(flags, basename(modelsPath));
  files[1]!.text = models.text;
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.text, { flag: 'wx' });
  }
  // Signed, as `evolve hash` would: the empty directory is a valid evolutions set.
  const sum = hashEvolutions(join(dir, 'evolutions')).file;
  const written = [...files.map((f) => f.path), sum].map((p) => relative(dir, p).replace(/\\/g, '/'));
  const p = models.pulled;
  if (out.json) {
    printJson(out, {
      ok: true, written,
      ...(p ? {
        pulled: { fingerprint: p.fingerprint, tables: p.tables, columns: p.columns, notExpressible: p.notExpressible, notAdopted: p.notAdopted },
      } : {}),
    });
    return 0;
  }
  const password = from?.hadPassword ? ['the password of --from-db is not written to evolve.config.ts: set DATABASE_URL (or .env) to the full URL'] : [];
  out.write([
    ...written.map((w) => `wrote ${w}`),
    ...models.lines,
    ...password,
    '',
    'Next:',
    ...(p
      ? ['  npx evolve fingerprint   # the models match the database they were pulled from',
        '  npx evolve sql           # after editing the models: what apply would do']
      : ['  npx evolve sql     # what apply would do (changes nothing)', `  npx evolve apply   # create the tables of ${written[1]} in the database`]),
  ].join('\n'));
  return 0;
}
