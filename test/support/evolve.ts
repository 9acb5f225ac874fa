/** Assertions shared by the behaviour suite. */
import assert from 'node:assert/strict';
import { applyEvolution, planEvolution, modelsFingerprint, fingerprintDatabase, type Table, type ApplyReport } from '../../src/index.js';
import type { TestDatabase } from './databases.js';
import { evolveDialect } from './harness.js';

/**
 * Apply `models`, then check what every apply must guarantee: the live fingerprint is the
 * models' fingerprint (computed without a database) — or, where the database holds objects
 * the models cannot express (kept as they are, and reported), the plan's target — and a
 * second plan finds nothing to do.
 */
export async function evolveTo(db: TestDatabase, models: readonly Table[], options: { allowDataLoss?: boolean } = {}): Promise<ApplyReport> {
  const report = await applyEvolution({ db: db.url, models, ...options });
  const modelsFp = await modelsFingerprint(models, evolveDialect(db.dialect));
  const kept = report.unmanaged.filter((u) => u.endsWith('(not in the models: kept as it is)'));
  const expected = kept.length ? report.targetFingerprint : modelsFp;
  if (!kept.length) assert.equal(report.targetFingerprint, modelsFp, 'the plan\'s target is the models\' fingerprint');
  assert.equal(report.fingerprintAfter, expected, 'fingerprint after apply is the models\' fingerprint');
  assert.equal((await fingerprintDatabase(db.url)).fingerprint, expected, 'a fresh introspection agrees');
  const again = await planEvolution({ db: db.url, models });
  assert.deepEqual(again.statements.map((s) => s.sql), [], 'a second plan finds nothing to do');
  assert.equal(again.inSync, true);
  return report;
}

/** Rows as plain strings, so drivers' number/string/bigint choices don't matter. */
export async function rows(db: TestDatabase, sql: string): Promise<Record<string, string | null>[]> {
  return (await db.query(sql)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])));
}
