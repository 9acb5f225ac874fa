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
import { existsSync } from 'node:fs';
import { EvolveError, ErrorCode, isEvolveError } from '../errors.js';
import { scopeOf, scratchPlace, withDatabase, type DatabaseOptions } from '../database/database.js';
import { scopeSchema } from '../database/scope.js';
import { adoptUnmodelled, desiredOn, ignoredNotes, isSqlPath, loadDesired } from '../database/sources.js';

/** Options of {@link diffSources}. */
export interface DiffSourcesOptions extends DatabaseOptions {
  /** Dialect when neither side is a database (default sqlite). */
  readonly dialect?: string;
  /**
   * Where SQL files are parsed: a server URL (a sandbox is made there and dropped). Default:
   * the database side's server; when neither side is a database, in-memory SQLite, or
   * in-memory PGlite for postgres; MySQL needs one.
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

/** What each side of `evolve diff` may be, for its errors' hints (they are about its own arguments, not --db or --models). */
const SIDES_HINT = 'Give FROM and TO each as a database URL (sqlite:PATH or a path ending in .db or .sqlite, postgres://user@host/db, ' +
  'mysql://user@host/db, pglite:DIR; percent-encode special characters in the password), a models module (.ts, .js) ' +
  'or a SQL file of CREATE statements (.sql): `evolve diff FROM TO`.';

/**
 * Which kind of source `source` (the FROM or TO argument) is.
 * @throws EvolveError `E_DB_URL` (not a URL, nor a file by its extension) or `E_MODELS_LOAD`
 *   (a file that does not exist), with a hint about diff's arguments.
 */
function classify(source: string, which: 'FROM' | 'TO'): Side {
  if (isSqlPath(source) || MODULE.test(source)) {
    if (!existsSync(source)) {
      throw new EvolveError(ErrorCode.ModelsLoad, `evolve diff: ${which} '${source}' does not exist.`, {
        hint: `Check the path (relative to the working directory). ${SIDES_HINT}`, details: { side: which, path: source },
      });
    }
    return { kind: 'file', path: source };
  }
  try {
    return { kind: 'db', url: parseDatabaseUrl(source) };
  } catch (e) {
    if (!isEvolveError(e) || e.code !== ErrorCode.DbUrl) throw e;
    throw new EvolveError(ErrorCode.DbUrl, `evolve diff: ${which} is not a models module, a SQL file or a database URL it can use. ${e.message}`, {
      hint: SIDES_HINT, cause: e.cause, details: { ...e.details, side: which },
    });
  }
}

async function read(
  side: Side, dialect: Dialect, near: DatabaseUrl | null, options: DatabaseOptions,
): Promise<{ schema: SchemaIR; models: boolean; ignored: string[] }> {
  if (side.kind === 'db') return { schema: await withDatabase(side.url.raw, true, options, (d) => d.introspect()), models: false, ignored: [] };
  const desired = await loadDesired(side.path);
  // The include/exclude filters limit a file side as they limit a database side.
  const schema = scopeSchema(await desiredOn(dialect, near, desired), scopeOf(options));
  return { schema, models: desired.kind !== 'sql', ignored: ignoredNotes(desired) };
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
  const sides = [classify(from, 'FROM'), classify(to, 'TO')] as const;
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
  const db = dbs[0] ? (options.schema ? { ...dbs[0].url, schema: options.schema } : dbs[0].url) : null;
  const local = dialect.localScratch === null ? null : parseDatabaseUrl(dialect.localScratch);
  const near = scratchPlace(dialect, db ?? local, options.scratch);
  if (near === null && sides.some((s) => s.kind === 'file' && isSqlPath(s.path))) {
    throw new EvolveError(ErrorCode.Usage, `A ${dialect.name} SQL file needs a server to parse it.`, {
      hint: `Pass --scratch ${dialect.name}://user@host/anydb: a sandbox (a scratch database and a user of its own) is made there and dropped.`,
    });
  }
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
