/**
 * Running the `evolve` command (built in dist/) as a user would.
 *
 * `evolve()` spawns `bin/evolve.js` for every command on SQLite, PostgreSQL and MySQL. On PGlite
 * (a `pglite:` URL among the arguments, or in `EVOLVE_DATABASE_URL`) it runs the same CLI entry,
 * dist/cli/main.js `main(argv)` (all bin/evolve.js does besides setting the exit code), in this
 * process instead: a new process would open PGlite anew, seconds per command, while this one
 * keeps the test database's instance open (support/databases.ts). Same argv, same exit code,
 * stdout and stderr captured, the same working directory and environment. The CLI as a separate
 * process is what the same tests check on the other three dialects, and on PGlite in
 * test/dialects/pglite-cache.test.ts. A file whose commands run one at a time may run its
 * PostgreSQL and MySQL commands in this process too ({@link runServerCommandsInProcess}).
 * EVOLVE_TEST_CLI_PROCESS=1 spawns a process for every command.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { releasePglite } from '../../src/dialects/postgres/pglite-pool.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'evolve.js');

export interface CliResult { code: number; stdout: string; stderr: string }

let serversInProcess = false;

/**
 * For a test file whose commands run one after another (none at once): its commands on
 * PostgreSQL and MySQL run in this process too, as on PGlite — a process start per command is
 * most of such a file's time on two cores. SQLite keeps a process per command, so every such
 * test still runs the CLI as a separate process on one dialect. Call at the top of the file.
 */
export function runServerCommandsInProcess(): void {
  serversInProcess = true;
}

/** Does this command run in this process (PGlite; PostgreSQL and MySQL after {@link runServerCommandsInProcess})? */
function inProcess(args: readonly string[], env: Record<string, string>): boolean {
  if (process.env.EVOLVE_TEST_CLI_PROCESS) return false;
  const urls = [...args, env.EVOLVE_DATABASE_URL ?? ''];
  if (urls.some((a) => a.startsWith('pglite:'))) return true;
  return serversInProcess && !urls.some((a) => a.startsWith('sqlite:')) && urls.some((a) => /^(?:postgres(?:ql)?|mysql|mariadb):\/\//.test(a));
}

export async function evolve(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  if (inProcess(args, env)) return evolveInProcess(args, env);
  return evolveProcess(args, env);
}

/**
 * The `evolve` binary in a new process. `timeoutMs`: the process is killed after that long
 * (exit code -1), for tests asserting that a command ends by itself.
 */
export async function evolveProcess(args: string[], env: Record<string, string> = {}, options: { timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  // The command may open a PGlite directory this process keeps open (support/databases.ts).
  await releasePglite();
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT, env: { ...process.env, ...env, EVOLVE_DATABASE_URL: env.EVOLVE_DATABASE_URL ?? '' },
      ...(options.timeoutMs ? { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/** A stand-in for process.stdout / process.stderr (a pipe, as for a spawned process) that keeps what is written. */
function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ decodeStrings: false, write(chunk: string | Buffer, _enc, cb) { text += String(chunk); cb(); } });
  return { stream, text: () => text };
}

let cliMain: Promise<(argv: readonly string[]) => Promise<number>> | undefined;
/** One command at a time: process.stdout, the environment and the working directory are this process's own. */
let running: Promise<unknown> = Promise.resolve();

/**
 * The `evolve` CLI's own entry (dist/cli/main.js, what bin/evolve.js runs) in this process, with
 * the argv, working directory (the package root) and environment a spawned process gets;
 * process.stdout and process.stderr are swapped for captures while it runs.
 */
export function evolveInProcess(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = running.then(() => runMain(args, env));
  running = result.catch(() => undefined);
  return result;
}

async function runMain(args: string[], env: Record<string, string>): Promise<CliResult> {
  cliMain ??= import(pathToFileURL(join(ROOT, 'dist', 'cli', 'main.js')).href).then((m: { main: (argv: readonly string[]) => Promise<number> }) => m.main);
  const main = await cliMain;
  const vars = { ...env, EVOLVE_DATABASE_URL: env.EVOLVE_DATABASE_URL ?? '' };
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const cwd = process.cwd();
  const out = capture();
  const err = capture();
  const streams = { stdout: Object.getOwnPropertyDescriptor(process, 'stdout')!, stderr: Object.getOwnPropertyDescriptor(process, 'stderr')! };
  Object.assign(process.env, vars);
  process.chdir(ROOT);
  Object.defineProperty(process, 'stdout', { configurable: true, enumerable: streams.stdout.enumerable, get: () => out.stream });
  Object.defineProperty(process, 'stderr', { configurable: true, enumerable: streams.stderr.enumerable, get: () => err.stream });
  let code: number;
  try {
    code = await main([process.execPath, BIN, ...args]);
  } finally {
    Object.defineProperty(process, 'stdout', streams.stdout);
    Object.defineProperty(process, 'stderr', streams.stderr);
    process.chdir(cwd);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { code, stdout: out.text(), stderr: err.text() };
}

/**
 * Write a models module inside the package (so `import … from 'evolve'` resolves to this
 * package by self-reference) and return its path.
 */
export function writeModels(source: string, name = 'models.ts'): string {
  const base = join(ROOT, '.evolve-tmp');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'm-'));
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

/** The header every test models module starts with. */
export const IMPORTS = "import { table, index, uniqueIndex, sql, integer, bigint, real, decimal, text, varchar, boolean, date, timestamp, json, bytes, uuid, column, rawType } from 'evolve';\n";

/**
 * A models module (source text) with the three-step `versioned()` application the deployment
 * tests use: v0 person(id, name) → latest person(id, full_name, age) + city(id, name).
 */
export function stepsModuleSource(id: string): string {
  return `${IMPORTS}import { versioned } from 'evolve';
export const person = table('person', { id: integer().primaryKey(), full_name: varchar(50).notNull(), age: integer().notNull().default(0) });
export const city = table('city', { id: integer().primaryKey(), name: text() });
export const schema = versioned({ id: '${id}', latest: 3, steps: {
  1: async (ops) => { await ops.addColumn('person', 'age', integer().notNull().default(0)); },
  2: async (ops) => { await ops.renameColumn('person', 'name', 'full_name'); },
  3: async (ops) => { await ops.createTable(table('city', { id: integer().primaryKey(), name: text() })); },
} });
`;
}
