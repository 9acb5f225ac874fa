/**
 * The deployment record: two tables Evolve owns in the target database.
 *
 * - `_evolve_deployment`: one row per application id — the deployed version and the stage in
 *   progress (the version a step is reaching; NULL when idle).
 * - `_evolve_history`: one row per applied step or evolution — what ran, when, how long, the
 *   checksum of its text and the fingerprints before and after.
 *
 * Both are created through the dialect's own planner from `table()` models, so quoting and
 * types are the dialect's. Their names start with `_evolve`, so they are never fingerprinted,
 * diffed or dropped by `apply`.
 */
import type { OpenDatabase } from '../database/database.js';
import { runPlan } from '../database/run-plan.js';
import type { Diff } from '../diff/differ.js';
import type { Change } from '../diff/changes.js';
import type { Row } from '../dialects/connection.js';
import { isEvolveTable } from '../ir/canonical.js';
import { compileTableModel } from '../model/compile.js';
import { table, type Table } from '../model/table.js';
import { integer, text, varchar } from '../model/column.js';
import { EvolveError, ErrorCode } from '../errors.js';

/** Where the record lives and whose it is. */
export interface DeploymentOptions {
  /** Application id (Dejavu's `guid`): each has its own deployed version. Default `'default'`. */
  readonly app?: string;
  /** Name of the deployment table (must start with `_evolve`). Default `_evolve_deployment`. */
  readonly recordTable?: string;
  /** Name of the history table (must start with `_evolve`). Default `_evolve_history`. */
  readonly historyTable?: string;
}

/** Resolved record names. */
export interface RecordNames {
  readonly app: string;
  readonly deployment: string;
  readonly history: string;
}

/** The application id of the deployment record when {@link DeploymentOptions.app} is not given. */
export const DEFAULT_APP = 'default';
/** The deployment table (one row per application id) when {@link DeploymentOptions.recordTable} is not given. */
export const DEFAULT_RECORD_TABLE = '_evolve_deployment';
/** The history table (one row per applied step or evolution) when {@link DeploymentOptions.historyTable} is not given. */
export const DEFAULT_HISTORY_TABLE = '_evolve_history';

/** What a history row records. */
export type HistoryKind = 'upgrade' | 'stored' | 'generated' | 'revert' | 'install' | 'baseline';

/** One history row (as written; `id` is assigned by the database). */
export interface HistoryEntry {
  readonly kind: HistoryKind;
  /** Step or evolution id: `upgrade_to_3`, `0002-add-author.sql`, `generated`, ... */
  readonly name: string;
  readonly fromVersion?: number | null;
  readonly toVersion?: number | null;
  readonly fromFingerprint?: string | null;
  readonly toFingerprint?: string | null;
  /** Checksum of the step's or evolution's text, where there is one. */
  readonly checksum?: string | null;
  readonly started: Date;
  readonly finished: Date;
  /**
   * `partial`: a stored evolution that failed part-way on a dialect without transactional DDL
   * (MySQL): its first `stepsRun` steps ran and stay applied, the database is at
   * `toFingerprint`, and `apply` resumes it there (engine/resume.ts).
   */
  readonly outcome: 'ok' | 'failed' | 'partial';
  readonly error?: string | null;
  /** For a `partial` row: how many of the evolution's steps have run (and stay applied). */
  readonly stepsRun?: number | null;
  /** For a `partial` row: the checksum of those steps' text (evolutions/checksum.ts `stepsChecksum`). */
  readonly stepsChecksum?: string | null;
}

/** A history row as read back. */
export interface HistoryRow {
  readonly id: number;
  readonly app: string;
  readonly kind: HistoryKind;
  readonly name: string | null;
  readonly fromVersion: number | null;
  readonly toVersion: number | null;
  readonly fromFingerprint: string | null;
  readonly toFingerprint: string | null;
  readonly checksum: string | null;
  readonly started: string;
  readonly finished: string | null;
  readonly durationMs: number | null;
  readonly outcome: string;
  readonly error: string | null;
  readonly stepsRun: number | null;
  readonly stepsChecksum: string | null;
}

/** The deployed state of one application. */
export interface Deployed {
  readonly version: number;
  /** The version a step is reaching right now (or was, when it was interrupted); null when idle. */
  readonly stage: number | null;
}

