/**
 * PostgreSQL fleet patterns: `postgres://…/app?schemas=tenant_*` (or `--schema-pattern 'tenant_*'`)
 * stands for one target per schema of that database whose name the glob matches.
 */
import { EvolveError, ErrorCode } from '../../errors.js';
import type { ExpandOptions } from '../dialect.js';
import type { DatabaseUrl } from '../url.js';
import { isNamePattern, matchNames } from '../shared/targets.js';
import { connectPostgres } from './connection.js';

/** Schemas no application's tables live in. */
const SYSTEM_SCHEMAS = "nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'";

/**
 * One URL per schema the pattern matches (`?schema=NAME`, sorted); null when the URL holds no
 * pattern and none is given.
 * @throws EvolveError `E_USAGE` for a pattern on PGlite or beside `?schema=`.
 */
export async function expandPostgresTargets(url: DatabaseUrl, options: ExpandOptions): Promise<string[] | null> {
  const patterns = options.schemaPattern !== undefined ? [options.schemaPattern]
    : (url.schemas ?? []).some((s) => isNamePattern(s)) ? [...url.schemas!] : [];
  if (patterns.length === 0) return null;
  if (url.pglite) {
    throw new EvolveError(ErrorCode.Usage, `A schema pattern cannot apply to ${url.display}: PGlite URLs take no schema parameter.`, {
      hint: 'Name each schema as its own target, or use a postgres:// server URL with ?schemas=PATTERN.',
    });
  }
  if (options.schemaPattern === undefined && url.schema !== undefined) {
    throw new EvolveError(ErrorCode.Usage, `${url.display} gives both ?schema= and a schema pattern in ?schemas=.`, {
      hint: 'Leave ?schema= out: the pattern names the schemas, one target each.',
    });
  }
  const { schema: _s, schemas: _ss, ...base } = url;
  const conn = await connectPostgres(base, {
    readOnly: true, ...(options.connectTimeoutSeconds !== undefined ? { connectTimeoutSeconds: options.connectTimeoutSeconds } : {}),
  });
  let names: string[];
  try {
    names = (await conn.query(`SELECT nspname FROM pg_namespace WHERE ${SYSTEM_SCHEMAS}`)).map((r) => String(r.nspname));
  } finally {
    await conn.close();
  }
  const matched = [...new Set(patterns.flatMap((p) => matchNames(p, names)))].sort();
  return matched.map((schema) => {
    const u = new URL(url.raw);
    u.searchParams.delete('schemas');
    u.searchParams.set('schema', schema);
    return u.toString();
  });
}
