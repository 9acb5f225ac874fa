/**
 * Live schemas kept between reads by catalog key (src/database/kept-live.ts), on every dialect:
 * a read taken from a kept entry is the schema read afresh, a schema changed by anyone else is
 * read afresh, a damaged entry is never taken, and the entries stay within their bound. Where
 * the dialect has no catalog key (the servers), nothing is kept and every read is fresh.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint, openDatabase } from '../../src/index.js';
import type { Connection } from '../../src/dialects/connection.js';
import type { SchemaIR } from '../../src/ir/schema.js';
import { introspectKept, jsonExact, LIVE_MAX } from '../../src/database/kept-live.js';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolve } from '../support/cli.js';

/** `conn` with its queries counted. */
function counted(conn: Connection): { conn: Connection; queries: () => number } {
  let n = 0;
  const c = Object.create(conn) as Connection;
  Object.defineProperty(c, 'query', { value: (sql: string, params?: readonly unknown[]) => { n++; return conn.query(sql, params); } });
  if (typeof conn.eachRow === 'function') {
    const each = conn.eachRow.bind(conn);
    Object.defineProperty(c, 'eachRow', { value: (...a: Parameters<typeof each>) => { n++; return each(...a); } });
  }
  return { conn: c, queries: () => n };
}

const entries = (dir: string, ext: string): string[] => {
  try { return readdirSync(dir).filter((n) => n.endsWith(ext) && /^[0-9a-f]+$/.test(n.slice(0, -ext.length))); } catch { return []; }
};

forEachDialect('live schemas kept between reads', (d) => {
  it('a kept read is the fresh read, and a schema changed by another session is read afresh', async (t) => {
    await withDb(t, d, async (db) => {
      const dir = mkdtempSync(join(tmpdir(), 'evolve-kept-live-'));
      try {
        await db.exec('CREATE TABLE item (id integer NOT NULL PRIMARY KEY, name varchar(40) NOT NULL DEFAULT \'x\', price integer)');
        await db.exec('CREATE INDEX item_name ON item (name)');
        // (Opened for each step: PGlite's session does not see another instance's change.)
        const step = async <T>(fn: (read: () => Promise<{ schema: SchemaIR; queries: number }>, fresh: () => Promise<SchemaIR>, keyed: boolean) => Promise<T>): Promise<T> => {
          const open = await openDatabase(db.url, true);
          try {
            const read = async () => {
              const c = counted(open.conn);
              const schema = await introspectKept(open.dialect, c.conn, open.introspectOptions, dir);
              return { schema, queries: c.queries() };
            };
            return await fn(read, () => open.dialect.introspect(open.conn, open.introspectOptions), open.dialect.catalogKey !== undefined);
          } finally { await open.close(); }
        };
        await step(async (read, fresh, keyed) => {
          const first = await read();
          assert.deepEqual(first.schema, await fresh());
          const second = await read();
          assert.deepEqual(second.schema, await fresh(), 'the kept read is the fresh one');
          assert.equal(fingerprint(second.schema), fingerprint(await fresh()));
          if (keyed) {
            assert.equal(entries(dir, '.live').length, 1, 'one schema, one entry');
            assert.equal(second.queries, 1, 'a kept schema costs the catalog key\'s one query');
            assert.ok(first.queries > 1, 'the first read reads the catalog');
          } else {
            assert.deepEqual(readdirSync(dir), [], 'without a catalog key nothing is kept');
            assert.equal(second.queries, first.queries, 'every read is fresh');
          }
        });
        // Another session changes the schema: the next read sees it.
        await db.exec('ALTER TABLE item ADD COLUMN note text');
        await step(async (read, fresh, keyed) => {
          const third = await read();
          assert.deepEqual(third.schema, await fresh());
          assert.ok(third.schema.tables[0]!.columns.some((c) => c.name === 'note'), 'the new column is read');
          if (keyed) assert.ok(third.queries > 1, 'a changed schema is read afresh');
          // A damaged entry is never taken: read afresh (and written again).
          for (const e of entries(dir, '.live')) writeFileSync(join(dir, e), '{"ignored":[],"schema":{},"tables":5,"types":[],"defaults":[]}\n{}\n');
          const fourth = await read();
          assert.deepEqual(fourth.schema, await fresh());
          if (keyed) assert.ok(fourth.queries > 1, 'a damaged entry is read afresh');
        });
      } finally { rmSync(dir, { recursive: true, force: true }); }
    });
  });

  it(`commands keep at most ${LIVE_MAX} live schemas, each with its texts, and fingerprint each schema as read afresh`, async (t) => {
    await withDb(t, d, async (db) => {
      const cache = mkdtempSync(join(tmpdir(), 'evolve-kept-live-'));
      try {
        await db.exec('CREATE TABLE t0 (id integer NOT NULL PRIMARY KEY)');
        const env = { EVOLVE_CACHE_DIR: cache };
        const prints: string[] = [];
        for (let i = 1; i <= LIVE_MAX + 3; i++) {
          const a = await evolve(['fingerprint', '--db', db.url], env);
          const b = await evolve(['fingerprint', '--db', db.url], env);
          assert.equal(a.code, 0, a.stderr);
          assert.equal(b.stdout, a.stdout, 'the kept schema fingerprints as the fresh one');
          const open = await openDatabase(db.url, true);
          try {
            assert.equal(a.stdout.trim(), fingerprint(await open.dialect.introspect(open.conn, open.introspectOptions)));
          } finally { await open.close(); }
          prints.push(a.stdout.trim());
          await db.exec(`CREATE TABLE t${i} (id integer NOT NULL PRIMARY KEY, v${i} integer)`);
        }
        assert.equal(new Set(prints).size, prints.length, 'every schema its own fingerprint');
        const live = entries(cache, '.live');
        const texts = entries(cache, '.live.txt');
        if (db.dialect === 'sqlite') {
          assert.equal(live.length, LIVE_MAX, `at most ${LIVE_MAX} entries: ${live.join(' ')}`);
          assert.deepEqual(texts.map((n) => n.replace('.live.txt', '')).sort(), live.map((n) => n.replace('.live', '')).sort(), 'each entry with its texts, no other');
        } else {
          assert.equal(live.length + texts.length, 0, 'nothing kept without a catalog key');
        }
      } finally { rmSync(cache, { recursive: true, force: true }); }
    });
  });
});

it('only a schema JSON gives back exactly is kept', () => {
  assert.equal(jsonExact({ a: [1, 'x', null, true, { b: 2.5 }], c: undefined }), true);
  for (const v of [Infinity, NaN, -0, 1n, new Date(0), () => 1, [undefined], { m: new Map() }]) {
    assert.equal(jsonExact({ v }), false, String(v));
  }
});
