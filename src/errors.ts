/**
 * Typed errors. Every error Evolve raises for a user's mistake is an {@link EvolveError}
 * with a stable `code`, a message naming the cause, and a `hint` naming the fix.
 * The CLI alone maps them to exit codes and text; the library never exits the process.
 */

/** Stable error codes. Scripts may rely on them; a code is never reused for another meaning. */
export const ErrorCode = {
  /** Command-line usage is wrong (unknown option, missing argument). Exit 2. */
  Usage: 'E_USAGE',
  /** The models module could not be found or did not load. */
  ModelsLoad: 'E_MODELS_LOAD',
  /** The models module loaded but a model is malformed (duplicate column, bad aka, ...). */
  ModelInvalid: 'E_MODEL_INVALID',
  /** A model's table lies outside the tables the command manages (include/exclude filters, an application's own tables). */
  OutOfScope: 'E_OUT_OF_SCOPE',
  /** A name read from a database (or a SQL file's scratch) holds a control character (line break, tab, NUL): rename it. */
  NameInvalid: 'E_NAME_INVALID',
  /** A column type name Evolve does not know. */
  UnknownType: 'E_UNKNOWN_TYPE',
  /** The `--db` URL cannot be understood. */
  DbUrl: 'E_DB_URL',
  /** The database could not be opened or reached (also: it does not exist; a server that does not answer within the connect timeout). */
  DbConnect: 'E_DB_CONNECT',
  /** A command that writes was given a database it cannot write: a read-only file, directory or mount (SQLite's file, journal or lock file). */
  DbReadOnly: 'E_DB_READ_ONLY',
  /** The file given is not a database of the expected kind. */
  NotADatabase: 'E_NOT_A_DATABASE',
  /** The plan would lose data and `allowDataLoss` was not given. */
  DataLoss: 'E_DATA_LOSS',
  /** A statement failed while applying; the database was rolled back where the dialect allows. */
  SqlFailed: 'E_SQL_FAILED',
  /**
   * A SQL file used as models holds a statement that would reach beyond its scratch (another
   * database or schema, a file, a role, a server setting, a client meta-command): nothing ran.
   */
  SqlRefused: 'E_SQL_REFUSED',
  /** The sandbox where a SQL file is parsed (a scratch database and login) could not be made. */
  ScratchDenied: 'E_SCRATCH_DENIED',
  /** After applying, the live fingerprint is not the models' fingerprint. */
  FingerprintMismatch: 'E_FINGERPRINT_MISMATCH',
  /** The live schema and the models conflict in a way no plan can resolve (e.g. aka ambiguity). */
  Conflict: 'E_CONFLICT',
  /** A change the dialect cannot carry out. */
  Unsupported: 'E_UNSUPPORTED',
  /** No database URL was given. */
  NoDatabase: 'E_NO_DATABASE',
  /** A foreign key check failed after a table rebuild. */
  ForeignKeyViolation: 'E_FOREIGN_KEY_VIOLATION',
  /** Stored evolutions do not match their checksum file (edited, removed, added, reordered). */
  Integrity: 'E_INTEGRITY',
  /** A stored evolution is malformed (missing from/to, bad module). */
  EvolutionInvalid: 'E_EVOLUTION_INVALID',
  /** After a stored evolution ran, the live fingerprint is not its to-fingerprint. */
  EvolutionMismatch: 'E_EVOLUTION_MISMATCH',
  /** No stored path leads where asked (revert target unknown, no revert step). */
  NoPath: 'E_NO_PATH',
  /**
   * `--online`: a change cannot run without blocking the application (MySQL: it would copy a
   * table with rows, and pt-online-schema-change is not installed or cannot do it). Nothing of the plan ran.
   */
  NotOnline: 'E_NOT_ONLINE',
  /**
   * A stored evolution that failed part-way (MySQL: its first steps stay applied) cannot be
   * resumed: the steps that ran were changed in the file since.
   */
  ResumeConflict: 'E_RESUME_CONFLICT',
  /** The live schema differs from the models and generated SQL is not allowed (stored-only mode). */
  OutOfSync: 'E_OUT_OF_SYNC',
  /** The database has no deployment record for this application (and holds tables): set one with `evolve baseline`. */
  Unversioned: 'E_UNVERSIONED',
  /** The deployed version is below the code's latest: run `evolve upgrade`. */
  VersionBehind: 'E_VERSION_BEHIND',
  /** The deployed version is above the version asked for (or the code's latest). */
  VersionAhead: 'E_VERSION_AHEAD',
  /** A numbered upgrade step threw; where the dialect allows, it was rolled back. */
  StepFailed: 'E_STEP_FAILED',
  /** The numbered steps definition is malformed (missing step, bad latest) or was not found. */
  StepsInvalid: 'E_STEPS_INVALID',
  /** Another deployer held the deploy lock longer than the lock timeout (SQLite: or another connection held the database's own write lock that long). */
  LockTimeout: 'E_LOCK_TIMEOUT',
  /**
   * A cluster node runs schema changes in a mode that reaches only that node (Galera
   * `wsrep_OSU_method=RSU`) and no rolling change was asked for: nothing was changed.
   */
  ClusterRsu: 'E_CLUSTER_RSU',
  /** After a change, a node of the cluster reports another fingerprint than the node the change ran on. */
  ClusterDiverged: 'E_CLUSTER_DIVERGED',
  /** A command that works on one database was given a fleet (a repeated `--db`, `--targets`, a pattern, config `targets`). Exit 2. */
  FleetUnsupported: 'E_FLEET_UNSUPPORTED',
  /** A fleet pattern (or targets file) names no database at all. */
  FleetEmpty: 'E_FLEET_EMPTY',
  /** A bug in Evolve itself. */
  Internal: 'E_INTERNAL',
} as const;

/** One of the {@link ErrorCode} strings (`'E_USAGE'`, `'E_DATA_LOSS'`, ...): the type of {@link EvolveError.code}. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options accepted by {@link EvolveError}. */
export interface EvolveErrorOptions {
  /** What the user can do about it, one sentence. */
  hint?: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /** Structured details for `--json` output. */
  details?: Record<string, unknown>;
}

/**
 * The one error type Evolve throws for anything a user can fix.
 *
 * @example
 * ```ts
 * try { await apply({ db: 'sqlite:app.db', models }); }
 * catch (e) { if (e instanceof EvolveError && e.code === 'E_DATA_LOSS') console.log(e.hint); }
 * ```
 */
export class EvolveError extends Error {
  readonly code: ErrorCodeValue;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCodeValue, message: string, options: EvolveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EvolveError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  /** A plain object for `--json` output. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, hint: this.hint ?? null, ...(this.details ? { details: this.details } : {}) };
  }
}

/** True when `e` is an {@link EvolveError}, across module instances. */
export function isEvolveError(e: unknown): e is EvolveError {
  return e instanceof EvolveError
    || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'EvolveError' && typeof (e as { code?: unknown }).code === 'string');
}

/** Exhaustiveness guard for discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new EvolveError(ErrorCode.Internal, `Unhandled ${what}: ${JSON.stringify(value)}`, {
    hint: 'This is a bug in Evolve; please report it with the command you ran.',
  });
}
