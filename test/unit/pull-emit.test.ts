/**
 * The emitter of `evolve pull` on its own (no database): a schema written as models and loaded
 * back compiles to the same canonical form, whatever its names and expressions hold (quotes,
 * backslashes, backticks, `${`, names JavaScript reserves or the module imports, cycles); what
 * the DSL cannot state is listed by name.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { desiredSchema, fingerprintText, loadDialect, loadModels, type SchemaIR, type TableIR } from '../../src/index.js';
import { pullSchema } from '../../src/pull/pull.js';
import { pullTarget } from '../../src/cli/commands/pull.js';
import { isEvolveError } from '../../src/errors.js';
import { foreignKeyCycles } from '../../src/pull/cycles.js';
import fc from 'fast-check';
import { schemaArb, toModels } from '../support/schema-arbitrary.js';

const col = (name: string, type: TableIR['columns'][number]['type'], extra: Partial<TableIR['columns'][number]> = {}): TableIR['columns'][number] =>
  ({ name, type, nullable: true, default: null, autoIncrement: false, ...extra });

const base = (name: string, extra: Partial<TableIR> = {}): TableIR =>
  ({ name, columns: [col('id', { kind: 'integer' }, { nullable: false })], primaryKey: { name: null, columns: ['id'] }, uniques: [], indexes: [], foreignKeys: [], ...extra });

/** Write the pulled module, load it, compile and normalise it for SQLite: its canonical text. */
async function roundTrip(schema: SchemaIR): Promise<{ text: string; canonical: string; notExpressible: readonly string[] }> {
  const r = pullSchema(schema, { kind: 'file', file: 'models.ts' });
  const dir = mkdtempSync(join(tmpdir(), 'evolve-pull-unit-'));
  writeFileSync(join(dir, 'models.ts'), r.files[0]!.text);
  const d = await loadDialect('sqlite');
  return { text: r.files[0]!.text, canonical: fingerprintText(desiredSchema(await loadModels(join(dir, 'models.ts')), d)), notExpressible: r.notExpressible };
}

