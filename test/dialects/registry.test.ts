/**
 * The open dialect registry, used as a program outside Evolve would: a PostgreSQL flavour that
 * changes only the deploy lock is registered under its own name and URL scheme, and a plan and
 * an apply run through it against the real server. The built-in dialects register the same way.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyEvolution, dialectNames, fingerprintDatabase, integer, isEvolveError, loadDialect, modelsFingerprint, parseDatabaseUrl,
  planEvolution, registerDialect, table, text, type DatabaseUrl, type Dialect,
} from '../../src/index.js';
import { withDb } from '../support/harness.js';

/** What the flavour's lock saw: one line per acquire and release. */
const ledger: string[] = [];
let loads = 0;

const SCHEME = 'pgledger';

/** `pgledger://…` is a PostgreSQL URL under another name; the driver gets the postgres:// form. */
function parseLedgerUrl(raw: string): DatabaseUrl | null {
  if (!raw.startsWith(`${SCHEME}://`)) return null;
  const base = parseDatabaseUrl(`postgres://${raw.slice(SCHEME.length + 3)}`);
  return { ...base, dialect: 'pg-ledger', display: `${SCHEME}://${base.display.slice('postgres://'.length)}` };
}

registerDialect({
  name: 'pg-ledger',
  parseUrl: parseLedgerUrl,
  async load(): Promise<Dialect> {
    loads++;
    const postgres = await loadDialect('postgres');
    return {
      ...postgres,
      connect: (url, options) => postgres.connect({ ...url, raw: `postgres://${url.raw.slice(SCHEME.length + 3)}` }, options),
      async acquireLock(conn, options) {
        const release = await postgres.acquireLock(conn, options);
        ledger.push(`acquire ${options.schema ?? '(default)'}`);
        return async () => { ledger.push('release'); await release(); };
      },
    };
  },
});

const author = table('author', { id: integer().primaryKey(), name: text().notNull() });
const book = table('book', { id: integer().primaryKey(), title: text(), author_id: integer().references(() => author.columns.id) });
const models = [author, book];

describe('dialect registry', () => {
  it('lists the built-in dialects and the registered one, and parses its URLs (no database)', () => {
    assert.deepEqual(dialectNames().slice(-4), ['sqlite', 'postgres', 'mysql', 'galera'], 'the built-in four (galera: a mysql flavour), registered the same way');
    assert.ok(dialectNames().includes('pg-ledger'));
    const url = parseDatabaseUrl('pgledger://root:s3cr%40t@127.0.0.1:5432/test?schema=s');
    assert.equal(url.dialect, 'pg-ledger');
    assert.equal(url.schema, 's');
    assert.ok(!url.display.includes('s3cr'), 'the password is not shown');
    assert.equal(parseDatabaseUrl('postgres://root@127.0.0.1/test').dialect, 'postgres', 'the built-in scheme still belongs to postgres');
  });

  it('refuses a second dialect of the same name, and names the registered ones for an unknown name', async () => {
    assert.throws(() => registerDialect({ name: 'postgres', parseUrl: () => null, load: () => loadDialect('postgres') }),
      (e: unknown) => isEvolveError(e) && e.code === 'E_USAGE' && /already registered/.test(e.message));
    await assert.rejects(loadDialect('nosuch'), (e: unknown) => isEvolveError(e) && e.code === 'E_DB_URL' && /pg-ledger/.test(e.hint ?? ''));
  });

  it('runs a plan and an apply through the registered flavour, with its lock, to the same fingerprint as postgres', (t) => withDb(t, 'postgres', async (db) => {
    const url = db.url.replace(/^postgres(ql)?:\/\//, `${SCHEME}://`);
    const schema = new URL(db.url).searchParams.get('schema');
    ledger.length = 0;
    const plan = await planEvolution({ db: url, models });
    assert.equal(plan.dialect, 'postgres', 'the flavour speaks PostgreSQL: its schemas are PostgreSQL schemas');
    assert.match(plan.database, /^pgledger:\/\//);
    assert.ok(plan.statements.some((s) => /CREATE TABLE "author"/.test(s.sql)), 'the plan creates the tables');
    assert.deepEqual(ledger, [], 'a plan changes nothing and takes no deploy lock');

    const report = await applyEvolution({ db: url, models });
    assert.equal(report.applied, true);
    assert.deepEqual(ledger, [`acquire ${schema}`, 'release'], 'apply took and released the flavour\'s lock');
    const expected = await modelsFingerprint(models, 'postgres');
    assert.equal(report.fingerprintAfter, expected);
    assert.equal((await fingerprintDatabase(db.url)).fingerprint, expected, 'the built-in dialect reads the same schema');
    assert.equal((await planEvolution({ db: url, models })).inSync, true, 'a second plan through the flavour finds nothing to do');
    assert.equal(loads, 1, 'the flavour was loaded once, lazily');
  }));
});
