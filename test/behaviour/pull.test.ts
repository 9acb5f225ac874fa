/**
 * `evolve pull` (issue 18 point 2): a live database's schema written as a models module.
 * Round trip exact: pull → apply to an empty database → the pulled database's fingerprint, for a
 * schema using every construct the DSL has (through the CLI, as one module and as one module per
 * table), for checks and views, for a generated schema of 200 tables, and for every fixture schema
 * whose objects the DSL can express; what it cannot express is listed by name (and, where apply adopts it, the
 * pulled models are in sync with the database they came from). The written TypeScript type-checks.
 */
import { it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyEvolution, bigint, boolean, bytes, date, decimal, fingerprintDatabase, index, integer, json, loadDialect, planEvolution, real,
  sql, table, text, timestamp, uuid, varchar, type Table,
} from '../../src/index.js';
import { pullModels } from '../../src/pull/pull.js';
import { evolveDialect, forEachDialect, withDb } from '../support/harness.js';
import { freshDatabase, ownPostgresDatabase, type TestDatabase } from '../support/databases.js';
import { evolve, ROOT } from '../support/cli.js';
import { prestashopInstaller } from '../support/fixture-installers.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'evolve-pull-'));

/** A schema using every construct the DSL has: keys of one and several columns, references (to itself, in a cycle), indexes, defaults. */
function featureModels(partialIndexes: boolean): Table[] {
  const department = table('department', {
    id: integer().primaryKey({ autoIncrement: true }),
    name: varchar(100).notNull().unique(),
    budget: decimal(12, 2).notNull().default(0),
    created: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`),
    head_id: integer().references(() => employee.columns.id, { onDelete: 'set null' }),
  });
  const employee: Table = table('employee', {
    id: integer().primaryKey({ autoIncrement: true }),
    'first name': varchar(50).notNull().default("it's"),
    department_id: integer().notNull().references(() => department.columns.id, { onDelete: 'cascade' }),
    boss_id: integer().references(() => employee.columns.id),
    active: boolean().notNull().default(true),
    born: date(),
    ratio: real(),
    total: bigint().default(-5),
    doc: json(),
    photo: bytes(),
    ref: uuid(),
    note: text(),
  }, {
    indexes: [
      index('employee_dept_ix').on('department_id', 'active'),
      ...(partialIndexes ? [index('employee_boss_ix').on('boss_id').where(sql`boss_id IS NOT NULL`)] : [index('employee_boss_ix').on('boss_id')]),
      index('employee_ref_ux').on('ref').unique(),
    ],
  });
  const pair = table('pair', {
    a: integer().notNull(),
    b: varchar(20).notNull(),
    c: integer(),
  }, { primaryKey: ['b', 'a'], unique: [['c', 'b']] });
  // Names a JavaScript const cannot take as they are, or that the module imports.
  const weird = table('delete', {
    id: integer().primaryKey(),
    text: text(),
    pa: integer(),
    pb: varchar(20),
  }, { foreignKeys: [{ columns: ['pb', 'pa'], references: () => [pair.columns.b, pair.columns.a], onDelete: 'cascade' }] });
  return [department, employee, pair, weird];
}

/** `tables` generated tables: mixed types, defaults, two indexes each, a reference to an earlier table, every tenth one a composite key. */
function generatedModels(n: number): Table[] {
  const out: Table[] = [];
  for (let i = 0; i < n; i++) {
    const name = `g${String(i).padStart(4, '0')}`;
    const parent = i > 0 ? out[Math.floor(i / 2)]! : null;
    const composite = i % 10 === 5;
    out.push(table(name, {
      id: composite ? integer().notNull() : integer().primaryKey({ autoIncrement: i % 3 === 0 }),
      part: integer().notNull().default(i),
      code: varchar(40).notNull().unique(),
      price: decimal(10, 2).default(1.5),
      active: boolean().notNull().default(i % 2 === 0),
      updated: timestamp(),
      ...(parent ? { parent_id: integer().references(() => parent.columns.id!, { onDelete: 'cascade' }) } : { parent_id: integer() }),
    }, {
      ...(composite ? { primaryKey: ['id', 'part'] } : {}),
      indexes: [index(`${name}_code_ix`).on('code', 'active'), index(`${name}_parent_ix`).on('parent_id')],
    }));
  }
  // Under a composite key, `id` alone is not unique: references to such a table would not be enforceable.
  return out.map((t, i) => (i > 0 && Math.floor(i / 2) % 10 === 5 ? withoutReference(t) : t));
}

function withoutReference(t: Table): Table {
  const { parent_id: _drop, ...rest } = t.builders;
  return table(t.name, { ...rest, parent_id: integer() }, t.options);
}

/** Type-check a written models module as the user's project would (strict), with `evolve` resolving to this checkout. */
function typeCheck(dir: string, files: string[]): void {
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: true,
      paths: { evolve: [join(ROOT, 'src', 'index.ts')] }, allowImportingTsExtensions: true,
    },
    files,
  }));
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { stdio: 'pipe' });
}

/**
 * Apply the models module at `models` to a fresh database (`cli`: through `evolve apply`, else the library; `own`: a
 * PostgreSQL database of its own, as pg_dump files need); its fingerprint.
 */
async function appliedFingerprint(d: TestDatabase['dialect'], models: string, cli = false, own = false): Promise<string> {
  const empty = own ? await ownPostgresDatabase() : await freshDatabase(d);
  try {
    if (cli) {
      const r = await evolve(['apply', '--db', empty.url, '--models', models]);
      assert.equal(r.code, 0, `apply of the pulled models:\n${r.stdout}\n${r.stderr}`);
    } else await applyEvolution({ db: empty.url, models });
    return (await fingerprintDatabase(empty.url)).fingerprint;
  } finally { await empty.dispose(); }
}

/** A fixture schema pulled by the test (see FIXTURES). */
interface Fixture { file: string; expressible: boolean; models?: boolean; prepare?: (sql: string) => string; own?: boolean }


/**
 * The fixture schemas of a dialect that the DSL expresses whole today, and the others (pulled
 * with a list of what is not expressible). `models`: the pulled module is committed beside the
 * fixture (test/fixtures/mysql/<name>/models.ts, checked against its SQL file in models-dsl.test.ts):
 * the pull must still write it (EVOLVE_UPDATE_GOLDEN=1 rewrites it). `prepare`: the text as its installer loads it.
 * `own`: a pg_dump file (names `public`, sets search_path), loaded into a database of its own.
 */
const FIXTURES: Record<'sqlite' | 'postgres' | 'mysql', Fixture[]> = {
  sqlite: [{ file: 'sqlite/chinook/Chinook_Sqlite.sql', expressible: true, models: true }, { file: 'sqlite/chinook-like/v1.sql', expressible: true }],
  mysql: [
    { file: 'mysql/chinook/Chinook_MySql.sql', expressible: true, models: true },
    { file: 'mysql/sakila-like/v1.sql', expressible: true, models: true },
    { file: 'mysql/northwind/northwind.sql', expressible: true, models: true },
    { file: 'mysql/sakila/sakila-schema.sql', expressible: true, models: true },
    // Its zero-date and tinyint(1) DEFAULT 2 defaults stated on datetime() and rawType('tinyint(1)').
    { file: 'mysql/prestashop/db_structure.sql', expressible: true, models: true, prepare: prestashopInstaller },
  ],
  postgres: [
    { file: 'postgres/pagila/v1.sql', expressible: true },
    { file: 'postgres/pagila-real/schema.sql', expressible: true, own: true },
    { file: 'postgres/sakila-jooq/schema.sql', expressible: true, own: true },
    { file: 'postgres/sourcegraph/schema.sql', expressible: true, own: true },
  ],
};

forEachDialect('evolve pull', (d) => {
  // PGlite reads its catalogs through the PostgreSQL introspector, which the server runs here; its DDL is slow at these sizes.
  if (d === 'pglite') return;
  const dialect = evolveDialect(d);

  it('writes the schema as models a person would write; applied to an empty database they give the pulled fingerprint', (t) => withDb(t, d, async (db) => {
    const partial = (await loadDialect(dialect)).capabilities.partialIndexes;
    await applyEvolution({ db: db.url, models: featureModels(partial) });
    const source = (await fingerprintDatabase(db.url)).fingerprint;
    const dir = tmp();
    const file = join(dir, 'src', 'models.ts');
    const r = await evolve(['pull', '--db', db.url, '--out', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { tables: number; columns: number; notExpressible: string[]; files: string[]; fingerprint: string };
    assert.deepEqual({ tables: summary.tables, columns: summary.columns, notExpressible: summary.notExpressible, files: summary.files },
      { tables: 4, columns: 24, notExpressible: [], files: [file] });
    assert.equal(summary.fingerprint, source);
    const text = readFileSync(file, 'utf8');
    for (const piece of [
      "export const department = table('department', {", 'id: integer().primaryKey({ autoIncrement: true }),',
      'name: varchar(100).notNull().unique(),', '.references((): ColumnRef => department.columns.id, { onDelete: \'cascade\' })',
      "'first name': varchar(50).notNull().default(\"it's\"),", '(): ColumnRef => employee.columns.id', 'export const delete_table = table(\'delete\', {',
      "primaryKey: ['b', 'a'],", "references: () => [pair.columns.b, pair.columns.a], onDelete: 'cascade'",
    ]) assert.ok(text.includes(piece), `the module holds ${piece}:\n${text}`);
    assert.match(text, /created: timestamp\(\)\.notNull\(\)\.default\(sql`[^`]+`\)/, 'an expression default is written as sql``');
    assert.equal(await appliedFingerprint(d, file, true), source, 'pull → evolve apply to an empty database → the same fingerprint');

    const again = await evolve(['pull', '--db', db.url, '--out', file]);
    assert.equal(again.code, 2, 'an existing file is not overwritten');
    assert.match(again.stderr, /would overwrite .*models\.ts; nothing was written[\s\S]*--force/);
    writeFileSync(file, '// mine\n');
    assert.equal((await evolve(['pull', '--db', db.url, '--out', file, '--force'])).code, 0);
    assert.equal(readFileSync(file, 'utf8'), text, '--force overwrites it, with the same text');

    const outDir = join(dir, 'models');
    const split = await evolve(['pull', '--db', db.url, '--out-dir', outDir, '--json']);
    assert.equal(split.code, 0, split.stderr);
    assert.deepEqual((JSON.parse(split.stdout) as { files: string[] }).files.map((f) => f.slice(outDir.length + 1)).sort(),
      ['delete_table.ts', 'department.ts', 'employee.ts', 'index.ts', 'pair.ts']);
    assert.match(readFileSync(join(outDir, 'employee.ts'), 'utf8'), /import \{ department \} from '\.\/department\.js';/);
    typeCheck(dir, [file, join(outDir, 'index.ts')]);
    assert.equal(await appliedFingerprint(d, join(outDir, 'index.ts')), source, 'one module per table: the same fingerprint');
  }));

  it('states a check and a view as models; applied to an empty database, and back to the pulled one, they give the same schema', (t) => withDb(t, d, async (db) => {
    await db.exec('CREATE TABLE checked (id INTEGER NOT NULL PRIMARY KEY, n INTEGER, CONSTRAINT checked_n_ck CHECK (n > 0))');
    await db.exec('CREATE VIEW v_checked AS SELECT id, n FROM checked');
    const source = (await fingerprintDatabase(db.url)).fingerprint;
    const dir = tmp();
    const r = await evolve(['pull', '--db', db.url, '--out', join(dir, 'models.ts'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { notExpressible: string[] }).notExpressible, []);
    const text = readFileSync(join(dir, 'models.ts'), 'utf8');
    assert.match(text, /checks: \[\n {4}check\('checked_n_ck', sql`.*n.*> ?0.*`\),\n {2}\],/);
    assert.match(text, /export const v_checked = view\('v_checked', sql`[\s\S]*checked[\s\S]*`\);/);
    const sqlRun = await evolve(['sql', '--exit-code', '--db', db.url, '--models', join(dir, 'models.ts')]);
    assert.equal(sqlRun.code, 0, `in sync with the database it came from:\n${sqlRun.stdout}`);
    assert.equal(await appliedFingerprint(d, join(dir, 'models.ts'), true), source, 'pull → apply to an empty database → the same fingerprint');
  }));

  // PostgreSQL's own constructs: enum types, domains, aggregates, identity ALWAYS, generated columns, its types, comments, functions, triggers, views,
  // materialized views, sequences and indexes with a method — each stated by the pulled models, the round trip exact.
  if (d === 'postgres') {
    it('states PostgreSQL enums, domains, identity, generated columns, comments, functions, aggregates, triggers, views and sequences; round-trips exactly', (t) => withDb(t, d, async (db) => {
      for (const stmt of [
        "CREATE TYPE mood AS ENUM ('sad', 'it''s ok', 'happy')",
        `CREATE DOMAIN code AS varchar(10) COLLATE "C" DEFAULT 'aa' NOT NULL CONSTRAINT code_len CHECK (length(VALUE) > 1) CHECK (VALUE <> 'xx')`,
        "COMMENT ON DOMAIN code IS 'a code'", `CREATE TYPE address AS (street text, zip varchar(10) COLLATE "C")`,
        'CREATE TABLE person (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, m mood, c code, at address, tags text[], doc jsonb, ' +
          "upper_name text GENERATED ALWAYS AS (upper(name)) STORED, CONSTRAINT person_name_ck CHECK (name <> ''))",
        "COMMENT ON TABLE person IS 'people'", "COMMENT ON COLUMN person.name IS 'the person''s name'",
        'CREATE INDEX person_tags ON person USING gin (tags)', 'CREATE INDEX person_lower ON person (lower(name))',
        'CREATE FUNCTION person_up() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$',
        'CREATE TRIGGER person_touch BEFORE INSERT ON person FOR EACH ROW EXECUTE FUNCTION person_up()',
        'CREATE VIEW person_names AS SELECT id, name FROM person', 'CREATE MATERIALIZED VIEW person_count AS SELECT count(*) AS n FROM person',
        'CREATE SEQUENCE invoice_no START WITH 1000 INCREMENT BY 5',
        'CREATE UNIQUE INDEX person_count_n ON person_count (n)', "COMMENT ON FUNCTION person_up() IS 'upper-cases'",
        'CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer)', 'CREATE INDEX person_id_inc ON person (id) INCLUDE (name)',
        'ALTER TABLE person ADD CONSTRAINT person_name_excl EXCLUDE USING btree (name WITH =)',
        'CREATE FUNCTION people() RETURNS SETOF person LANGUAGE sql STABLE AS $$ SELECT * FROM person $$',
      ]) await db.exec(stmt);
      const source = (await fingerprintDatabase(db.url)).fingerprint;
      const r = await pullModels(db.url, { kind: 'file', file: 'models.ts' });
      assert.deepEqual(r.notExpressible, []);
      const text = r.files[0]!.text;
      for (const piece of [
        "export const mood = enumType('mood', ['sad', \"it's ok\", 'happy']);", "id: bigint().identity('always'),", 'm: mood.column(),',
        'tags: array(text()),', 'doc: json(),', '.generatedAs(sql`', ".comment(\"the person's name\")", "comment: 'people',",
        "index('person_tags', { using: 'gin' }).on('tags')", "export const invoice_no = sequence('invoice_no', { start: 1000, increment: 5 });",
        "sqlFunction('person_up()', sql`CREATE OR REPLACE FUNCTION", "trigger('person.person_touch', { on: person }, sql`CREATE TRIGGER",
        "view('person_names', sql`", "materializedView('person_count', sql`", "check('person_name_ck', sql`",
        "export const code = domain('code', varchar(10), { check: [check('code_check', sql`((VALUE)::text <> 'xx'::text)`), check('code_len', sql`",
        "notNull: true, default: sql`'aa'::character varying`, collation: 'C', comment: 'a code' });", 'c: code.column(),',
        "indexes: [index('person_count_n').on('n').unique()]", "{ comment: 'upper-cases' }", "sqlAggregate('total(integer)', sql`CREATE AGGREGATE",
        "sqlFunction('people()', sql`CREATE OR REPLACE FUNCTION people()",
        "export const address = compositeType('address', { street: text(), zip: varchar(10).collation('C') });", 'at: address.column(),',
        "index('person_id_inc').on('id').include('name')", "exclusion('person_name_excl', { on: person }, sql`EXCLUDE USING btree (name WITH =)`)", "index('person_lower').on(sql`lower(name)`)",
      ]) assert.ok(text.includes(piece), `the module holds ${piece}:\n${text}`);
      const dir = tmp();
      writeFileSync(join(dir, 'models.ts'), text);
      typeCheck(dir, [join(dir, 'models.ts')]);
      assert.equal(await appliedFingerprint(d, join(dir, 'models.ts')), source, 'pull → apply to an empty database → the same fingerprint');
      const split = await pullModels(db.url, { kind: 'dir' });
      const out = join(dir, 'split');
      mkdirSync(out);
      for (const f of split.files) writeFileSync(join(out, f.path), f.text);
      assert.equal(await appliedFingerprint(d, join(out, 'index.ts')), source, 'one module per table and objects.ts: the same fingerprint');
    }));
  }

  it('evolve init --from-db writes the pulled models as src/models.ts, and a config whose models match the database', (t) => withDb(t, d, async (db) => {
    await applyEvolution({ db: db.url, models: featureModels(false).slice(2) });
    const dir = tmp();
    const r = await evolve(['init', '--dir', dir, '--from-db', db.url], { DATABASE_URL: '' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote src\/models\.ts\n[\s\S]*2 tables, 7 columns/);
    const pulled = await pullModels(db.url, { kind: 'file', file: 'models.ts' });
    assert.equal(readFileSync(join(dir, 'src', 'models.ts'), 'utf8'), pulled.files[0]!.text);
    const fp = await evolve(['fingerprint', '--json', '--config', join(dir, 'evolve.config.ts')], { DATABASE_URL: '' });
    assert.equal(fp.code, 0, fp.stderr);
    assert.equal((JSON.parse(fp.stdout) as { matchesModels: boolean }).matchesModels, true, fp.stdout);
    const twice = await evolve(['init', '--dir', dir, '--from-db', db.url]);
    assert.equal(twice.code, 2, 'init never overwrites');
  }));

  it('a generated schema of 200 tables round-trips exactly', { timeout: 5 * 60_000 }, (t) => withDb(t, d, async (db) => {
    await applyEvolution({ db: db.url, models: generatedModels(200) });
    const live = await fingerprintDatabase(db.url);
    const r = await pullModels(db.url, { kind: 'file', file: 'models.ts' });
    assert.deepEqual([r.tables, r.notExpressible], [200, []]);
    const file = join(tmp(), 'models.ts');
    writeFileSync(file, r.files[0]!.text);
    assert.equal(await appliedFingerprint(d, file), live.fingerprint);
  }));

  for (const f of FIXTURES[dialect]) {
    const name = f.file.split('/').slice(0, 2).join('/');
    it(`fixture ${name}: ${f.expressible ? 'expressed whole, round-trips exactly' : 'what is not expressible is listed; the rest is in sync'}`,
      { timeout: 5 * 60_000 }, (t) => withDb(t, d, async (shared) => {
        const own = f.own ? await ownPostgresDatabase() : null;
        try { await pullFixture(t, d, own ?? shared, f); } finally { await own?.dispose(); }
      }));
  }
});