describe('evolve pull: the emitter', () => {
  it('keeps names and expressions exactly, whatever they hold', async () => {
    const tricky = "it's a `tick` ${not} \\n \"quoted\"";
    const schema: SchemaIR = {
      dialect: 'sqlite',
      tables: [
        base('text', {
          columns: [
            col('id', { kind: 'integer' }, { nullable: false }),
            col(tricky, { kind: 'text' }, { default: { kind: 'value', value: tricky } }),
            col('expr', { kind: 'text' }, { default: { kind: 'expression', sql: "('a' || `b` || '\\' || '${x}')" } }),
            col('class', { kind: 'raw', sql: 'nvarchar(40)' }),
            col('n', { kind: 'decimal', precision: 10, scale: 2 }, { default: { kind: 'value', value: -1.5 } }),
          ],
          indexes: [{ name: 'text ix', columns: [tricky, 'class'], unique: true, where: "\"class\" <> '`'" }],
        }),
        base('delete', { columns: [col('id', { kind: 'integer' }, { nullable: false }), col('t', { kind: 'integer' })],
          foreignKeys: [{ name: null, columns: ['t'], refTable: 'text', refColumns: ['id'], onDelete: 'cascade', onUpdate: 'no action' }] }),
        base('1st.table', { columns: [col('id', { kind: 'integer' }, { nullable: false }), col('v0', { kind: 'varchar', length: 0 })] }),
      ],
    };
    const d = await loadDialect('sqlite');
    const r = await roundTrip(schema);
    assert.equal(r.canonical, fingerprintText(d.normalise(schema)));
    assert.deepEqual(r.notExpressible, []);
    assert.match(r.text, /export const text_table = table\('text', \{/);
    assert.match(r.text, /export const delete_table = table\('delete', \{/);
    assert.match(r.text, /export const _1st_table = table\('1st\.table', \{/);
    assert.match(r.text, /t: integer\(\)\.references\(\(\) => text_table\.columns\.id, \{ onDelete: 'cascade' \}\)/);
  });

  it('states checks, generated columns, identity ALWAYS, storage options and dialect types; they compile back to the same IR', async () => {
    const schema: SchemaIR = {
      dialect: 'sqlite',
      tables: [base('t', {
        columns: [
          col('id', { kind: 'integer' }, { nullable: false }),
          col('g', { kind: 'integer' }, { generated: { expression: 'id * 2', stored: true } }),
          col('v', { kind: 'text' }, { generated: { expression: "'n' || `id`", stored: false } }),
          col('s', { kind: 'raw', sql: 'smallint' }),
        ],
        checks: [{ name: 't_id_ck', expression: 'id > 0' }, { name: null, expression: 'g < 10' }],
        options: { strict: 'true', without_rowid: 'true' },
      })],
    };
    const r = await roundTrip(schema);
    assert.deepEqual(r.notExpressible, []);
    for (const c of ["checks: [\n    check('t_id_ck', sql`id > 0`),\n    sql`g < 10`,\n  ],", 'storage: { strict: true, without_rowid: true },',
      'g: integer().generatedAs(sql`id * 2`),', "v: text().generatedAs(sql`'n' || \\`id\\``, { stored: false }),", 's: smallint(),',
    ]) assert.ok(r.text.includes(c), `${c} in:\n${r.text}`);
    const d = await loadDialect('sqlite');
    assert.equal(r.canonical, fingerprintText(d.normalise(schema)));
    const pg: SchemaIR = {
      dialect: 'postgres',
      tables: [base('p', { columns: [col('id', { kind: 'bigint' }, { nullable: false, autoIncrement: true, identity: 'always' }),
        col('tags', { kind: 'raw', sql: 'text[]' }), col('doc', { kind: 'raw', sql: 'jsonb' }), col('pt', { kind: 'raw', sql: 'point' })] })],
    };
    const text = pullSchema(pg, { kind: 'file', file: 'm.ts' }).files[0]!.text;
    for (const c of ["id: bigint().identity('always'),", 'tags: array(text()),', 'doc: jsonb(),', "pt: rawType('point'),"]) {
      assert.ok(text.includes(c), `${c} in:\n${text}`);
    }
    const my: SchemaIR = { dialect: 'mysql', tables: [base('m', { columns: [col('id', { kind: 'integer' }, { nullable: false }),
      col('e', { kind: 'raw', sql: "enum('a','it''s','b\\\\c')" }), col('u', { kind: 'raw', sql: 'tinyint unsigned' })] })] };
    const mt = pullSchema(my, { kind: 'file', file: 'm.ts' }).files[0]!.text;
    for (const c of [`e: mysqlEnum('a', "it's", 'b\\\\c'),`, 'u: tinyint({ unsigned: true }),']) assert.ok(mt.includes(c), `${c} in:\n${mt}`);
  });

  it('MySQL: small unsigned auto-increment keys, one leading a composite key, ON UPDATE, an index name on two tables, FULLTEXT and prefix indexes', () => {
    const ix = (name: string): TableIR['indexes'][number] => ({ name, columns: ['id'], unique: false, where: null });
    const key = (table: string, name: string, kind: string, parts: string): SchemaIR['objects'] & object => [{
      kind: 'index', name: `${table}.${name}`, table, definition: '', create: [`ALTER TABLE \`${table}\` ADD ${kind}INDEX \`${name}\` (${parts})`], drop: [],
    }];
    const my: SchemaIR = {
      dialect: 'mysql',
      tables: [
        base('a', { columns: [col('id', { kind: 'raw', sql: 'smallint unsigned' }, { nullable: false, autoIncrement: true }),
          col('at', { kind: 'timestamp', withTimeZone: true }, { onUpdate: 'CURRENT_TIMESTAMP(3)' }), col('Body', { kind: 'text' })], indexes: [ix('city')] }),
        base('b', { indexes: [ix('city')] }),
        base('c', { columns: [col('id', { kind: 'integer' }, { nullable: false, autoIncrement: true }), col('k', { kind: 'integer' }, { nullable: false })],
          primaryKey: { name: null, columns: ['id', 'k'] } }),
      ],
      objects: [...key('a', 'ft', 'FULLTEXT ', '`Body`'), ...key('a', 'pre', '', '`Body`(10), `id`')],
    };
    const r = pullSchema(my, { kind: 'file', file: 'm.ts' }, { indexNamesPerTable: true, autoIncrementLeadingKey: true });
    assert.deepEqual(r.notExpressible, []);
    for (const c of ['id: smallint({ unsigned: true }).primaryKey({ autoIncrement: true }),', '.onUpdate(sql`CURRENT_TIMESTAMP(3)`)',
      "index('ft', { using: 'fulltext' }).on('Body'),", 'id: integer().notNull().autoIncrement(),', "index('pre').on(sql`\\`Body\\`(10)`, 'id'),"]) {
      assert.ok(r.files[0]!.text.includes(c), `${c} in:\n${r.files[0]!.text}`);
    }
    assert.equal(r.files[0]!.text.match(/index\('city'\)/g)?.length, 2);
    // Without the dialect's word that index names are per table, the second is listed, not silently renamed.
    assert.deepEqual(pullSchema(my, { kind: 'file', file: 'm.ts' }).notAdopted,
      ["index city on table b, a name another table's index has", 'auto-increment of c.id, which is not the whole primary key']);
  });

  it('PostgreSQL: a serial column outside the primary key says .autoIncrement(); identity ALWAYS there is listed as adopted', () => {
    const auto = { nullable: false, autoIncrement: true } as const;
    const pg: SchemaIR = {
      dialect: 'postgres',
      tables: [base('t', { columns: [col('id', { kind: 'integer' }, { nullable: false }), col('seq', { kind: 'bigint' }, auto),
        col('ever', { kind: 'integer' }, { ...auto, identity: 'always' })] })],
      objects: [],
    };
    const r = pullSchema(pg, { kind: 'file', file: 'm.ts' }, { autoIncrementAnyColumn: true });
    assert.ok(r.files[0]!.text.includes('seq: bigint().notNull().autoIncrement(),'), r.files[0]!.text);
    assert.deepEqual([r.notExpressible, r.notAdopted], [['identity ALWAYS of t.ever'], []]);
    assert.deepEqual(pullSchema(pg, { kind: 'file', file: 'm.ts' }).notAdopted,
      ['auto-increment of t.seq, which is not the whole primary key', 'auto-increment of t.ever, which is not the whole primary key']);
  });

  it('MySQL: a default the DSL refuses for its type (tinyint(1) DEFAULT 7, a zero date) is stated on the type as the server spells it', async () => {
    const d = await loadDialect('mysql');
    const my: SchemaIR = d.normalise({ dialect: 'mysql', tables: [base('m', { columns: [col('id', { kind: 'integer' }, { nullable: false }),
      col('flag', { kind: 'raw', sql: 'tinyint(1)' }, { nullable: false, default: { kind: 'value', value: 7 } }),
      col('at', { kind: 'raw', sql: 'datetime' }, { nullable: false, default: { kind: 'value', value: '0000-00-00 00:00:00' } }),
      col('on', { kind: 'boolean' }, { default: { kind: 'value', value: true } })] })] });
    const r = pullSchema(my, { kind: 'file', file: 'models.ts' }, { ...d.capabilities, nativeType: (t) => d.sql.type(t) });
    assert.deepEqual(r.notExpressible, []);
    const text = r.files[0]!.text;
    for (const c of ["flag: rawType('tinyint(1)').notNull().default(7),", "at: datetime().notNull().default('0000-00-00 00:00:00'),", 'on: boolean().default(true),']) {
      assert.ok(text.includes(c), `${c} in:\n${text}`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'evolve-pull-unit-'));
    writeFileSync(join(dir, 'models.ts'), text);
    assert.equal(fingerprintText(desiredSchema(await loadModels(join(dir, 'models.ts')), d)), fingerprintText(my), 'the same canonical form');
    // Without the dialect's spelling (the other dialects), it is listed: apply would change it.
    assert.deepEqual(pullSchema(my, { kind: 'file', file: 'm.ts' }).notAdopted,
      ['default of m.flag, not a value of its type', 'default of m.at, not a value of its type']);
  });

  it('lists by name what the DSL cannot state, and writes it as comments', async () => {
    const schema: SchemaIR & { tables: TableIR[] } = {
      dialect: 'postgres',
      tables: [base('t', {
        columns: [col('id', { kind: 'integer' }, { nullable: false }), col('n', { kind: 'integer' }, { autoIncrement: true, identity: 'always' })],
        checks: [{ name: 't_id_ck', expression: 'id > 0' }, { name: null, expression: 'n < elsewhere_limit' }],
        foreignKeys: [{ name: null, columns: ['n'], refTable: 'elsewhere', refColumns: ['id'], onDelete: 'no action', onUpdate: 'no action' }],
      })],
      objects: [{ kind: 'view', name: 'v', table: null, definition: 'SELECT 1', create: [], drop: [] }],
    };
    schema.tables.push({ ...base('hollow'), columns: [], primaryKey: null });
    const r = pullSchema(schema, { kind: 'file', file: 'models.ts' });
    assert.deepEqual([...r.notExpressible].sort(), [
      'auto-increment of t.n, which is not the whole primary key', 'check (n < elsewhere_limit) on table t', 'check t.t_id_ck',
      'foreign key t(n) to elsewhere, a table not pulled', 'identity ALWAYS of t.n', 'table hollow, which has no columns', 'view v',
    ]);
    assert.deepEqual([...r.notAdopted].sort(), ['auto-increment of t.n, which is not the whole primary key',
      'foreign key t(n) to elsewhere, a table not pulled', 'table hollow, which has no columns']);
    const text = r.files[0]!.text;
    for (const c of ['// not expressible yet: CHECK (id > 0) named t_id_ck', '// not expressible yet: CHECK (n < elsewhere_limit)',
      'n: integer(), // not expressible yet: GENERATED ALWAYS AS IDENTITY', '//   view v']) assert.ok(text.includes(c), `${c} in:\n${text}`);
  });

  it('states no object while one created before the tables is unstated (a domain), nor one reading an unstated object', () => {
    const view = (name: string, body: string) => ({ kind: 'view' as const, name, table: null, definition: body, create: [`CREATE VIEW ${name} AS ${body}`], drop: [] });
    const domain = { kind: 'domain' as const, name: 'year', table: null, definition: '{}', create: ['CREATE DOMAIN year AS integer'], drop: [] };
    const blocked = pullSchema({ dialect: 'postgres', tables: [base('t')], objects: [domain, view('v', 'SELECT id FROM t')] }, { kind: 'file', file: 'm.ts' });
    assert.deepEqual([...blocked.notExpressible].sort(), ['domain year', 'view v']);
    assert.doesNotMatch(blocked.files[0]!.text, /view\(/);
    const odd = { ...view('w', 'SELECT 1'), create: ['CREATE VIEW w (a) AS SELECT 1'] };
    const r = pullSchema({ dialect: 'postgres', tables: [base('t')], objects: [view('b_reads_w', 'SELECT a FROM w'), view('a', 'SELECT id FROM t'), odd] },
      { kind: 'file', file: 'm.ts' });
    assert.deepEqual([...r.notExpressible].sort(), ['view b_reads_w', 'view w']);
    assert.match(r.files[0]!.text, /export const a = view\('a', sql`SELECT id FROM t`\);/);
  });

  it('refuses a schema without tables, and --out with --out-dir, as usage errors naming the fix', () => {
    const usage = (re: RegExp) => (e: unknown): boolean => isEvolveError(e) && e.code === 'E_USAGE' && re.test(e.message) && !!e.hint;
    assert.throws(() => pullSchema({ dialect: 'sqlite', tables: [base('_evolve_deployment')] }, { kind: 'dir' }), usage(/no tables to pull/));
    assert.throws(() => pullTarget({ out: 'a.ts', outDir: 'b' }), usage(/--out FILE or --out-dir DIR, not both/));
    assert.equal(pullTarget({}).layout.kind, 'file');
    assert.deepEqual(pullTarget({ outDir: 'models' }).layout, { kind: 'dir' });
  });

  it('random schemas (the property suite\'s), as each dialect normalises them, are written as models that compile back to them', async () => {
    for (const name of ['sqlite', 'postgres', 'mysql']) {
      const d = await loadDialect(name);
      await fc.assert(fc.asyncProperty(schemaArb, async (spec) => {
        const desired = desiredSchema(toModels(spec), d);
        const r = pullSchema(desired, { kind: 'file', file: 'models.ts' });
        assert.deepEqual(r.notExpressible, []);
        const dir = mkdtempSync(join(tmpdir(), 'evolve-pull-prop-'));
        writeFileSync(join(dir, 'models.ts'), r.files[0]!.text);
        assert.equal(fingerprintText(desiredSchema(await loadModels(join(dir, 'models.ts')), d)), fingerprintText(desired));
      }), { numRuns: 20, seed: 18 });
    }
  });

  it('finds the tables whose references form cycles', () => {
    const ref = (to: string) => ({ name: null, columns: ['id'], refTable: to, refColumns: ['id'], onDelete: 'no action' as const, onUpdate: 'no action' as const });
    const cycles = foreignKeyCycles([
      base('a', { foreignKeys: [ref('b')] }), base('b', { foreignKeys: [ref('a')] }), base('c', { foreignKeys: [ref('a')] }),
      base('self', { foreignKeys: [ref('self')] }), base('lone'),
    ]);
    assert.equal(cycles.get('a'), cycles.get('b'));
    assert.ok(cycles.has('a') && cycles.has('self') && !cycles.has('c') && !cycles.has('lone'));
    assert.notEqual(cycles.get('a'), cycles.get('self'));
  });
});
