/** Running the real `evolve` binary (built in dist/) as a user would. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { releasePglite } from '../../src/dialects/postgres/pglite-pool.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'evolve.js');

export interface CliResult { code: number; stdout: string; stderr: string }

export async function evolve(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  // The command may open a PGlite directory this process keeps open (support/databases.ts).
  await releasePglite();
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env, EVOLVE_DATABASE_URL: env.EVOLVE_DATABASE_URL ?? '' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', rej);
    p.on('close', (code) => res({ code: code ?? -1, stdout, stderr }));
  });
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
