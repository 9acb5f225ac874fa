/** PostgreSQL URLs: `postgres://…` (or `postgresql://`), with `?schema=`, `?schemas=a,b` and `?connect_timeout=SECONDS`; `pglite:DIR` (in-process). */
import { badUrl, connectTimeoutParam, parseSchemaList, parseSchemeUrl, redact, redactUrl, type DatabaseUrl } from '../shared/url-helpers.js';

/** Parse a PostgreSQL or PGlite URL; null when `raw` is not one. */
export function parsePostgresUrl(raw: string): DatabaseUrl | null {
  if (/^pglite:/i.test(raw)) {
    const path = raw.replace(/^pglite:(\/\/)?/i, '');
    return { dialect: 'postgres', raw, display: raw, path: path === '' || path === 'memory' ? ':memory:' : path, pglite: true };
  }
  const parsed = parseSchemeUrl(raw);
  if (!parsed || (parsed.scheme !== 'postgres' && parsed.scheme !== 'postgresql')) return null;
  const { url } = parsed;
  if (!url.hostname && !url.searchParams.get('host')) throw badUrl(raw, 'no host');
  const schema = url.searchParams.get('schema') ?? undefined;
  // An empty ?schema= is a mistake (a variable that expanded to nothing), not a wish for public.
  if (schema !== undefined && schema.trim() === '') throw badUrl(raw, '?schema= names no schema (leave it out for public, or name one: ?schema=app)');
  const list = url.searchParams.get('schemas');
  const schemas = list === null ? [] : parseSchemaList(list, schema ?? 'public');
  const connectTimeout = connectTimeoutParam(raw, url);
  return {
    dialect: 'postgres', raw, display: redact(redactUrl(raw)), ...(schema ? { schema } : {}), ...(schemas.length ? { schemas } : {}),
    ...(connectTimeout !== undefined ? { connectTimeout } : {}),
  };
}