/** Load fixture `f` into `db`, pull it, and check the round trip (expressible) or what is listed and the plan (not). */
async function pullFixture(t: TestContext, d: TestDatabase['dialect'], db: { url: string }, f: Fixture): Promise<void> {
  const name = f.file.split('/').slice(0, 2).join('/');
  let source = join(ROOT, 'test', 'fixtures', f.file);
  if (f.prepare) {
    const prepared = join(tmp(), f.file.split('/').pop()!);
    writeFileSync(prepared, f.prepare(readFileSync(source, 'utf8')));
    source = prepared;
  }
  await applyEvolution({ db: db.url, models: source });
  const live = await fingerprintDatabase(db.url);
  const r = await pullModels(db.url, { kind: 'file', file: 'models.ts' });
  const file = join(tmp(), 'models.ts');
  writeFileSync(file, r.files[0]!.text);
  if (f.models) {
    const committed = join(ROOT, 'test', 'fixtures', name, 'models.ts');
    if (process.env.EVOLVE_UPDATE_GOLDEN === '1') writeFileSync(committed, r.files[0]!.text);
    assert.equal(r.files[0]!.text, readFileSync(committed, 'utf8'),
      `test/fixtures/${name}/models.ts is not what evolve pull writes: if the new text is right, rerun with EVOLVE_UPDATE_GOLDEN=1 and review its diff`);
  }
  assert.equal(r.notExpressible.length === 0, f.expressible, `not expressible: ${r.notExpressible.join(', ')}`);
  t.diagnostic(`${r.tables} tables; not expressible: ${r.notExpressible.length}, of which apply would change ${r.notAdopted.length}: ${r.notAdopted.join('; ')}`);
  if (f.expressible) assert.equal(await appliedFingerprint(d, file, false, f.own), live.fingerprint);
  else {
    // The models load (their objects are created in a scratch database, each after what it reads) and plan against the database.
    const plan = await planEvolution({ db: db.url, models: file });
    if (r.notAdopted.length === 0) {
      assert.deepEqual(plan.statements.map((s) => s.sql), [], 'the pulled models and what apply adopts are the database');
    } else if (d === 'postgres') {
      // What the plan changes is what is listed as changed by apply: the columns named there, and nothing else.
      const named = r.notAdopted.map((w) => /of ([\w.]+)\.(\w+)/.exec(w)).filter((m) => m !== null).map((m) => [m![1]!, m![2]!]);
      for (const st of plan.statements) {
        assert.ok(named.some(([table, column]) => st.sql.includes(`"${table}"`) && st.sql.includes(`"${column}"`)), `a listed change: ${st.sql}`);
      }
    }
  }
  assert.ok(existsSync(file));
}
