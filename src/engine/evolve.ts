/**
 * The automatic way of working, as library calls: fingerprint, plan (what `evolve sql` shows)
 * and apply. The CLI is a thin layer over these.
 */
import type { Table } from '../model/table.js';
import { adoptUnmodelled, unmanagedOnlyInFile, desiredOn, loadDesired, type Desired, type ModelsInput } from '../database/sources.js';
import { compileModels } from '../model/compile.js';
import { loadModels } from '../model/load.js';
import type { Dialect } from '../dialects/dialect.js';
import type { DialectName, SchemaIR } from '../ir/schema.js';
import { describeUnmanaged } from '../ir/schema.js';
import { fingerprint } from '../ir/fingerprint.js';
import type { Rename } from '../diff/differ.js';
import type { Change } from '../diff/changes.js';
import { describeChange } from '../diff/changes.js';
import { dataChecks, exampleOf } from '../plan/hazards.js';
import { HazardCode, type Hazard, type Plan, type PlanStatement } from '../plan/plan.js';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import { describeHazard } from '../plan/describe.js';
export { describeHazard };
import { withDatabase, type DatabaseOptions, type OpenDatabase } from '../database/database.js';
import { runPlan } from '../database/run-plan.js';
import { dirname, join as joinPath, resolve as resolvePath } from 'node:path';
import type { Diff } from '../diff/differ.js';
import { loadEvolutions, signedFiles, type EvolutionSet, type LoadOptions } from '../evolutions/load.js';
import type { Evolution } from '../evolutions/format.js';
import { candidates, distance, nextEvolution, nextRevert } from '../evolutions/select.js';
import { drift, type Drift } from '../evolutions/snapshots.js';
import { readDeployed, readHistory, recordExists, recordNames, type DeploymentOptions, type HistoryRow } from '../deploy/record.js';
import { runChainAtOnce, runEvolution } from '../evolutions/run.js';
import { isAdditive } from '../evolutions/additive.js';
import { evolutionText, revertPlan, writeRecorded } from '../evolutions/record.js';
import { writeSum } from '../evolutions/checksum.js';
import { lintEvolution as lintStored } from '../plan/lint.js';
import { loadDialect } from '../dialects/registry.js';
import { readFileSync } from 'node:fs';
import { fileHash } from '../evolutions/checksum.js';
import { HistoryRecorder, recorded, type HistoryOptions } from '../deploy/record.js';
import { withApplication } from '../deploy/steps-module.js';
import { assertInScope, describeScope, keepExternalReferences } from '../database/scope.js';
import type { Versioned } from '../deploy/versioned.js';

export type { ModelsInput } from '../database/sources.js';

/** Options shared by the commands that compare a database with models. */
export interface EvolveOptions extends DatabaseOptions {
  /** Database URL (`sqlite:app.db`, `postgres://…`, `mysql://…`, `pglite:DIR`). */
  readonly db: string;
  /** The models. */
  readonly models: ModelsInput;
  /** Let the plan run despite data-loss hazards (`--allow-data-loss`). */
  readonly allowDataLoss?: boolean;
  /**
   * Directory of stored evolutions. Default: `evolutions/` beside the models module (none when
   * the models are given as values). A missing directory means no stored evolutions.
   */
  readonly evolutions?: string;
  /** Never run generated SQL: only stored evolutions (the reviewed and hand-written ways). */
  readonly storedOnly?: boolean;
  /** The deployment record's history (app id, table names; `history: true` to create it, `false` to skip). */
  readonly record?: HistoryOptions;
  /**
   * Verify the fingerprint after every link of a chain of stored evolutions
   * (`--verify-each-link`). Default: at the end of a chain run at once in one transaction
   * (SQLite, PostgreSQL; every link again, one at a time, when that check fails); on MySQL,
   * where each DDL statement commits, before every link that is not purely additive and at the
   * chain's end. See docs/evolutions.md.
   */
  readonly verifyEachLink?: boolean;
}

/** A stored evolution as reports show it. */
export interface StoredStep {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Position distance along the known fingerprints (−1 when unknown). */
  readonly distance: number;
  /** The steps: SQL text, or `-- function NAME` for TypeScript steps. */
  readonly steps: readonly string[];
}

