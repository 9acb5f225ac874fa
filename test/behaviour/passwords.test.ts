/**
 * Passwords never appear (issue 15, point 2): a password made of any characters — `@`, a
 * space, `:`, `/`, `%`, quotes, non-ASCII — given raw or percent-encoded, right or wrong, never
 * shows in stdout or stderr of a reading or a writing command, in text or `--json`; a URL that cannot be parsed
 * is `E_DB_URL` with the fix (percent-encode), never a stack trace.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evolve, writeModels, IMPORTS } from '../support/cli.js';
import { MYSQL_URL, PG_URL, selectedDialects, serverProblem, freshDatabase } from '../support/databases.js';
import { parseDatabaseUrl, redact } from '../../src/index.js';

const PASSWORDS = ['ngP@ss99word', 'Wrong Pass99', 'a:b/c?d#e%f', 'pct%zzpct', `q'"\`\\;x-y`, 'ünïcødé-€'];

const models = writeModels(`${IMPORTS}export const item = table('item', { id: integer().primaryKey(), name: text() });\n`);

/** The URL of `base` with user `user` and password `password`, raw or percent-encoded. */
function withPassword(base: string, user: string, password: string, encoded: boolean): string {
  const u = new URL(base);
  const auth = `${encodeURIComponent(user)}:${encoded ? encodeURIComponent(password) : password}@`;
  return `${u.protocol}//${auth}${u.host}${u.pathname}${u.search}`;
}

/** Every spelling in which a password could leak. */
function spellings(password: string): string[] {
  // The whole password, encoded too, and each run of 5+ letters or digits in it (a partial leak).
  const runs = password.match(/[\p{L}\p{N}]{5,}/gu) ?? [];
  return [...new Set([password, encodeURIComponent(password), ...runs])];
}

function assertHidden(output: string, password: string, what: string): void {
  for (const s of spellings(password)) assert.ok(!output.includes(s), `${what}: the password ${JSON.stringify(s)} appears in\n${output}`);
  assert.doesNotMatch(output, /\n\s+at .*\.js:\d+/, `${what}: no stack trace`);
}

describe('passwords never appear (no database)', () => {
  it('redact() hides passwords of any characters, in URLs and in free text', () => {
    for (const p of PASSWORDS) {
      for (const encoded of [false, true]) {
        const raw = withPassword('postgres://h:5432/db', 'admin', p, encoded);
        let display = '';
        try { display = parseDatabaseUrl(raw).display; } catch (e) { display = (e as Error).message; }
        assertHidden(display, p, `parse ${raw.length}`);
        assertHidden(redact(`connect to ${raw} failed: password "${p}" refused`), p, 'free text');
      }
    }
  });

  it('a malformed percent escape is E_DB_URL naming the fix', async () => {
    const r = await evolve(['fingerprint', '--db', 'mysql://u:pct%zzpct@127.0.0.1:1/db']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /E_DB_URL/);
    assert.match(r.stderr, /percent-encode/);
    assertHidden(r.stdout + r.stderr, 'pct%zzpct', 'malformed escape');
  });
});

for (const dialect of selectedDialects().filter((d): d is 'postgres' | 'mysql' => d === 'postgres' || d === 'mysql')) {
  describe(`passwords never appear [${dialect}]`, () => {
    it('wrong and right passwords, raw and encoded, through sql (text) and apply (--json)', async (t) => {
      const problem = await serverProblem(dialect);
      if (problem) {
        if (process.env.CI) throw new Error(problem);
        t.skip(problem);
        return;
      }
      const db = await freshDatabase(dialect);
      try {
        for (const [k, p] of PASSWORDS.entries()) {
          // MySQL checks passwords: a user per password makes the right one connect. PostgreSQL
          // here trusts every local user: any password connects, which is the right-password case.
          const user = `evolve_pw_${k}`;
          if (dialect === 'mysql') {
            const lit = `'${p.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
            await db.exec(`DROP USER IF EXISTS '${user}'@'%'`);
            await db.exec(`CREATE USER '${user}'@'%' IDENTIFIED BY ${lit}`);
            await db.exec(`GRANT ALL ON \`${new URL(db.url).pathname.slice(1)}\`.* TO '${user}'@'%'`);
          }
          for (const encoded of [false, true]) {
            const right = withPassword(db.url, dialect === 'mysql' ? user : new URL(PG_URL).username, p, encoded);
            const wrong = withPassword(dialect === 'mysql' ? MYSQL_URL : PG_URL, user, `${p}-wrong`, encoded);
            // A reading command in text and a writing one in --json, each with both passwords, at once.
            const runs = [['sql'], ['apply', '--json']].flatMap((args) => [right, wrong].map(async (url) => {
              const r = await evolve([...args, '--db', url, '--models', models]);
              assertHidden(r.stdout + r.stderr, p, `${args.join(' ')} ${url === right ? 'right' : 'wrong'} ${encoded ? 'encoded' : 'raw'}`);
              assert.notEqual(r.code, -1);
            }));
            await Promise.all(runs);
          }
          if (dialect === 'mysql') await db.exec(`DROP USER IF EXISTS '${user}'@'%'`);
        }
      } finally {
        await db.dispose();
      }
    });
  });
}
