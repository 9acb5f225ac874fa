/**
 * Live schemas kept between commands, by catalog key (issue 20). A dialect whose catalog has a
 * key of everything its introspection reads ({@link Dialect.catalogKey}: SQLite, whose schema is
 * the text of `sqlite_schema`) is read once per schema: the normalised schema it gave is kept in
 * the transform cache's directory (`KEY.live`, with its tables' canonical texts in
 * `KEY.live.txt`: the format of the compiled models, model/compiled-cache.ts), and a later read
 * whose key is the same takes it instead of reading the catalog again — one query instead of
 * the catalog read, and its fingerprint kept with it (nothing hashed or written again for it). The key holds the
 * catalog's, the dialect, the options and a stamp of Evolve's build, so a schema changed by
 * anyone (another tool, another Evolve) or an upgraded Evolve is read afresh. Only a schema
 * that JSON holds exactly is kept. The directory's bound: {@link LIVE_MAX} entries, the oldest go.
 */
import { createHash } from 'node:crypto';
import type { Dialect, IntrospectOptions } from '../dialects/dialect.js';
import type { Connection } from '../dialects/connection.js';
import type { SchemaIR } from '../ir/schema.js';
import { libraryStamp, readCompiled, writeCompiled, type EntryKind } from '../model/compiled-cache.js';
import { transformCacheDir } from '../model/ts-loader.js';

/** Live schemas kept at most (each is a whole schema: ~1.5 MB at 1,000 tables). */
export const LIVE_MAX = 8;

/** The kind of entry a kept live schema is. */
const LIVE_ENTRY: EntryKind = { entry: '.live', texts: '.live.txt', max: LIVE_MAX };

/** The format of an entry and of its key. */
const FORMAT = 'kept live schema v1';

/** True when JSON gives `v` back exactly: plain objects and arrays of strings, finite numbers (not -0), booleans and null. */
export function jsonExact(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!jsonExact(v[i])) return false;
    return true;
  }
  if (typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    // (A key whose value is undefined: JSON leaves it out, as the introspectors do.)
    if (x !== undefined && !jsonExact(x)) return false;
  }
  return true;
}

/**
 * `dialect.introspect(conn, options)`, taken from the entry its catalog key names when one is
 * kept in `dir` (default: the transform cache's, `EVOLVE_CACHE_DIR`; '' or null: none), else read
 * and kept. Without a catalog key or a directory it is the dialect's introspection as it is.
 */
export async function introspectKept(
  dialect: Dialect, conn: Connection, options: IntrospectOptions, dir: string | null = transformCacheDir(),
): Promise<SchemaIR> {
  if (!dir || !dialect.catalogKey) return dialect.introspect(conn, options);
  const catalog = await dialect.catalogKey(conn, options);
  const key = createHash('sha256').update(`${FORMAT}\0${libraryStamp()}\0${dialect.name}\0${JSON.stringify(options)}\0${catalog}`)
    .digest('hex').slice(0, 32);
  const cache = { dir };
  const kept = readCompiled(cache, key, LIVE_ENTRY);
  if (kept) return kept.schema;
  const live = await dialect.introspect(conn, options);
  if (jsonExact(live)) writeCompiled(cache, key, { schema: live, ignored: [] }, LIVE_ENTRY, true);
  return live;
}