/** What `evolve sql` reports. */
export interface PlanReport {
  /** What apply would run next: a stored evolution, the generated plan, or nothing. */
  readonly source: 'stored' | 'generated' | 'none';
  /** The stored evolution apply would run next (when source is 'stored'). */
  readonly stored: StoredStep | null;
  /** Where the live fingerprint is in the known list (null: unknown or no list). */
  readonly known: { readonly position: number; readonly of: number } | null;
  readonly dialect: DialectName;
  readonly database: string;
  readonly liveFingerprint: string;
  readonly targetFingerprint: string;
  readonly inSync: boolean;
  readonly changes: readonly Change[];
  readonly renames: readonly Rename[];
  readonly statements: readonly PlanStatement[];
  /** Hazards found, with row counts from the live data. */
  readonly hazards: readonly Hazard[];
  /** The hazards that stop `apply` under the given options. */
  readonly blocking: readonly Hazard[];
  /** Objects in the live database that Evolve does not manage ("trigger t on table x"): never fingerprinted, never touched. */
  readonly unmanaged: readonly string[];
}

/** What `evolve apply` reports. */
export interface ApplyReport extends PlanReport {
  readonly applied: boolean;
  readonly fingerprintAfter: string;
  /** Stored evolutions run, in order, before the generated plan. */
  readonly storedApplied: readonly StoredStep[];
}

const resolveModels = loadDesired;

/** The models as `dialect` would report them (compiled, validated, normalised). */
export function desiredSchema(models: readonly Table[], dialect: Dialect): SchemaIR {
  return dialect.normalise(compileModels(models, dialect.name));
}

/**
 * The models' fingerprint on a dialect, computed without a database (proven equal, by the
 * test suite, to the fingerprint of the models created in an empty database).
 */
export async function modelsFingerprint(models: ModelsInput, dialect: string): Promise<string> {
  const d = await loadDialect(dialect);
  const desired = await resolveModels(models);
  if (desired.kind === 'sql' && d.localScratch === null) {
    throw new EvolveError(ErrorCode.Usage, `The fingerprint of SQL file '${desired.path}' on ${dialect} needs a ${dialect} server to parse it.`, {
      hint: 'Use evolve fingerprint --db URL --models FILE.sql, which loads it into a scratch schema on that server.',
    });
  }
  return fingerprint(await desiredOn(d, null, desired));
}

/** Introspect a database. */
export async function inspect(db: string, options: DatabaseOptions = {}): Promise<SchemaIR> {
  return withDatabase(db, true, options, (d) => d.introspect());
}

/** The live fingerprint of a database. */
export async function fingerprintDatabase(db: string, options: DatabaseOptions = {}): Promise<{ fingerprint: string; dialect: DialectName; tables: number; unmanaged: string[] }> {
  return withDatabase(db, true, options, async (d) => {
    const live = await d.introspect();
    return { fingerprint: fingerprint(live), dialect: d.dialect.name, tables: live.tables.length, unmanaged: unmanagedOf(live) };
  });
}

/** What a schema holds that Evolve does not manage, as users read it ("trigger t on table x"). */
export function unmanagedOf(schema: SchemaIR): string[] {
  return (schema.unmanaged ?? []).map(describeUnmanaged);
}

/**
 * The desired schema for a live one: a models module keeps the live objects it cannot
 * express (see {@link adoptUnmodelled}); `notes` say which, for the report. For a SQL file,
 * `notes` name what the file holds that Evolve does not create (see {@link unmanagedOnlyInFile}).
 */
export async function desiredFor(d: OpenDatabase, models: Desired, live: SchemaIR): Promise<{ schema: SchemaIR; notes: string[] }> {
  const schema = await desiredOn(d.dialect, d.url, models);
  assertInScope(schema, d.scope); // a model outside the scope would be created, then never seen
  if (models.kind !== 'models') return { schema, notes: unmanagedOnlyInFile(schema, live) };
  const r = adoptUnmodelled(schema, live);
  const ext = keepExternalReferences(r.schema, live, d.scope); // foreign keys to tables outside the scope
  return { schema: ext.schema, notes: [...r.adopted.map((x) => `${x} (not in the models: kept as it is)`), ...r.dropped, ...ext.kept] };
}

