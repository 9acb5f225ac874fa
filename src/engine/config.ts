/**
 * The config file's shape (`evolve.config.ts`), and the helpers that write one: `defineConfig`
 * (typed, as Drizzle Kit, Prisma and Kysely-ctl have it) and `env('NAME')` (a setting from the
 * environment, which the CLI fills from `.env` first).
 */
import { EvolveError, ErrorCode } from '../errors.js';

/** What `evolve.config.ts` may export (default export). */
export interface EvolveConfig {
  /** Database URL. */
  db?: string;
  /**
   * A fleet (issue 17): every database the commands that take one work on — URLs and patterns
   * (`'sqlite:tenants/*.db'`, `'postgres://…/app?schemas=tenant_*'`, `'mysql://…/tenant_*'`).
   * Used when neither `--db`, `--targets` nor `EVOLVE_DATABASE_URL` is given; wins over `db`.
   */
  targets?: string[];
  /** Path of the models module (relative to the config file). */
  models?: string;
  /** Directory of stored evolutions. */
  evolutions?: string;
  /** PostgreSQL schema. */
  schema?: string;
  /** PostgreSQL schemas managed beside it (`'billing,audit'` or `['billing', 'audit']`). */
  schemas?: string | string[];
  /** Never run generated SQL; only stored evolutions (the reviewed and hand-written ways). */
  storedOnly?: boolean;
  /**
   * `apply`: verify the fingerprint after every link of a chain of stored evolutions, not only
   * at its end and (MySQL) before links that are not purely additive (`--verify-each-link`;
   * docs/evolutions.md).
   */
  verifyEachLink?: boolean;
  /** Tables every command manages, as names or globs (`'billing_*'`; `'!legacy_*'` excludes). Default: all. */
  include?: string | string[];
  /** Tables every command leaves alone, as names or globs. */
  exclude?: string | string[];
  /**
   * Where a SQL file used as models is parsed, in a sandbox made there and dropped: a server URL
   * of the same dialect, or `pglite:memory` (`--scratch`). Default: the database's own server.
   */
  scratch?: string;
  /**
   * Longest wait of one statement for a table lock, in milliseconds, before the run is rolled
   * back and retried (`--lock-wait`; default 2000).
   */
  lockWait?: number;
  /** Refuse (or hand to pt-online-schema-change) what would block the application's writes (`--online`; docs/online.md). */
  online?: boolean;
  /** Retries after a lock wait timed out (`--retries`; default 10). */
  retries?: number;
  /**
   * Rows per batch of a backfill, each batch its own transaction (`--batch-size`; default 10000):
   * PostgreSQL type changes done through a new column on a table with rows (docs/online.md).
   */
  batchSize?: number;
  /** Milliseconds between two batches of a backfill (`--batch-pause`; default 0). */
  batchPause?: number;
  /** Seconds to wait for a database server to answer a new connection (`?connect_timeout=` in the URL wins). Default 10; 0: no limit. */
  connectTimeout?: number;
  /** Name of the deployment record table (must start with `_evolve`). Default `_evolve_deployment`. */
  recordTable?: string;
  /** Name of the deployment history table (must start with `_evolve`). Default `_evolve_history`. */
  historyTable?: string;
}

/**
 * The config, typed: `export default defineConfig({ db: env('DATABASE_URL'), models: './src/models.ts' })`.
 * Returns it as it is.
 *
 * @example
 * ```ts
 * // evolve.config.ts
 * import { defineConfig, env } from 'evolve';
 * export default defineConfig({ db: env('DATABASE_URL', 'sqlite:app.db'), models: './src/models.ts' });
 * ```
 */
export function defineConfig(config: EvolveConfig): EvolveConfig {
  return config;
}

/**
 * Environment variable `name` (the CLI reads `.env` in the working directory, or `--env-file`,
 * first; variables already set win), else `fallback`.
 * @throws EvolveError `E_USAGE` when it is unset (or empty) and there is no fallback.
 */
export function env(name: string, fallback?: string): string {
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new EvolveError(ErrorCode.Usage, `Environment variable ${name} is not set (the config file reads it with env('${name}')).`, {
    hint: `Set ${name} (export ${name}=…, or a line ${name}=… in .env in the working directory or the file given to --env-file), ` +
      `or give env('${name}', fallback).`,
  });
}