/** Resolve and validate the record names. */
export function recordNames(o: DeploymentOptions = {}): RecordNames {
  const deployment = o.recordTable ?? DEFAULT_RECORD_TABLE;
  const history = o.historyTable ?? DEFAULT_HISTORY_TABLE;
  for (const n of [deployment, history]) {
    if (!isEvolveTable(n)) {
      throw new EvolveError(ErrorCode.Usage, `The deployment record table name '${n}' does not start with '_evolve'.`, {
        hint: "Name it _evolve_something: only tables named _evolve* are left out of fingerprints and diffs (any other name would be dropped by apply).",
      });
    }
  }
  if (deployment === history) {
    throw new EvolveError(ErrorCode.Usage, `The deployment and history tables cannot both be '${deployment}'.`, { hint: 'Give them different names.' });
  }
  const app = o.app ?? DEFAULT_APP;
  if (typeof app !== 'string' || app === '' || app.length > 200) {
    throw new EvolveError(ErrorCode.Usage, `Application id ${JSON.stringify(app)} is not valid.`, { hint: 'Use a non-empty id of at most 200 characters.' });
  }
  return { app, deployment, history };
}

/** The record's models. */
export function recordModels(n: RecordNames): [Table, Table] {
  return [
    table(n.deployment, {
      app: varchar(200).primaryKey(),
      version: integer().notNull(),
      stage: integer(),
      updated: varchar(40).notNull(),
    }),
    table(n.history, {
      id: integer().primaryKey({ autoIncrement: true }),
      app: varchar(200).notNull(),
      kind: varchar(20).notNull(),
      name: varchar(300),
      from_version: integer(),
      to_version: integer(),
      from_fingerprint: varchar(100),
      to_fingerprint: varchar(100),
      checksum: varchar(100),
      started: varchar(40).notNull(),
      finished: varchar(40),
      duration_ms: integer(),
      outcome: varchar(20).notNull(),
      error: text(),
      steps_run: integer(),
      steps_checksum: varchar(100),
    }),
  ];
}

/** Columns added to the history table after it first shipped: a table made before them gets them on first use. */
const LATER_HISTORY_COLUMNS = ['steps_run', 'steps_checksum'];

/** Does table `name` exist? A probe query; call it outside a transaction (it may fail). */
async function tableExists(d: OpenDatabase, name: string): Promise<boolean> {
  try {
    await d.conn.query(`SELECT 1 AS x FROM ${d.dialect.sql.table(name)} WHERE 1 = 0`);
    return true;
  } catch {
    return false;
  }
}

/** True when the deployment table exists. Call outside a transaction. */
export function recordExists(d: OpenDatabase, n: RecordNames): Promise<boolean> {
  return tableExists(d, n.deployment);
}

/**
 * Create whichever record tables are missing, and add the history columns a table made by an
 * older Evolve lacks, through the dialect's planner. Call outside a transaction.
 */
export async function ensureRecord(d: OpenDatabase, n: RecordNames): Promise<void> {
  const missing: Table[] = [];
  const models = recordModels(n);
  for (const m of models) if (!(await tableExists(d, m.name))) missing.push(m);
  const name = d.dialect.name;
  const to = d.dialect.normalise({ dialect: name, tables: models.map(compileTableModel) });
  const changes: Change[] = to.tables.filter((t) => missing.some((m) => m.name === t.name)).map((t) => ({ kind: 'createTable' as const, table: t }));
  if (!missing.some((m) => m.name === n.history) && !(await columnsExist(d, n.history, LATER_HISTORY_COLUMNS))) {
    const history = to.tables.find((t) => t.name === n.history)!;
    for (const column of history.columns.filter((c) => LATER_HISTORY_COLUMNS.includes(c.name))) {
      if (!(await columnsExist(d, n.history, [column.name]))) changes.push({ kind: 'addColumn', table: n.history, column });
    }
  }
  if (changes.length === 0) return;
  // The differ leaves `_evolve*` tables out, so the diff is built here.
  const diff: Diff = { from: { dialect: name, tables: [] }, to, changes, renames: [], liveName: new Map() };
  await runPlan(d, d.dialect.plan(diff));
}

/** Does table `name` have all of `columns`? A probe query; call it outside a transaction (it may fail). */
async function columnsExist(d: OpenDatabase, name: string, columns: readonly string[]): Promise<boolean> {
  const q = d.dialect.sql;
  try {
    await d.conn.query(`SELECT ${columns.map((c) => q.ident(c)).join(', ')} FROM ${q.table(name)} WHERE 1 = 0`);
    return true;
  } catch {
    return false;
  }
}