async function buildPlan(d: OpenDatabase, models: Desired, allowDataLoss: boolean, set: EvolutionSet, known?: SchemaIR | null): Promise<{ report: PlanReport; plan: Plan; desired: SchemaIR; diff: Diff }> {
  // `known`: the live schema just read by this command, under its lock (apply's stored part).
  const live = known ?? await d.introspect();
  const { schema: desired, notes } = await desiredFor(d, models, live);
  const diff = d.dialect.diff(live, desired);
  const checks = dataChecks(diff, d.dialect);
  const found: Hazard[] = [];
  // Consented lossy type changes the plan converts by the documented rule (plan/lossy.ts).
  const convertLossy = new Set<Change>();
  for (const c of checks) {
    const n = Number((await d.conn.query(c.countSql))[0]?.n ?? 0);
    if (n === 0) continue;
    let examples: string[] | undefined;
    if (c.examplesSql) examples = (await d.conn.query(c.examplesSql)).map(exampleOf);
    found.push({ ...c.hazard, rows: n, ...(examples ? { examples } : {}) });
    if (allowDataLoss && c.hazard.code === HazardCode.LossyTypeChange && c.hazard.severity === 'error' && c.hazard.allowable) convertLossy.add(c.change);
  }
  const plan = d.dialect.plan(diff, { convertLossy });
  const hazards: Hazard[] = [...plan.hazards, ...found];
  const blocking = hazards.filter((h) => h.severity === 'error' && (!h.allowable || !allowDataLoss));
  const liveFp = fingerprint(live);
  const targetFp = fingerprint(desired);
  const next = nextEvolution(set, liveFp);
  const inSync = plan.statements.length === 0 && liveFp === targetFp;
  const pos = set.known.indexOf(liveFp);
  return {
    plan, desired, diff,
    report: {
      source: next ? 'stored' : inSync ? 'none' : 'generated',
      stored: next ? storedStep(set, next) : null,
      known: pos >= 0 ? { position: pos + 1, of: set.known.length } : null,
      dialect: d.dialect.name, database: d.url.display, liveFingerprint: liveFp, targetFingerprint: targetFp,
      inSync, changes: plan.changes, renames: plan.renames,
      statements: plan.statements, hazards, blocking, unmanaged: [...unmanagedOf(live), ...notes],
    },
  };
}

function storedStep(set: EvolutionSet, e: Evolution, direction: 'up' | 'down' = 'up'): StoredStep {
  const steps = direction === 'up' ? e.steps : e.revert ?? [];
  return {
    id: e.id, from: direction === 'up' ? e.from : e.to, to: direction === 'up' ? e.to : e.from, distance: distance(set, e),
    steps: steps.map((s) => (s.kind === 'sql' ? s.sql : `-- function ${s.name}`)),
  };
}

/** Checksum of a stored evolution's file (null when it cannot be read). */
function evolutionChecksum(set: EvolutionSet, e: Evolution): string | null {
  try { return fileHash(readFileSync(joinPath(set.dir, e.file), 'utf8')); } catch { return null; }
}

/** The evolutions directory for these options (undefined: none). */
export function evolutionsDir(options: { models?: ModelsInput; evolutions?: string }): string | undefined {
  if (options.evolutions) return resolvePath(options.evolutions);
  if (typeof options.models === 'string') return joinPath(dirname(resolvePath(options.models)), 'evolutions');
  return undefined;
}

/** Load (and verify) the stored evolutions for these options. */
export async function evolutionSet(options: { models?: ModelsInput; evolutions?: string }, load: LoadOptions = {}): Promise<EvolutionSet> {
  const dir = evolutionsDir(options);
  return dir ? loadEvolutions(dir, load) : { dir: '', known: [], evolutions: [] };
}

/**
 * What `apply` would do next, without changing anything (`evolve sql`): the stored
 * evolution that starts at the live fingerprint if there is one, else the generated plan.
 * Reads the data to count what each hazard would affect.
 */
