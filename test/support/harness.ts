/**
 * Running one behaviour on every dialect: `forEachDialect` declares a suite per dialect;
 * `withDb` gives a test its own fresh database and drops it after.
 * A dialect whose server does not answer fails the test under CI (CI=1) and is skipped with
 * a loud message otherwise.
 */
import { describe, type TestContext } from 'node:test';
import { freshDatabase, selectedDialects, serverProblem, type TestDatabase, type TestDialect } from './databases.js';

export function forEachDialect(name: string, body: (dialect: TestDialect) => void): void {
  for (const d of selectedDialects()) describe(`${name} [${d}]`, () => body(d));
}

/** The Evolve dialect behind a test dialect (PGlite is PostgreSQL). */
export function evolveDialect(d: TestDialect): 'sqlite' | 'postgres' | 'mysql' {
  return d === 'pglite' ? 'postgres' : d;
}

export async function withDb<T>(t: TestContext, dialect: TestDialect, fn: (db: TestDatabase) => Promise<T>): Promise<T | undefined> {
  const problem = await serverProblem(dialect);
  if (problem) {
    if (process.env.CI) throw new Error(`${problem} (CI requires every dialect's server)`);
    process.stderr.write(`\n!!! SKIPPED ${t.name}: ${problem}\n`);
    t.skip(problem);
    return undefined;
  }
  const db = await freshDatabase(dialect);
  try {
    return await fn(db);
  } finally {
    await db.dispose();
  }
}