const lit = (d: OpenDatabase, v: string | number | null | undefined): string => (v === null || v === undefined ? 'NULL' : d.dialect.sql.literal(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The deployed state of `n.app`, or null when it has none (or the record does not exist yet: probe first). */
export async function readDeployed(d: OpenDatabase, n: RecordNames): Promise<Deployed | null> {
  const q = d.dialect.sql;
  const rows = await d.conn.query(
    `SELECT ${q.ident('version')} AS v, ${q.ident('stage')} AS s FROM ${q.table(n.deployment)} WHERE ${q.ident('app')} = ${lit(d, n.app)}`);
  const r = rows[0];
  return r ? { version: Number(r.v), stage: num(r.s) } : null;
}

/** Set the deployed version and stage of `n.app` (insert or update). */
export async function writeDeployed(d: OpenDatabase, n: RecordNames, value: Deployed): Promise<void> {
  const q = d.dialect.sql;
  const now = lit(d, new Date().toISOString());
  if (await readDeployed(d, n)) {
    await d.conn.execute(`UPDATE ${q.table(n.deployment)} SET ${q.ident('version')} = ${lit(d, value.version)}, ` +
      `${q.ident('stage')} = ${lit(d, value.stage)}, ${q.ident('updated')} = ${now} WHERE ${q.ident('app')} = ${lit(d, n.app)}`);
  } else {
    await d.conn.execute(`INSERT INTO ${q.table(n.deployment)} (${['app', 'version', 'stage', 'updated'].map(q.ident).join(', ')}) ` +
      `VALUES (${lit(d, n.app)}, ${lit(d, value.version)}, ${lit(d, value.stage)}, ${now})`);
  }
}

/** Append history rows (one INSERT for all of them). */
export async function addHistory(d: OpenDatabase, n: RecordNames, ...entries: HistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const q = d.dialect.sql;
  const columns = (e: HistoryEntry): [string, string | number | null | undefined][] => [
    ['app', n.app], ['kind', e.kind], ['name', e.name.slice(0, 300)],
    ['from_version', e.fromVersion], ['to_version', e.toVersion],
    ['from_fingerprint', e.fromFingerprint], ['to_fingerprint', e.toFingerprint], ['checksum', e.checksum],
    ['started', e.started.toISOString()], ['finished', e.finished.toISOString()],
    ['duration_ms', Math.max(0, e.finished.getTime() - e.started.getTime())],
    ['outcome', e.outcome], ['error', e.error],
    // Only written when some row has them: a table made by an older Evolve may lack them (see ensureRecord).
    ...(entries.some((x) => x.stepsRun != null || x.stepsChecksum != null)
      ? [['steps_run', e.stepsRun], ['steps_checksum', e.stepsChecksum]] as [string, string | number | null | undefined][] : []),
  ];
  const names = columns(entries[0]!).map(([c]) => q.ident(c)).join(', ');
  const values = entries.map((e) => `(${columns(e).map(([, v]) => lit(d, v)).join(', ')})`).join(', ');
  await d.conn.execute(`INSERT INTO ${q.table(n.history)} (${names}) VALUES ${values}`);
}

/** The history of `n.app`, oldest first (empty when there is no record). */
export async function readHistory(d: OpenDatabase, n: RecordNames): Promise<HistoryRow[]> {
  if (!(await tableExists(d, n.history))) return [];
  const q = d.dialect.sql;
  const rows = await d.conn.query(`SELECT * FROM ${q.table(n.history)} WHERE ${q.ident('app')} = ${lit(d, n.app)} ORDER BY ${q.ident('id')}`);
  return rows.map(toHistoryRow);
}

/** A history row as the database returns it, typed. */
function toHistoryRow(r: Row): HistoryRow {
  return {
    id: Number(r.id), app: String(r.app), kind: String(r.kind) as HistoryKind, name: str(r.name),
    fromVersion: num(r.from_version), toVersion: num(r.to_version),
    fromFingerprint: str(r.from_fingerprint), toFingerprint: str(r.to_fingerprint), checksum: str(r.checksum),
    started: String(r.started), finished: str(r.finished), durationMs: num(r.duration_ms), outcome: String(r.outcome), error: str(r.error),
    stepsRun: num(r.steps_run), stepsChecksum: str(r.steps_checksum),
  };
}

/** The latest history row of `n.app` (null when there is none, or no record). */
export async function lastHistory(d: OpenDatabase, n: RecordNames): Promise<HistoryRow | null> {
  if (!(await tableExists(d, n.history))) return null;
  const q = d.dialect.sql;
  const rows = await d.conn.query(`SELECT * FROM ${q.table(n.history)} WHERE ${q.ident('app')} = ${lit(d, n.app)} ` +
    `ORDER BY ${q.ident('id')} DESC LIMIT 1`);
  return rows[0] ? toHistoryRow(rows[0]) : null;
}

/** Options of the engine's history hook. */
export interface HistoryOptions extends DeploymentOptions {
  /**
   * `true`: always record (creating the record when needed); `false`: never. Default: record
   * when the database already has a deployment record (an application that uses upgrade,
   * baseline or install); a database without one is not given bookkeeping tables unasked.
   */
  readonly history?: boolean;
}

/**
 * Writes the history of one command: whether there is a record to write to is decided once,
 * on first use (a probe query), and the record tables are ensured once, so a chain of 500
 * evolutions run one at a time (MySQL) costs 500 INSERTs, not 500 probes of the catalog.
 * Call its methods outside a transaction.
 */
export class HistoryRecorder {
  private enabled: Promise<boolean> | null = null;
  private readonly names: RecordNames;
  constructor(private readonly d: OpenDatabase, private readonly options: HistoryOptions) {
    this.names = recordNames(options);
  }

  private ready(): Promise<boolean> {
    this.enabled ??= (async () => {
      if (this.options.history === false) return false;
      if (this.options.history !== true && !(await recordExists(this.d, this.names))) return false;
      await ensureRecord(this.d, this.names);
      return true;
    })();
    return this.enabled;
  }

  /** Append rows (in batches of 200); a function is called only when there is a history to write to. */
  async add(rows: readonly HistoryEntry[] | (() => readonly HistoryEntry[])): Promise<void> {
    if ((Array.isArray(rows) && rows.length === 0) || !(await this.ready())) return;
    const entries = typeof rows === 'function' ? rows() : rows;
    for (let i = 0; i < entries.length; i += 200) await addHistory(this.d, this.names, ...entries.slice(i, i + 200));
  }

  /**
   * Append a row even where this command keeps no history by default, creating the record:
   * a stored evolution left part-way (MySQL), which only the history can resume. Never with
   * `history: false`. Returns whether it was written.
   */
  async addAlways(entry: HistoryEntry): Promise<boolean> {
    if (this.options.history === false) return false;
    if (!(await this.ready())) {
      await ensureRecord(this.d, this.names);
      this.enabled = Promise.resolve(true);
    }
    await addHistory(this.d, this.names, entry);
    return true;
  }

  /** The history of this application, oldest first (empty where there is no record, or with `history: false`). */
  async rows(): Promise<HistoryRow[]> {
    return this.options.history === false ? [] : readHistory(this.d, this.names);
  }

  /** The latest history row of this application, where there is a record. */
  async last(): Promise<HistoryRow | null> {
    return this.options.history === false ? null : lastHistory(this.d, this.names);
  }

  /** Run `fn` and record it (ok or failed); a failure is rethrown, its row written at once. */
  async run<T>(
    entry: Omit<HistoryEntry, 'started' | 'finished' | 'outcome' | 'error'>, fn: () => Promise<T>, after?: (result: T) => Partial<HistoryEntry>,
  ): Promise<T> {
    const started = new Date();
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      await this.add([{ ...entry, started, finished: new Date(), outcome: 'failed', error: e instanceof Error ? e.message : String(e) }])
        .catch(() => undefined);
      throw e;
    }
    await this.add([{ ...entry, ...(after ? after(result) : {}), started, finished: new Date(), outcome: 'ok' }]);
    return result;
  }
}

/** Run `fn` and record it (ok or failed) in the history; a failure is rethrown. */
export function recorded<T>(
  d: OpenDatabase, options: HistoryOptions, entry: Omit<HistoryEntry, 'started' | 'finished' | 'outcome' | 'error'>, fn: () => Promise<T>,
  after?: (result: T) => Partial<HistoryEntry>,
): Promise<T> {
  return new HistoryRecorder(d, options).run(entry, fn, after);
}