export async function planEvolution(options: EvolveOptions): Promise<PlanReport> {
  options = (await withApplication(options)).options; // an application's own tables only
  const set = await evolutionSet(options); // integrity first: nothing runs past an edited evolution
  const models = await resolveModels(options.models);
  return withDatabase(options.db, true, options, async (d) => (await buildPlan(d, models, options.allowDataLoss === true, set)).report);
}

/**
 * Run stored evolutions from the live fingerprint, longest jump first, until none applies — by
 * the rule `sql` and `status` use ({@link nextEvolution}); every evolution goes forward along
 * the known list, so at the latest known fingerprint none does. The fingerprint is verified at
 * the end of every transaction, and on MySQL before every link that is not purely additive
 * (see {@link EvolveOptions.verifyEachLink}).
 */
export async function applyStored(d: OpenDatabase, set: EvolutionSet, record: HistoryOptions = {}, verifyEachLink = false): Promise<{ steps: StoredStep[]; schema: SchemaIR | null }> {
  const done: StoredStep[] = [];
  if (set.evolutions.length === 0) return { steps: done, schema: null };
  const history = new HistoryRecorder(d, record);
  // The last schema read and verified: what the generated plan starts from.
  let schema = await d.introspect();
  // After each evolution the live fingerprint was verified to be its `to`: no need to read it again.
  let live = fingerprint(schema);
  // Fast path (transactional DDL): the whole chain in one transaction, verified before commit.
  const chain: Evolution[] = [];
  for (let e = nextEvolution(set, live); e && !chain.includes(e); e = nextEvolution(set, e.to)) chain.push(e);
  if (chain.length > 1) {
    const result = await runChainAtOnce(d, chain, verifyEachLink);
    if (result) {
      const { runs } = result;
      await history.add(() => runs.map((r, i) => ({
        kind: 'stored' as const, name: r.evolution.id, fromFingerprint: i === 0 ? live : runs[i - 1]!.evolution.to, toFingerprint: r.evolution.to,
        checksum: evolutionChecksum(set, r.evolution), started: r.started, finished: r.finished, outcome: 'ok' as const,
      })));
      return { steps: runs.map((r) => storedStep(set, r.evolution)), schema: result.schema };
    }
    // A step failed or the result is not what the chain promises: everything was rolled back.
    // One verified evolution at a time now finds the one at fault and keeps those before it.
  }
  if (chain.length > 1 && !verifyEachLink && !d.dialect.capabilities.transactionalDdl) {
    // MySQL: each DDL statement commits, so every link is recorded as it finishes. The
    // fingerprint is verified before every link that is not purely additive, and at the chain's
    // end: nothing that can lose data runs on a schema that was not verified.
    let since = 0; // the first link run since the fingerprint was last verified
    for (const [k, e] of chain.entries()) {
      const verify = k === chain.length - 1 || !isAdditive(chain[k + 1]!);
      const from = live;
      await history.run({ kind: 'stored', name: e.id, fromFingerprint: from, toFingerprint: e.to, checksum: evolutionChecksum(set, e) },
        () => runEvolution(d, e, 'up', verify ? e.to : false, null, (s) => { schema = s; })
          .catch((err: unknown) => { throw k > since ? unverifiedRunMismatch(chain.slice(since, k + 1), err) : err; }));
      done.push(storedStep(set, e));
      live = e.to;
      if (verify) since = k + 1;
    }
    return { steps: done, schema };
  }
  for (;;) {
    const e = nextEvolution(set, live);
    if (!e) break;
    if (done.some((x) => x.id === e.id)) break; // a cycle in the evolutions: stop rather than loop
    await history.run({ kind: 'stored', name: e.id, fromFingerprint: live, toFingerprint: e.to, checksum: evolutionChecksum(set, e) },
      () => runEvolution(d, e, 'up', e.to, null, (s) => { schema = s; }));
    done.push(storedStep(set, e));
    live = e.to;
  }
  return { steps: done, schema };
}

/**
 * A fingerprint mismatch at the end of links of a MySQL chain that ran without a check between
 * them (all but the first only add): which one is at fault cannot be told any more, so name
 * them all and how to find it. Any other error passes through.
 */
