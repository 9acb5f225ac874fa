/**
 * Golden tests of each dialect's planner, no database: for each case of
 * test/unit/golden-cases.ts on each dialect it runs on, the plan Evolve builds the way
 * src/engine/evolve.ts does (both sides normalised by the dialect, diffed, data checks from
 * src/plan/hazards.ts, then `dialect.plan`) — its changes, data checks (hazard codes and count
 * SQL), static hazards and exact statements — pinned in test/fixtures/golden/planner-<dialect>.txt.
 * Every `Change` kind is planned on every dialect, except the few listed in CANNOT_ARISE, each
 * with its reason and a check that the case showing it behaves as the reason says.
 *
 * The dialects' connect/introspect/run are replaced by functions that throw: nothing here
 * reaches a server (PostgreSQL, MariaDB) or opens a file.
 *
 * Regenerate the goldens after an intended change of planner output:
 *   EVOLVE_UPDATE_GOLDEN=1 node --import tsx --test test/unit/planner-golden.test.ts
 * then read the SQL in the diff of test/fixtures/golden/planner-*.txt before committing it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeChange, type Change, type ChangeKind } from '../../src/diff/changes.js';
import { diffSchemas, type Diff } from '../../src/diff/differ.js';
import type { DialectName, SchemaIR } from '../../src/ir/schema.js';
import { dataChecks } from '../../src/plan/hazards.js';
import { HazardCode, type DataCheck, type Plan } from '../../src/plan/plan.js';
import { sqliteDialect } from '../../src/dialects/sqlite/index.js';
import { postgresDialect } from '../../src/dialects/postgres/index.js';
import { mysqlDialect } from '../../src/dialects/mysql/index.js';
import { CASES } from './golden-cases.js';
import { CHANGE_KINDS, DIALECTS, type GoldenCase } from './golden-ir.js';
import { blocks, golden, regenerate } from './golden-file.js';

type Dialect = typeof sqliteDialect;
const DIALECT_OBJECTS: Record<DialectName, Dialect> = { sqlite: sqliteDialect, postgres: postgresDialect, mysql: mysqlDialect };
/** Error codes (src/errors.ts; stable strings scripts may rely on). */
const E_UNSUPPORTED = 'E_UNSUPPORTED';

/** What planning one case on one dialect gave. */
interface Outcome {
  readonly diff: Diff;
  readonly checks: readonly DataCheck[];
  readonly plan: Plan | null;
  readonly error: { code: string; message: string } | null;
}

/** A Change kind that cannot arise on a dialect: why, the case that shows it, and a check that it does. */
interface CannotArise { readonly reason: string; readonly shownBy: string; verify(o: Outcome): void }

const kindsOf = (o: Outcome): Set<ChangeKind> => new Set(o.diff.changes.map((c) => c.kind));

const CANNOT_ARISE: Record<DialectName, Partial<Record<ChangeKind, CannotArise>>> = {
  sqlite: {
    replaceObject: {
      reason: 'SQLite views and triggers have no in-place form (its introspector gives them no `replace`): a changed one is dropped and created',
      shownBy: 'change-view',
      verify: (o) => {
        const kinds = kindsOf(o);
        assert.ok(!kinds.has('replaceObject') && kinds.has('dropObject') && kinds.has('createObject'), 'a changed SQLite view is dropped and created');
      },
    },
  },
  postgres: {
    alterTableOptions: {
      reason: 'PostgreSQL tables have no storage options Evolve manages (introspection reports none, models state none): the planner refuses the change',
      shownBy: 'alter-table-options',
      verify: (o) => {
        assert.ok(kindsOf(o).has('alterTableOptions'), 'the diff has the change');
        assert.equal(o.error?.code, E_UNSUPPORTED, 'the planner refuses it');
      },
    },
  },
  mysql: {},
};

/** The dialect with every database-facing hook replaced by one that fails the test. */
function offline(d: Dialect): Dialect {
  const refuse = (what: string) => (): never => { throw new Error(`planner goldens must not ${what} (dialect ${d.name})`); };
  return { ...d, connect: refuse('connect'), introspect: refuse('introspect'), run: refuse('run a plan') };
}

/**
 * The differ as the engine runs it for `d`: the dialect's own `diff` (the generic differ with
 * its diff hooks) where the dialect has one, else the generic differ.
 */
function differ(d: Dialect): (from: SchemaIR, to: SchemaIR) => Diff {
  const own = (d as unknown as { diff?: (from: SchemaIR, to: SchemaIR) => Diff }).diff;
  return own ? (from, to) => own.call(d, from, to) : (from, to) => diffSchemas(from, to);
}

/** An EvolveError's code and message (src/errors.ts), or null for any other throw. */
function evolveError(e: unknown): { code: string; message: string } | null {
  const x = e as { name?: unknown; code?: unknown; message?: unknown } | null;
  return x && x.name === 'EvolveError' && typeof x.code === 'string' ? { code: x.code, message: String(x.message) } : null;
}

function planCase(dialect: Dialect, c: GoldenCase): Outcome {
  const { from, to } = c.build(dialect.name);
  const diff = differ(dialect)(dialect.normalise(from), dialect.normalise(to));
  const checks = dataChecks(diff, dialect);
  // As `apply --allow-data-loss` does when a lossy type change's check finds rows (src/engine/evolve.ts).
  const convertLossy = new Set<Change>(c.consentLossy
    ? checks.filter((k) => k.hazard.code === HazardCode.LossyTypeChange && k.hazard.severity === 'error' && k.hazard.allowable).map((k) => k.change)
    : []);
  try {
    return { diff, checks, plan: dialect.plan(diff, { convertLossy }), error: null };
  } catch (e) {
    const error = evolveError(e);
    if (!error) throw e;
    return { diff, checks, plan: null, error };
  }
}

