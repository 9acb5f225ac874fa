/**
 * Drizzle schemas as models (issue 18 point 4), without a database: what Evolve's models
 * cannot state is refused with a code and a fix, never left out; renames naming nothing are
 * refused; Evolve and Drizzle tables may share a module; Evolve loads drizzle-orm only for a
 * Drizzle table.
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, relations } from 'drizzle-orm';
import * as pg from 'drizzle-orm/pg-core';
import * as my from 'drizzle-orm/mysql-core';
import * as lite from 'drizzle-orm/sqlite-core';
import { drizzleModels, modelsFingerprint, isEvolveError, table, integer, type DrizzleModelsOptions } from '../../src/index.js';
import { loadModelsModule, withDrizzle } from '../../src/model/load.js';
import type { EnumType } from '../../src/index.js';
import { writeModels, ROOT } from '../support/cli.js';

/** `models` (a Drizzle schema) on `dialect` is refused with `code`, a message matching `re` and a hint. */
async function refused(schema: Record<string, unknown>, dialect: string, code: string, re: RegExp, options?: DrizzleModelsOptions): Promise<void> {
  await assert.rejects(modelsFingerprint(drizzleModels(schema, options), dialect), (e: unknown) => {
    assert.ok(isEvolveError(e), String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    assert.ok(e.hint && e.hint.length > 0, 'a fix is named');
    return true;
  });
}

describe('Drizzle schemas as models: what cannot be converted is refused, naming the fix', () => {
  it('a serial or identity column that is not the primary key; smallserial; MySQL serial and unsigned auto-increment; identity options', async () => {
    await refused({ t: pg.pgTable('t', { id: pg.integer('id').primaryKey(), n: pg.serial('n') }) }, 'postgres', 'E_UNSUPPORTED', /'t\.n'.*not the table's one-column primary key/);
    await refused({ t: pg.pgTable('t', { id: pg.smallserial('id').primaryKey() }) }, 'postgres', 'E_UNSUPPORTED', /smallserial/);
    await refused({ t: my.mysqlTable('t', { id: my.serial('id').primaryKey() }) }, 'mysql', 'E_UNSUPPORTED', /serial/);
    await refused({ t: my.mysqlTable('t', { id: my.int('id', { unsigned: true }).autoincrement().primaryKey() }) }, 'mysql', 'E_UNSUPPORTED',
      /auto-increment int unsigned column/);
    await refused({ t: pg.pgTable('t', { id: pg.integer('id').primaryKey().generatedAlwaysAsIdentity({ startWith: 10 }) }) }, 'postgres',
      'E_UNSUPPORTED', /sequence options/);
  });

  it('an index column in DESC order, ON UPDATE CURRENT_TIMESTAMP, NULLS NOT DISTINCT, policies, a Date default', async () => {
    await refused({ t: pg.pgTable('t', { id: pg.integer('id').primaryKey(), a: pg.integer('a') }, (t) => [pg.index('t_a').on(t.a.desc())]) },
      'postgres', 'E_UNSUPPORTED', /index 't_a'.*DESC/);
    await refused({ t: my.mysqlTable('t', { id: my.int('id').primaryKey(), at: my.timestamp('at').onUpdateNow() }) }, 'mysql', 'E_UNSUPPORTED', /onUpdateNow/);
    await refused({ t: pg.pgTable('t', { id: pg.integer('id').primaryKey(), a: pg.integer('a') }, (t) => [pg.unique('t_a').on(t.a).nullsNotDistinct()]) },
      'postgres', 'E_UNSUPPORTED', /NULLS NOT DISTINCT/);
    await refused({ t: pg.pgTable('t', { id: pg.integer('id').primaryKey() }).enableRLS() }, 'postgres', 'E_UNSUPPORTED', /row level security/);
    await refused({ t: lite.sqliteTable('t', { id: lite.integer('id').primaryKey(), at: lite.integer('at', { mode: 'timestamp' }).default(new Date(0)) }) },
      'sqlite', 'E_UNSUPPORTED', /default 1970-01-01/);
  });

  it('a Drizzle view, a placeholder in sql, tables of two dialects, a schema for another dialect', async () => {
    const t = pg.pgTable('t', { id: pg.integer('id').primaryKey() });
    await refused({ t, v: pg.pgView('v', { id: pg.integer('id') }).as(sql`SELECT 1 AS id`) }, 'postgres', 'E_UNSUPPORTED', /view 'v'/);
    await refused({ c: lite.sqliteTable('c', { id: lite.integer('id').primaryKey(), a: lite.integer('a') }, (x) => [lite.check('c_a', sql`${x.a} > ${sql.placeholder('n')}`)]) },
      'sqlite', 'E_UNSUPPORTED', /placeholder/);
    await refused({ t, s: lite.sqliteTable('s', { id: lite.integer('id').primaryKey() }) }, 'sqlite', 'E_MODEL_INVALID', /several dialects/);
    await refused({ t }, 'sqlite', 'E_MODEL_INVALID', /Drizzle tables for postgres, not for sqlite/);
  });

  it('renames naming no table, column or enum are refused; a malformed aka too', async () => {
    const t = lite.sqliteTable('t', { id: lite.integer('id').primaryKey() });
    await refused({ t }, 'sqlite', 'E_MODEL_INVALID', /aka names 'u'/, { aka: { u: 'old' } });
    await refused({ t }, 'sqlite', 'E_MODEL_INVALID', /aka names 't\.x'/, { aka: { 't.x': 'y' } });
    await refused({ t }, 'sqlite', 'E_MODEL_INVALID', /enumAka names 'mood'/, { enumAka: { mood: { a: 'b' } } });
    assert.throws(() => drizzleModels({ t }, { aka: { t: [] } }), (e: unknown) => isEvolveError(e) && e.code === 'E_MODEL_INVALID');
  });
});

describe('Drizzle schemas as models: loading', () => {
  it('a declared rename reaches the models; the fingerprint does not depend on it', async () => {
    const t = lite.sqliteTable('writer', { id: lite.integer('id').primaryKey(), heading: lite.text('heading') });
    const plain = await modelsFingerprint(drizzleModels({ t }), 'sqlite');
    assert.equal(await modelsFingerprint(drizzleModels({ t }, { aka: { writer: 'author', 'writer.heading': ['title'] } }), 'sqlite'), plain);
    const evolveTable = table('writer', { id: integer().primaryKey(), heading: (await import('../../src/index.js')).text() });
    assert.equal(await modelsFingerprint([evolveTable], 'sqlite'), plain, 'the same table written as an Evolve model');
  });

  it('Evolve tables beside Drizzle tables in one module are both models; a relations() export is not reported as ignored', async () => {
    const file = writeModels(`import { table, integer } from 'evolve';
import { relations } from 'drizzle-orm';
import { sqliteTable, integer as int } from 'drizzle-orm/sqlite-core';
export const drizzled = sqliteTable('drizzled', { id: int('id').primaryKey() });
export const evolved = table('evolved', { id: integer().primaryKey() });
export const drizzledRelations = relations(drizzled, () => ({}));
export const helper = 42;
`);
    const m = await loadModelsModule(file);
    assert.deepEqual(m.tables.map((t) => t.name).sort(), ['drizzled', 'evolved']);
    assert.deepEqual(m.ignored, ['helper']);
    assert.deepEqual(m.dialects, ['sqlite']);
    void relations;
  });

  it('a pgEnum of values or of a TypeScript enum is an enum type, also when only a column names it', async () => {
    enum Size { S = 'small', L = 'large' }
    const size = pg.pgEnum('size', Size);
    const mood = pg.pgEnum('mood', ['sad', 'ok']);
    const t = pg.pgTable('t', { id: pg.integer('id').primaryKey(), size: size('size'), mood: mood('mood') });
    const m = await withDrizzle({ tables: [], objects: [], ignored: [] }, { values: [t], options: {} }, null);
    assert.deepEqual(m.objects.map((o) => [o.kind, o.name, (o as EnumType).values]), [['enum', 'size', ['small', 'large']], ['enum', 'mood', ['sad', 'ok']]]);
    assert.deepEqual(m.dialects, ['postgres']);
  });

  it('a module exporting two drizzleModels() values is refused', async () => {
    const file = writeModels(`import { drizzleModels } from 'evolve';
import { sqliteTable, integer } from 'drizzle-orm/sqlite-core';
const t = sqliteTable('t', { id: integer('id').primaryKey() });
export const a = drizzleModels({ t });
export const b = drizzleModels({ t });
`);
    await assert.rejects(loadModelsModule(file), (e: unknown) => isEvolveError(e) && e.code === 'E_MODELS_LOAD' && /2 drizzleModels/.test(e.message));
  });

  it('Evolve imports drizzle-orm nowhere but in the converter, and only dynamically', () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    for (const f of files(join(ROOT, 'src'))) {
      assert.doesNotMatch(readFileSync(f, 'utf8'), /from\s+['"]drizzle-orm/, `${f} imports drizzle-orm statically`);
    }
  });
});