function unverifiedRunMismatch(links: readonly Evolution[], err: unknown): unknown {
  if (!isEvolveError(err) || err.code !== ErrorCode.EvolutionMismatch) return err;
  const first = links[0]!;
  const last = links[links.length - 1]!;
  const actual = (err.details as { actual?: string } | undefined)?.actual ?? '(unknown)';
  return new EvolveError(ErrorCode.EvolutionMismatch,
    `Evolutions '${first.id}' … '${last.id}' (${links.length}, run one after another from the verified fingerprint ${first.from}) should lead to ${last.to} but the schema is now ${actual}: `
    + `one of them does not do what its header says. MySQL commits every DDL statement, so they stay applied; all after the first only add to the schema, so nothing that can lose data ran on an unverified schema.`, {
      hint: `Find the evolution at fault with \`evolve apply --verify-each-link\` (it verifies every link) on a copy of this database from before this apply; fix it, run \`evolve hash\`, then bring this database back to a known fingerprint.`,
      cause: err, details: { evolutions: links.map((l) => l.id), from: first.from, expected: last.to, actual },
    });
}

/** The hint of a refusal: which hazards --allow-data-loss would accept, and which need a fix. */
function dataLossHint(blocking: readonly Hazard[]): string {
  const where = (h: Hazard): string => `${h.code} ${h.table}${h.column ? `.${h.column}` : ''}`;
  const yes = blocking.filter((h) => h.allowable);
  const no = blocking.filter((h) => !h.allowable);
  if (!no.length) return 'Fix the models (aka for renames), or pass --allow-data-loss to accept the loss.';
  if (!yes.length) return 'Fix the models or the data as each line says; --allow-data-loss cannot help with these.';
  return `Fix the models or the data for ${no.map(where).join(', ')} (--allow-data-loss cannot help with ${no.length === 1 ? 'it' : 'these'}); `
    + `--allow-data-loss would accept ${yes.map(where).join(', ')}.`;
}

/**
 * Bring the database in line with the models (`evolve apply`): first every stored evolution
 * that applies (they always win over introspection), then — unless `storedOnly` — the
 * generated plan once: missing tables created and existing ones evolved in one transaction
 * where the dialect allows, the live fingerprint verified inside it.
 *
 * @throws EvolveError `E_DATA_LOSS` when a hazard blocks the plan (nothing generated is applied);
 *   `E_OUT_OF_SYNC` in stored-only mode when the stored evolutions do not reach the models.
 */
export async function applyEvolution(options: EvolveOptions): Promise<ApplyReport> {
  options = (await withApplication(options)).options; // an application's own tables only; history under its id
  const set = await evolutionSet(options); // integrity first: nothing runs past an edited evolution
  const models = await resolveModels(options.models);
  return withDatabase(options.db, false, options, async (d) => {
    const stored = await applyStored(d, set, options.record, options.verifyEachLink === true);
    const storedApplied = stored.steps;
    const { report, plan, desired } = await buildPlan(d, models, options.allowDataLoss === true, set, stored.schema);
    if (options.storedOnly) {
      if (!report.inSync) {
        throw new EvolveError(ErrorCode.OutOfSync,
          `The database is at ${report.liveFingerprint}${storedApplied.length ? ` after ${storedApplied.length} stored evolution(s)` : ''}, not at the models' fingerprint ${report.targetFingerprint}, and generated SQL is not allowed (stored-only).`, {
            hint: 'Record the pending change as an evolution (`evolve record`) on a development database, review and commit it, then apply again.',
            details: { live: report.liveFingerprint, target: report.targetFingerprint, storedApplied },
          });
      }
      return { ...report, applied: storedApplied.length > 0, fingerprintAfter: report.liveFingerprint, storedApplied };
    }
    if (report.blocking.length) {
      throw new EvolveError(ErrorCode.DataLoss,
        `Refusing to apply: ${report.blocking.length} change${report.blocking.length === 1 ? '' : 's'} would lose data or fail on existing rows; nothing was changed${storedApplied.length ? ' after the stored evolutions' : ''}.\n` +
        report.blocking.map((h) => '  - ' + describeHazard(h)).join('\n'), {
          hint: dataLossHint(report.blocking),
          details: { hazards: report.blocking, storedApplied },
        });
    }
    if (plan.statements.length === 0) {
      return { ...report, applied: storedApplied.length > 0, fingerprintAfter: report.liveFingerprint, storedApplied };
    }
    let after = '';
    const verify = async (): Promise<void> => {
      const live = await d.introspect();
      after = fingerprint(live);
      if (after !== report.targetFingerprint) {
        const rest = d.dialect.diff(live, desired).changes.map(describeChange);
        throw new EvolveError(ErrorCode.FingerprintMismatch,
          `After applying, the live fingerprint ${after} is not the models' fingerprint ${report.targetFingerprint}${d.dialect.capabilities.transactionalDdl ? '; the transaction was rolled back' : ''}. Still different: ${rest.join('; ') || '(attributes outside the diff)'}.`, {
            hint: 'This is a bug in Evolve or a schema feature it does not model; please report it with the output of `evolve sql --json`.',
            details: { expected: report.targetFingerprint, actual: after, remaining: rest },
          });
      }
    };
    await recorded(d, options.record ?? {}, { kind: 'generated', name: 'generated', fromFingerprint: report.liveFingerprint, toFingerprint: report.targetFingerprint, checksum: fileHash(plan.statements.map((x) => x.sql).join(';\n')) },
      () => runPlan(d, plan, { beforeCommit: verify }));
    return { ...report, source: 'generated', applied: true, fingerprintAfter: after, storedApplied };
  });
}

