/**
 * `evolve diff FROM TO` (B14): the SQL that turns FROM into TO, where each side is a database
 * URL, a models module or a SQL file — like migra, on three dialects.
 */
import type { SchemaIR } from '../ir/schema.js';
import { fingerprint } from '../ir/fingerprint.js';
import { unmanagedOf } from './build-plan.js';
import type { PlanReport } from './reports.js';
import type { Dialect } from '../dialects/dialect.js';
import { loadDialect } from '../dialects/registry.js';
import { parseDatabaseUrl, type DatabaseUrl } from '../dialects/url.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { scopeOf, withDatabase, type DatabaseOptions } from '../database/database.js';
import { scopeSchema } from '../database/scope.js';
import { adoptUnmodelled, desiredOn, ignoredNotes, isSqlPath, loadDesired } from '../database/sources.js';

/** Options of {@link diffSources}. */
export interface DiffSourcesOptions extends DatabaseOptions {
  /** Dialect when neither side is a database (default sqlite). */
  readonly dialect?: string;
  /**
   * Where SQL files are parsed when neither side is a database: a server URL (a scratch
   * schema or database is made there and dropped). Default: in-memory SQLite, or in-memory
   * PGlite for postgres; MySQL needs one.
   */
  readonly scratch?: string;
}

/** What `evolve diff` reports: the plan's parts, between two fingerprints. */
export type SourcesDiff = Pick<PlanReport, 'dialect' | 'changes' | 'renames' | 'statements'> & {
  readonly fromFingerprint: string;
  readonly toFingerprint: string;
  /**
   * Objects each side holds that Evolve does not manage (never fingerprinted, never diffed),
   * and, on a models module's side, what it keeps of the other side's (see {@link adoptUnmodelled}).
   */
  readonly unmanaged: { readonly from: readonly string[]; readonly to: readonly string[] };
};

type Side = { kind: 'db'; url: DatabaseUrl } | { kind: 'file'; path: string };

const MODULE = /\.(c|m)?[jt]sx?$/i;

function classify(source: string): Side {
  if (isSqlPath(source) || MODULE.test(source)) return { kind: 'file', path: source };
  return { kind: 'db', url: parseDatabaseUrl(source) };
}

async function read(
  side: Side, dialect: Dialect, near: DatabaseUrl | null, options: DatabaseOptions,
): Promise<{ schema: SchemaIR; models: boolean; ignored: string[] }> {
  if (side.kind === 'db') return { schema: await withDatabase(side.url.raw, true, options, (d) => d.introspect()), models: false, ignored: [] };
  const desired = await loadDesired(side.path);
  // The include/exclude filters limit a file side as they limit a database side.
  const schema = scopeSchema(await desiredOn(dialect, near, desired), scopeOf(options));
  return { schema, models: desired.kind === 'models', ignored: ignoredNotes(desired) };
}

/**
 * A models module cannot state objects beyond tables and some attributes: facing a database or
 * a SQL file, it keeps the other side's (exactly as `evolve sql`/`apply` do, see
 * {@link adoptUnmodelled}), so the diff shows only what the models manage. The notes say what
 * was kept, and — for models on the TO side — what goes with a table the models drop.
 */
function adopt(
  side: { schema: SchemaIR; models: boolean }, other: { schema: SchemaIR; models: boolean }, isTo: boolean,
): { schema: SchemaIR; notes: string[] } {
  if (!side.models || other.models) return { schema: side.schema, notes: [] };
  const r = adoptUnmodelled(side.schema, other.schema);
  return { schema: r.schema, notes: [...r.adopted.map((x) => `${x} (not in the models: kept as it is)`), ...(isTo ? r.dropped : [])] };
}

/** The plan that turns `from` into `to`. Nothing is changed anywhere (scratch databases are dropped). */
export async function diffSources(from: string, to: string, options: DiffSourcesOptions = {}): Promise<SourcesDiff> {
  const sides = [classify(from), classify(to)] as const;
  const dbs = sides.filter((s): s is { kind: 'db'; url: DatabaseUrl } => s.kind === 'db');
  const dialectName = dbs[0]?.url.dialect ?? options.dialect ?? 'sqlite';
  if (dbs.some((s) => s.url.dialect !== dialectName)) {
    throw new EvolveError(ErrorCode.Usage, `Cannot diff a ${dbs[0]!.url.dialect} database with a ${dbs[1]!.url.dialect} one.`, {
      hint: 'Compare two sources of the same dialect.',
    });
  }
  const dialect = await loadDialect(dialectName);
  // Where SQL files are parsed: beside a database side, on --scratch, else where the dialect
  // needs no server (in-memory SQLite, PGlite); a dialect that needs one says so.
  const scratch = dbs[0]?.url.raw ?? options.scratch ?? dialect.localScratch;
  if (scratch === null && sides.some((s) => s.kind === 'file' && isSqlPath(s.path))) {
    throw new EvolveError(ErrorCode.Usage, `A ${dialect.name} SQL file needs a server to parse it.`, {
      hint: `Pass --scratch ${dialect.name}://user@host/anydb: a temporary database is created there and dropped.`,
    });
  }
  const near = scratch === null ? null : parseDatabaseUrl(scratch);
  const readA = await read(sides[0], dialect, near, options);
  const readB = await read(sides[1], dialect, near, options);
  const adoptedA = adopt(readA, readB, false);
  const adoptedB = adopt(readB, readA, true);
  const a = adoptedA.schema;
  const b = adoptedB.schema;
  const diff = dialect.diff(a, b);
  const plan = dialect.plan(diff);
  return {
    dialect: dialect.name, fromFingerprint: fingerprint(a), toFingerprint: fingerprint(b),
    changes: plan.changes, renames: plan.renames, statements: plan.statements,
    unmanaged: { from: [...unmanagedOf(a), ...adoptedA.notes, ...readA.ignored], to: [...unmanagedOf(b), ...adoptedB.notes, ...readB.ignored] },
  };
}
