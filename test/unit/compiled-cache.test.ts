/**
 * Compiled models kept between commands (model/compiled-cache.ts, issue 20 point 4): a models
 * module whose result is its text alone is compiled once per content, Evolve and dialect, and a
 * later command reads the kept schema — the same schema, to the byte — instead of running it; a
 * module that could give another result on another run (the environment, the clock, a built-in
 * module, anything from `evolve` beside the DSL) is never kept; the entries are bounded.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Before anything reads the cache's place (it is read once per process).
const cacheDir = mkdtempSync(join(tmpdir(), 'evolve-compiled-cache-'));
process.env.EVOLVE_CACHE_DIR = cacheDir;

const { loadDesired, desiredOn } = await import('../../src/database/sources.js');
const { compiledKey, onlyModels, writeCompiled, readCompiled, IR_MAX } = await import('../../src/model/compiled-cache.js');
const { cacheConfig } = await import('../../src/model/ts-loader.js');
const { canonicalTableText } = await import('../../src/ir/canonical-text.js');
const { loadDialect, fingerprint } = await import('../../src/index.js');

const work = mkdtempSync(join(tmpdir(), 'evolve-compiled-models-'));
after(() => { rmSync(work, { recursive: true, force: true }); rmSync(cacheDir, { recursive: true, force: true }); });

let n = 0;
/** A module (and the modules beside it) in a directory of its own; its path. */
function moduleOf(source: string, beside: Record<string, string> = {}): string {
  const dir = join(work, `m${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries({ 'models.ts': source, ...beside })) writeFileSync(join(dir, name), text);
  return join(dir, 'models.ts');
}

const RICH = `import { table, index, check, integer, bigint, text, varchar, decimal, boolean, timestamp, json, sql, manyToMany } from 'evolve';
import { PREFIX } from './names';
export const author = table(\`\${PREFIX}author\`, {
  id: integer().primaryKey({ autoIncrement: true }),
  name: varchar(100).notNull().unique().aka('full_name'),
  born: timestamp().default(sql\`CURRENT_TIMESTAMP\`),
  rating: decimal(5, 2).notNull().default(0),
}, { aka: ['writer'], indexes: [index('author_name_ix').on('name')], checks: [check('rating_ok', sql\`rating >= 0\`)] });
export const book = table(\`\${PREFIX}book\`, {
  id: bigint().primaryKey(),
  author_id: integer().notNull().references(() => author.columns.id, { onDelete: 'cascade' }),
  title: text().notNull(), published: boolean().notNull().default(false), meta: json(),
});
export const tags = manyToMany(\`\${PREFIX}book_author\`, book, author);
export const note = 'not a table';
`;
const NAMES = "export const PREFIX: string = 'app_';\n";

describe('compiled models kept between commands', () => {
  it('a module of the DSL alone gives one key per content, Evolve and dialect; any edit, here or in a module it imports, another', async () => {
    const path = moduleOf(RICH, { 'names.ts': NAMES });
    const k1 = await compiledKey(path, 'sqlite', cacheConfig());
    assert.match(k1 ?? '', /^[0-9a-f]{32}$/);
    assert.equal(await compiledKey(path, 'sqlite', cacheConfig()), k1, 'the same module, the same key');
    assert.notEqual(await compiledKey(path, 'postgres', cacheConfig()), k1, 'another dialect, another key');
    writeFileSync(join(path, '..', 'names.ts'), "export const PREFIX: string = 'other_';\n");
    assert.notEqual(await compiledKey(path, 'sqlite', cacheConfig()), k1, 'an imported module edited: another key');
    assert.equal(await onlyModels(path, cacheConfig()), true);
  });

  it('finds the key again from the modules\' bytes and their graph entries alone; a damaged graph entry is planned afresh', async () => {
    const path = moduleOf(RICH, { 'names.ts': NAMES });
    const k1 = await compiledKey(path, 'sqlite', cacheConfig());
    const code = (): string[] => readdirSync(cacheDir).filter((f) => /\.(js|map|v8)$/.test(f));
    for (const f of code()) rmSync(join(cacheDir, f));
    assert.equal(await compiledKey(path, 'sqlite', cacheConfig()), k1, 'the same key');
    assert.deepEqual(code(), [], 'without transforming (or reading) any module again');
    const graphs = readdirSync(cacheDir).filter((f) => f.endsWith('.graph'));
    assert.ok(graphs.length >= 2, `a graph entry per module: ${graphs.join(' ')}`);
    // An import that names another file now (`./names` was names.ts; a names.mts beside it is not
    // chosen, a names/ directory neither, but a names.ts deleted in favour of names/index.ts is).
    rmSync(join(path, '..', 'names.ts'));
    mkdirSync(join(path, '..', 'names'));
    writeFileSync(join(path, '..', 'names', 'index.ts'), "export const PREFIX: string = 'moved_';\n");
    const k2 = await compiledKey(path, 'sqlite', cacheConfig());
    assert.match(k2 ?? '', /^[0-9a-f]{32}$/);
    assert.notEqual(k2, k1, 'the import now names another module: another key');
    writeFileSync(join(path, '..', 'names.ts'), NAMES);
    assert.equal(await compiledKey(path, 'sqlite', cacheConfig()), k1, 'back to the first module: the first key');
    for (const f of readdirSync(cacheDir).filter((g) => g.endsWith('.graph'))) writeFileSync(join(cacheDir, f), '{"key":');
    assert.equal(await compiledKey(path, 'sqlite', cacheConfig()), k1, 'damaged entries: planned again, the same key');
    assert.ok(code().length > 0, 'the modules were transformed again');
  });

  for (const [why, source] of [
    ['reads the environment', "import { table, integer } from 'evolve';\nexport const t = table(process.env.T ?? 't', { id: integer() });\n"],
    ['reads the clock', "import { table, integer } from 'evolve';\nexport const t = table(`t${Date.now() % 2}`, { id: integer() });\n"],
    ['draws a random number', "import { table, integer } from 'evolve';\nexport const t = table(`t${Math.random()}`, { id: integer() });\n"],
    ['imports a built-in module', "import { hostname } from 'node:os';\nimport { table, integer } from 'evolve';\nexport const t = table(hostname(), { id: integer() });\n"],
    ['defines numbered steps', "import { table, integer, versioned } from 'evolve';\nexport const t = table('t', { id: integer() });\nexport const schema = versioned({ id: 'a', latest: 0, steps: {} });\n"],
    ['imports evolve whole', "import * as e from 'evolve';\nexport const t = e.table('t', { id: e.integer() });\n"],
    ['reaches globals through a constructor', "import { table, integer } from 'evolve';\nconst g = (() => 0).constructor('return this')();\nexport const t = table(String(g.x ?? 't'), { id: integer() });\n"],
    ['logs', "import { table, integer } from 'evolve';\nconsole.log('loading');\nexport const t = table('t', { id: integer() });\n"],
  ] as const) {
    it(`a module that ${why} is never kept (it runs at every command)`, async () => {
      const path = moduleOf(source);
      assert.equal(await compiledKey(path, 'sqlite', cacheConfig()), null);
      assert.equal(await onlyModels(path, cacheConfig()), false);
    });
  }

  it('nor one that imports such a module, nor a JavaScript module', async () => {
    const path = moduleOf("import { table, integer } from 'evolve';\nimport { N } from './n';\nexport const t = table(N, { id: integer() });\n",
      { 'n.ts': 'export const N = process.argv[1] ?? "t";\n' });
    assert.equal(await compiledKey(path, 'sqlite', cacheConfig()), null);
    const js = join(work, 'plain.mjs');
    writeFileSync(js, "import { table, integer } from 'evolve';\nexport const t = table('t', { id: integer() });\n");
    assert.equal(await compiledKey(js, 'sqlite', cacheConfig()), null);
  });

  for (const dialectName of ['sqlite', 'postgres', 'mysql'] as const) {
    it(`${dialectName}: the second load reads the kept schema, the same as compiling the module, and its notes`, async () => {
      const dialect = await loadDialect(dialectName);
      const path = moduleOf(RICH, { 'names.ts': NAMES });
      const first = await loadDesired(path, { dialect: dialectName });
      assert.equal(first.kind, 'models', 'nothing kept yet: the module runs');
      const compiled = await desiredOn(dialect, null, first);
      const second = await loadDesired(path, { dialect: dialectName });
      assert.equal(second.kind, 'compiled', 'kept by the first load: the module does not run');
      const kept = await desiredOn(dialect, null, second);
      assert.equal(JSON.stringify(kept), JSON.stringify(compiled), 'the kept schema is the compiled one');
      assert.equal(fingerprint(kept), fingerprint(compiled));
      // Each kept table's canonical text is the entry's own (not written again), and the same text.
      const entryLines = readFileSync(join(cacheDir, `${(await compiledKey(path, dialectName, cacheConfig()))!}.txt`), 'utf8').split('\n');
      for (const t of kept.tables) assert.ok(entryLines.includes(canonicalTableText(t)), `the entry holds ${t.name}'s text`);
      assert.deepEqual(kept.tables.map(canonicalTableText), compiled.tables.map(canonicalTableText));
      assert.ok(Object.isFrozen(kept.tables[0]!.columns[0]), 'frozen, as a compiled schema is');
      // The entry lists each distinct type once: columns of one type share one frozen object.
      const entry = readCompiled(cacheConfig(), (await compiledKey(path, dialectName, cacheConfig()))!)!;
      const columns = entry.schema.tables.flatMap((t) => t.columns);
      const byText = new Map(columns.map((c) => [JSON.stringify(c.type), c.type]));
      assert.ok(columns.every((c) => byText.get(JSON.stringify(c.type)) === c.type && Object.isFrozen(c.type)), 'one object per distinct type');
      assert.ok(byText.size < columns.length, 'the module has columns of one type');
      assert.deepEqual(second.kind === 'compiled' ? second.ignored : null, first.kind === 'models' ? first.ignored : null);
      assert.ok((second.kind === 'compiled' ? second.ignored : []).includes('note'), 'the ignored exports are kept for the report');
      // A load without the dialect (a command that does not know it) runs the module as before.
      assert.equal((await loadDesired(path)).kind, 'models');
    });
  }

  it('kept for one dialect, asked for by another: compiled for that one', async () => {
    const path = moduleOf(RICH, { 'names.ts': NAMES });
    await desiredOn(await loadDialect('sqlite'), null, await loadDesired(path, { dialect: 'sqlite' }));
    const kept = await loadDesired(path, { dialect: 'sqlite' });
    assert.equal(kept.kind, 'compiled');
    const pg = await loadDialect('postgres');
    const onPg = await desiredOn(pg, null, kept);
    assert.equal(JSON.stringify(onPg), JSON.stringify(await desiredOn(pg, null, await loadDesired(path))));
  });

  it('an invalid module is not kept: its error comes at every load', async () => {
    const path = moduleOf("import { table, integer } from 'evolve';\nexport const t = table('t', { id: integer().primaryKey({ autoIncrement: true }), ID: integer() });\n");
    for (let i = 0; i < 2; i++) {
      const d = await loadDesired(path, { dialect: 'sqlite' });
      assert.equal(d.kind, 'models');
      await assert.rejects(desiredOn(await loadDialect('sqlite'), null, d), /two columns named/);
    }
  });

  it('a damaged entry is compiled afresh; the entries stay within their bound, the oldest going first', async () => {
    const cache = cacheConfig();
    const path = moduleOf(RICH, { 'names.ts': NAMES });
    const key = (await compiledKey(path, 'sqlite', cache))!;
    writeFileSync(join(cacheDir, `${key}.ir`), '{"schema": ');
    assert.equal(readCompiled(cache, key), null);
    assert.equal((await loadDesired(path, { dialect: 'sqlite' })).kind, 'models');
    // A column naming a type or default the head does not list: damaged too.
    const head = JSON.stringify({ ignored: [], schema: { dialect: 'sqlite' }, tables: 1, types: [{ kind: 'integer' }], defaults: [] });
    const line = (type: number, dflt: number | null): string => JSON.stringify({
      name: 't', columns: [{ name: 'a', type, nullable: true, default: dflt, autoIncrement: false }], primaryKey: null, uniques: [], indexes: [], foreignKeys: [],
    });
    const text = canonicalTableText({ ...JSON.parse(line(0, null)), columns: [{ name: 'a', type: { kind: 'integer' }, nullable: true, default: null, autoIncrement: false }] });
    writeFileSync(join(cacheDir, `${key}.ir`), `${head}\n${line(1, null)}\n`);
    assert.equal(readCompiled(cache, key), null, 'a type position past the list');
    writeFileSync(join(cacheDir, `${key}.ir`), `${head}\n${line(0, 0)}\n`);
    assert.equal(readCompiled(cache, key), null, 'a default position past the list');
    writeFileSync(join(cacheDir, `${key}.ir`), `${head}\n${line(0, null)}\n`);
    const read = readCompiled(cache, key)!;
    assert.deepEqual(read.schema.tables[0]!.columns[0]!.type, { kind: 'integer' }, 'a well-formed entry reads');
    assert.equal(canonicalTableText(read.schema.tables[0]!), text, 'an entry without texts: the text is written as usual');
    // The texts file: taken when it is the entry's own (its id) and holds a text per table, else not.
    const withTexts = (id: string): string => JSON.stringify({ ...JSON.parse(head), texts: id });
    writeFileSync(join(cacheDir, `${key}.ir`), `${withTexts('abc')}\n${line(0, null)}\n`);
    writeFileSync(join(cacheDir, `${key}.txt`), 'abc\n{"the":"text"}\n');
    const kept = readCompiled(cache, key)!.schema.tables[0]!;
    assert.equal(canonicalTableText(kept), '{"the":"text"}', 'the kept text is the one taken');
    assert.equal(canonicalTableText(kept), '{"the":"text"}', 'and again, once every text was taken (the bytes read again)');
    for (const [why, txt] of [['another write\'s', 'abd\n{"the":"text"}\n'], ['a count that is not the tables\'', 'abc\n{"the":"text"}\n{"x":1}\n']]) {
      writeFileSync(join(cacheDir, `${key}.txt`), txt);
      assert.equal(canonicalTableText(readCompiled(cache, key)!.schema.tables[0]!), text, `${why} texts are not taken`);
    }
    rmSync(join(cacheDir, `${key}.txt`));
    assert.equal(canonicalTableText(readCompiled(cache, key)!.schema.tables[0]!), text, 'no texts file: written as usual');
    const schema = { dialect: 'sqlite', tables: [] } as const;
    for (let i = 0; i < IR_MAX + 5; i++) writeCompiled(cache, i.toString(16).padStart(32, '0'), { schema, ignored: [] });
    const entries = readdirSync(cacheDir).filter((f) => f.endsWith('.ir'));
    assert.equal(entries.length, IR_MAX, `at most ${IR_MAX} entries: ${entries.length}`);
    const texts = readdirSync(cacheDir).filter((f) => f.endsWith('.txt'));
    assert.deepEqual(texts.map((f) => f.replace(/\.txt$/, '.ir')).sort(), [...entries].sort(), 'a texts file per entry, none without one');
    assert.ok(entries.includes(`${(IR_MAX + 4).toString(16).padStart(32, '0')}.ir`), 'the newest is kept');
    assert.ok(!entries.includes(`${'0'.padStart(32, '0')}.ir`), 'the oldest went');
  });
});
