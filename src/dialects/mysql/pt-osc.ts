/**
 * pt-online-schema-change (Percona Toolkit, Debian `percona-toolkit`): with `--online`, an
 * ALTER that MySQL/MariaDB can only run by copying the table under a write lock runs through it
 * instead. It copies the rows in chunks into a new table kept in step by triggers, then swaps
 * the two names in one atomic RENAME: writes go on all along.
 *
 * It cannot add a foreign key under the key's own name (the copy's keys get a `_` prefix), and
 * it needs a primary key or unique key to copy by: such changes are refused with `--online`.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { EvolveError, ErrorCode } from '../../errors.js';
import type { MysqlConnection } from './connection.js';

const TOOL = 'pt-online-schema-change';

/** The tool's path on `PATH` (`EVOLVE_PT_OSC` overrides; empty: never use it), or null. */
export function ptOscPath(): string | null {
  const set = process.env.EVOLVE_PT_OSC;
  if (set !== undefined) return set === '' ? null : set;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try { accessSync(join(dir, TOOL), constants.X_OK); return join(dir, TOOL); } catch { /* not here */ }
  }
  return null;
}

/** Why the tool cannot run an ALTER body (or null when it can). */
export function ptOscRefusal(body: string): string | null {
  if (/\bFOREIGN\s+KEY\b/i.test(body) && /^\s*ADD\b|,\s*ADD\b/i.test(body)) {
    return 'pt-online-schema-change renames the foreign keys it adds (a _ prefix)';
  }
  return null;
}

/**
 * Run `ALTER TABLE table <body>` through pt-online-schema-change on the connection's server.
 * The password goes through an option file readable by this user only, never the command line.
 * @throws EvolveError `E_SQL_FAILED` with the tool's output when it fails.
 */
export async function runPtOsc(conn: MysqlConnection, table: string, body: string): Promise<void> {
  const tool = ptOscPath();
  if (!tool) throw new EvolveError(ErrorCode.NotOnline, `${TOOL} is not installed.`, { hint: 'Install percona-toolkit.' });
  const c = conn.credentials();
  const dir = mkdtempSync(join(tmpdir(), 'evolve-ptosc-'));
  const file = join(dir, 'my.cnf');
  writeFileSync(file, `[client]\nuser=${c.user}\npassword=${c.password}\nhost=${c.host}\nport=${c.port}\n`, { mode: 0o600 });
  const dsn = `F=${file},D=${c.database},t=${table}`;
  const args = ['--alter', body, '--execute', '--alter-foreign-keys-method=auto', '--no-check-unique-key-change',
    '--set-vars', 'lock_wait_timeout=2', '--recursion-method=none', '--print', dsn];
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
    if (code !== 0) {
      const text = c.password.length >= 3 ? output.split(c.password).join('***') : output;
      throw new EvolveError(ErrorCode.SqlFailed, `${TOOL} failed (exit ${code}) on table ${table}: ${text.trim().split('\n').slice(-6).join('\n')}`, {
        hint: `Fix what ${TOOL} reports, or apply without --online (the table is then copied under a write lock).`,
        details: { tool: TOOL, table, alter: body, output: text },
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