/** What `evolve record` reports. */
export interface RecordReport {
  readonly file: string | null;
  readonly from: string;
  readonly to: string;
  readonly changes: readonly Change[];
  readonly hazards: readonly Hazard[];
}

/**
 * Store the pending generated change (live → models) as an evolution with its revert
 * (`evolve record`). Nothing is applied to the database.
 */
export async function recordEvolution(options: EvolveOptions & { name?: string }): Promise<RecordReport> {
  options = (await withApplication(options)).options;
  const models = await resolveModels(options.models);
  const dir = evolutionsDir(options);
  if (!dir) throw new EvolveError(ErrorCode.Usage, 'No evolutions directory to record into.', { hint: 'Pass --evolutions DIR (or --models PATH, whose directory holds evolutions/).' });
  const set = await loadEvolutions(dir);
  return withDatabase(options.db, true, options, async (d) => {
    const { report, plan, diff } = await buildPlan(d, models, true, set);
    if (report.liveFingerprint === report.targetFingerprint) {
      return { file: null, from: report.liveFingerprint, to: report.targetFingerprint, changes: [], hazards: [] };
    }
    refuseRecord(set, report.liveFingerprint, report.targetFingerprint);
    const revert = revertPlan(d.dialect, diff);
    const text = evolutionText(report.liveFingerprint, report.targetFingerprint, plan, revert, report.hazards,
      `recorded by evolve record from ${d.url.display}:`);
    const file = writeRecorded(dir, {
      ...(options.name ? { name: options.name } : {}), from: diff.from, to: diff.to,
      fromFp: report.liveFingerprint, toFp: report.targetFingerprint, text,
      firstChange: plan.changes[0] ? describeChange(plan.changes[0]) : 'evolution',
    });
    return { file: joinPath(dir, file), from: report.liveFingerprint, to: report.targetFingerprint, changes: plan.changes, hazards: report.hazards };
  });
}

/**
 * `record` writes an evolution from the live fingerprint; refuse one the selection rule could
 * not use: a stored evolution already starts there (recording twice before applying would
 * give two evolutions from the same fingerprint), or the target is a known fingerprint that
 * is not after the live one (a way back is a revert).
 */