/** One case's block of a golden: what a reviewer reads. */
function render(c: GoldenCase, o: Outcome): string {
  const lines = [`== ${c.name}`, `about: ${c.about}`, 'changes:', ...o.diff.changes.map((x) => `  ${describeChange(x)}`)];
  if (o.checks.length) {
    lines.push('data checks:');
    for (const k of o.checks) {
      const h = k.hazard;
      lines.push(`  ${h.code} ${h.severity}${h.allowable ? ' (allowable)' : ''} on ${h.table}${h.column ? ` (${h.column})` : ''}`, `    count: ${k.countSql}`);
      if (k.examplesSql) lines.push(`    examples: ${k.examplesSql}`);
    }
  }
  if (o.error) return [...lines, `error: ${o.error.code}: ${o.error.message}`, ''].join('\n');
  const p = o.plan!;
  if (p.hazards.length) lines.push('hazards:', ...p.hazards.map((h) => `  ${h.code} ${h.severity} on ${h.table}: ${h.message}`));
  if (p.foreignKeysOff) lines.push('foreign keys off around the transaction');
  const inTx = p.statements.filter((s) => s.inTransaction).length;
  const mode = inTx === p.statements.length ? 'in one transaction' : inTx === 0 ? 'each on its own, no transaction' : 'marked where outside the transaction';
  lines.push(p.statements.length ? `statements (${p.statements.length}, ${mode}):` : 'statements: none');
  for (const s of p.statements) lines.push(`-- ${!s.inTransaction && inTx > 0 ? '[outside the transaction] ' : ''}${s.comment}`, `${s.sql};`);
  return [...lines, ''].join('\n');
}

const outcomes = new Map<DialectName, Map<string, Outcome>>();
const texts = new Map<DialectName, { actual: Map<string, string>; expected: Map<string, string> | null }>();
for (const name of DIALECTS) {
  const dialect = offline(DIALECT_OBJECTS[name]);
  const byCase = new Map<string, Outcome>();
  const rendered = new Map<string, string>();
  for (const c of CASES) {
    if (!(c.dialects ?? DIALECTS).includes(name)) continue;
    const o = planCase(dialect, c);
    byCase.set(c.name, o);
    rendered.set(c.name, render(c, o));
  }
  outcomes.set(name, byCase);
  const text = golden(`planner-${name}.txt`, [...rendered.values()].join('\n'));
  texts.set(name, { actual: rendered, expected: text === null ? null : blocks(text) });
}

for (const name of DIALECTS) {
  describe(`planner goldens: ${name}`, () => {
    const { actual, expected } = texts.get(name)!;
    const file = `planner-${name}.txt`;

    it('has a golden file with exactly the cases', () => {
      assert.ok(expected, `test/fixtures/golden/${file} is missing: run with EVOLVE_UPDATE_GOLDEN=1 to create it, then review it`);
      assert.deepEqual([...expected.keys()], [...actual.keys()], 'golden cases and test cases differ');
    });

    for (const [caseName, block] of actual) {
      it(caseName, () => {
        assert.ok(expected?.has(caseName), `no golden for case ${caseName} in ${file}`);
        // The block ends with a blank line before the next one: compare without it.
        assert.equal(block.trimEnd(), expected!.get(caseName)!.trimEnd(), regenerate(file));
      });
    }

    it('plans every Change kind, except the ones that cannot arise here (each checked)', () => {
      const planned = new Set<ChangeKind>();
      const errors: string[] = [];
      for (const [caseName, o] of outcomes.get(name)!) {
        if (o.plan) for (const k of kindsOf(o)) planned.add(k);
        else errors.push(caseName);
      }
      const exceptions = CANNOT_ARISE[name];
      for (const [kind, why] of Object.entries(exceptions) as [ChangeKind, CannotArise][]) {
        assert.ok(!planned.has(kind), `${kind} is listed as impossible on ${name} but a case plans it`);
        const shown = outcomes.get(name)!.get(why.shownBy);
        assert.ok(shown, `case ${why.shownBy} (showing why ${kind} cannot arise on ${name}) runs on ${name}`);
        why.verify(shown);
      }
      assert.deepEqual([...planned, ...Object.keys(exceptions)].sort(), [...CHANGE_KINDS].sort(), `Change kinds planned on ${name}`);
      // Only the cases that show an exception may fail to plan.
      const allowed = new Set(Object.values(exceptions).map((w) => w!.shownBy));
      assert.deepEqual(errors.filter((n) => !allowed.has(n)), [], `cases that fail to plan on ${name}`);
    });

    it('every statement is complete SQL: non-empty, no "undefined" or "null" identifiers', () => {
      for (const [caseName, o] of outcomes.get(name)!) {
        for (const s of o.plan?.statements ?? []) {
          assert.ok(s.sql.trim().length > 0, `${caseName}: empty statement`);
          assert.doesNotMatch(s.sql, /\bundefined\b|["`]null["`]/, `${caseName}: ${s.sql}`);
        }
      }
    });
  });
}
