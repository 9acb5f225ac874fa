/**
 * pt-online-schema-change (Percona Toolkit, Debian `percona-toolkit`): with `--online`, an
 * ALTER that MySQL/MariaDB can only run by copying the table under a write lock runs through it
 * instead. It copies the rows in chunks into a new table kept in step by triggers, then swaps
 * the two names in one atomic RENAME: writes go on all along.
 *
 * It cannot add a foreign key under the key's own name (the copy's keys get a `_` prefix), and
 * it needs a primary key or unique key to copy by: such changes are refused with `--online`.
 *
 * The copy goes in chunks of `--batch-size` rows with `--batch-pause` between them, and is
 * named `_evolve_osc_<table>` (pt-osc-leftovers.ts). The tool never outlives this process: it
 * runs under a small Perl watchdog (Perl is what the tool is written in) that sends it SIGTERM
 * when its standard input, a pipe from this process, closes — as it does when this process
 * dies, even by SIGKILL. The tool then stops at once, leaving its triggers and copy for the next
 * run to drop (it ignores SIGPIPE, so a closed output pipe alone would not stop it); only during
 * the swap, one atomic RENAME, does it finish first. The watchdog also removes the option file
 * that holds the password.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { EvolveError, ErrorCode } from '../../errors.js';
import type { Batches } from '../dialect.js';
import type { MysqlConnection } from './connection.js';
import { PT_OSC_COPY_PREFIX } from './pt-osc-leftovers.js';

const TOOL = 'pt-online-schema-change';
/** The most of the tool's output kept (its last part), for the error when it fails. */
const OUTPUT_MAX = 64 * 1024;

/**
 * The watchdog (`perl -e WATCHDOG dir tool args…`): runs the tool; SIGTERM to it when standard
 * input closes; the exit status of the tool; `dir` (the option file's) removed at the end.
 */
const WATCHDOG = String.raw`use POSIX ":sys_wait_h"; my $dir = shift;
my $pid = fork() // die "fork: $!\n";
if (!$pid) { open(STDIN, "<", "/dev/null"); exec { $ARGV[0] } @ARGV; die "exec $ARGV[0]: $!\n" }
my $in = ""; vec($in, fileno(STDIN), 1) = 1; my $done;
until (($done = waitpid($pid, WNOHANG)) != 0) {
  next unless select(my $r = $in, undef, undef, 0.2) > 0;
  next if sysread(STDIN, my $b, 64);
  kill "TERM", $pid; waitpid($pid, 0); $done = $pid;
}
my $st = $done == $pid ? $? : 255 << 8; unlink "$dir/my.cnf"; rmdir $dir;
exit($st & 127 ? 128 + ($st & 127) : $st >> 8);`;

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
export async function runPtOsc(conn: MysqlConnection, table: string, body: string, batches?: Batches): Promise<void> {
  const tool = ptOscPath();
  if (!tool) throw new EvolveError(ErrorCode.NotOnline, `${TOOL} is not installed.`, { hint: 'Install percona-toolkit.' });
  const c = conn.credentials();
  const dir = mkdtempSync(join(tmpdir(), 'evolve-ptosc-'));
  const file = join(dir, 'my.cnf');
  writeFileSync(file, `[client]\nuser=${c.user}\npassword=${c.password}\nhost=${c.host}\nport=${c.port}\n`, { mode: 0o600 });
  const dsn = `F=${file},D=${c.database},t=${table}`;
  const pause = batches && batches.pauseMs > 0 ? ['--sleep', String(batches.pauseMs / 1000)] : [];
  const chunks = batches ? ['--chunk-size', String(batches.size), '--chunk-time', '0', ...pause] : [];
  const args = ['--alter', body, '--execute', '--alter-foreign-keys-method=auto', '--no-check-unique-key-change',
    '--set-vars', 'lock_wait_timeout=2', '--recursion-method=none', '--new-table-name', `${PT_OSC_COPY_PREFIX}%T`,
    ...chunks, '--print', dsn];
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      // Standard input stays open, unwritten, for as long as this process lives (see the module comment).
      const child = spawn('perl', ['-e', WATCHDOG, dir, tool, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let output = '';
      const keep = (d: Buffer): void => { output = (output + d.toString()).slice(-OUTPUT_MAX); };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', (e) => reject(new EvolveError(ErrorCode.NotOnline, `Could not start ${TOOL} (it runs under perl): ${e.message}`, {
        hint: 'Install percona-toolkit (it brings perl), or apply without --online.', cause: e })));
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