function refuseRecord(set: EvolutionSet, live: string, target: string): void {
  const pending = nextEvolution(set, live);
  if (pending) {
    const same = pending.to === target;
    throw new EvolveError(ErrorCode.Conflict,
      same ? `The pending change is already recorded: '${pending.file}' goes from the live fingerprint ${live} to the models' ${target}.`
        : `Stored evolution '${pending.file}' already starts at the live fingerprint ${live} (it leads to ${pending.to}); a second one from the same fingerprint would compete with it.`, {
        hint: same ? 'Apply it first (`evolve apply --stored-only` on this database); there is nothing new to record.'
          : 'Apply it first (`evolve apply --stored-only` on this development database), then record the next change from there.',
        details: { evolution: pending.file, live, target },
      });
  }
  const at = set.known.indexOf(target);
  const here = set.known.indexOf(live);
  if (at >= 0 && (here < 0 || at <= here)) {
    throw new EvolveError(ErrorCode.Conflict, `The models' fingerprint ${target} is known (position ${at + 1} of fingerprints.txt) and not after the live one ${live}: recording would go backwards.`, {
      hint: 'Go back with `evolve revert --to FINGERPRINT` (stored reverts), or change the models so they describe a new schema.',
      details: { live, target },
    });
  }
}

/** Options of {@link revertEvolutions}. */
export interface RevertOptions extends DatabaseOptions {
  readonly db: string;
  readonly models?: ModelsInput;
  readonly evolutions?: string;
  /** Go back to this known fingerprint. */
  readonly to?: string;
  /** Go back this many evolutions (default 1 when `to` is not given). */
  readonly steps?: number;
  /** The deployment record's history (see {@link EvolveOptions.record}). */
  readonly record?: HistoryOptions;
}

/** Run stored reverts back along the chain, verifying the fingerprint after each (`evolve revert`). */
export async function revertEvolutions(options: RevertOptions): Promise<{ reverted: StoredStep[]; fingerprintAfter: string }> {
  options = (await withApplication(options)).options;
  const set = await evolutionSet(options);
  if (options.to !== undefined && !set.known.includes(options.to)) {
    throw new EvolveError(ErrorCode.NoPath, `Fingerprint ${options.to} is not a known fingerprint.`, { hint: `Use one listed in ${set.dir || 'fingerprints.txt'} (evolve status shows them).` });
  }
  return withDatabase(options.db, false, options, async (d) => {
    const reverted: StoredStep[] = [];
    const history = new HistoryRecorder(d, options.record ?? {});
    let live = fingerprint(await d.introspect());
    const max = options.to === undefined ? options.steps ?? 1 : Number.POSITIVE_INFINITY;
    while (reverted.length < max && live !== options.to) {
      const e = nextRevert(set, live, options.to ?? null);
      if (!e) {
        throw new EvolveError(ErrorCode.NoPath,
          `No stored evolution with a revert ends at the live fingerprint ${live}${reverted.length ? ` (after ${reverted.length} revert(s))` : ''}.`, {
            hint: 'Only evolutions with a `-- evolve:revert` section (or `down` steps) can be backed out; write one, run `evolve hash`, and retry.',
            details: { live, reverted },
          });
      }
      await history.run({ kind: 'revert', name: e.id, fromFingerprint: live, toFingerprint: e.from, checksum: evolutionChecksum(set, e) },
        () => runEvolution(d, e, 'down', e.from));
      reverted.push(storedStep(set, e, 'down'));
      live = e.from;
    }
    return { reverted, fingerprintAfter: live };
  });
}

/** Re-sign an evolutions directory (`evolve hash`): rewrites evolve.sum. */
export function hashEvolutions(dir: string): { file: string; files: number } {
  const files = signedFiles(dir);
  writeSum(dir, files);
  return { file: joinPath(dir, 'evolve.sum'), files: files.length };
}

/** What `evolve status` (and `fingerprint`) report about where the database stands. */
export interface StatusReport {
  readonly dialect: DialectName;
  readonly database: string;
  readonly liveFingerprint: string;
  /** Position in the known list (1-based) when known. */
  readonly known: { readonly position: number; readonly of: number } | null;
  readonly latestKnown: string | null;
  /** The models' fingerprint, when models were given. */
  readonly modelsFingerprint: string | null;
  /** Stored evolutions that start at the live fingerprint, best first. */
  readonly pendingStored: readonly StoredStep[];
  /** Generated changes pending against the models (after any stored evolutions, as of now). */
  readonly pendingGenerated: readonly string[];
  /** When the live fingerprint is unknown: the nearest known one and what differs (known → live). */
  readonly drift: Drift | null;
  /** The deployment record of the application, when the database has one. */
  readonly deployment: { readonly app: string; readonly version: number; readonly stage: number | null; readonly lastHistory: readonly HistoryRow[] } | null;
  /**
   * The application the models (or `steps`) define with `versioned()`: its id, latest version
   * and own tables (`include …`, null: every table). Null when there is none.
   */
  readonly application: { readonly id: string; readonly latest: number; readonly tables: string | null } | null;
  /** Numbered steps `evolve upgrade` would run (the versions they reach); empty when none or when there is no record yet. */
  readonly pendingSteps: readonly number[];
  /** Objects Evolve does not manage (see {@link PlanReport.unmanaged}). */
  readonly unmanaged: readonly string[];
}

async function deploymentOf(d: OpenDatabase, options: DeploymentOptions): Promise<StatusReport['deployment']> {
  const n = recordNames(options);
  if (!(await recordExists(d, n))) return null;
  const dep = await readDeployed(d, n);
  if (!dep) return null;
  return { app: n.app, version: dep.version, stage: dep.stage, lastHistory: (await readHistory(d, n)).slice(-5) };
}

/** Where the database stands: deployed version, fingerprint (known or not), what is pending, drift, recent history. */
export async function statusOf(options: { db: string; models?: ModelsInput; evolutions?: string; steps?: Versioned | string } & DatabaseOptions & DeploymentOptions): Promise<StatusReport> {
  const found0 = await withApplication(options, { ...(options.steps !== undefined ? { steps: options.steps } : {}), models: options.models });
  const app = found0.app;
  options = { ...found0.options, app: options.app ?? app?.id }; // the application's own tables and record row
  const set = await evolutionSet(options);
  const models = options.models === undefined ? null : await resolveModels(options.models);
  return withDatabase(options.db, true, options, async (d) => {
    const live = await d.introspect();
    const fp = fingerprint(live);
    const pos = set.known.indexOf(fp);
    const found = models ? await desiredFor(d, models, live) : null;
    const desired = found?.schema ?? null;
    const deployment = await deploymentOf(d, options);
    const pendingSteps: number[] = [];
    if (app && deployment && (deployment.app === app.id)) for (let v = deployment.version + 1; v <= app.latest; v++) pendingSteps.push(v);
    return {
      dialect: d.dialect.name, database: d.url.display, liveFingerprint: fp,
      known: pos >= 0 ? { position: pos + 1, of: set.known.length } : null,
      latestKnown: set.known[set.known.length - 1] ?? null,
      modelsFingerprint: desired ? fingerprint(desired) : null,
      pendingStored: candidates(set, fp).map((e) => storedStep(set, e)),
      pendingGenerated: desired ? d.dialect.diff(live, desired).changes.map(describeChange) : [],
      drift: pos < 0 && set.known.length && set.dir ? drift(set.dir, set.known, live) : null,
      deployment,
      application: app ? { id: app.id, latest: app.latest, tables: app.scope ? describeScope(app.scope) : null } : null,
      pendingSteps,
      unmanaged: [...unmanagedOf(live), ...(found?.notes ?? [])],
    };
  });
}

/** What `evolve lint` reports. */
export interface LintReport {
  /** Hazards of the pending generated plan, counted in the live data (empty without a database). */
  readonly generated: readonly Hazard[];
  /** Hazards read from the stored evolutions' statements. */
  readonly stored: readonly Hazard[];
  /** Error-severity hazards in all. */
  readonly errors: number;
}

/**
 * Every hazard of the pending plan (with the rows at risk) and of the stored evolutions
 * (`evolve lint`). Changes nothing.
 */
export async function lintEvolution(options: Partial<EvolveOptions>): Promise<LintReport> {
  options = (await withApplication(options)).options;
  const set = await evolutionSet(options, { checkKnown: false }); // lint reads statements; placeholders are still refused
  const stored = set.evolutions.flatMap(lintStored);
  let generated: Hazard[] = [];
  if (options.db && options.models !== undefined) {
    const models = await resolveModels(options.models);
    generated = [...await withDatabase(options.db, true, options, async (d) => (await buildPlan(d, models, false, set)).report.hazards)];
  }
  const errors = [...generated, ...stored].filter((h) => h.severity === 'error').length;
  return { generated, stored, errors };
}
