/** Literals as PostgreSQL prints them back (DateStyle ISO, TimeZone UTC; jsonb's key order). */
import type { ColumnType } from '../../ir/schema.js';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A date/time literal as PostgreSQL prints it (DateStyle ISO, TimeZone UTC); other text unchanged. */
function canonicalDateTime(v: string, type: ColumnType): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(v.trim());
  if (!m) return v;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (type.kind === 'date') return `${m[1]}-${m[2]}-${m[3]}`;
  const frac = (m[7] ?? '').slice(0, 7).replace(/0+$/, '').replace(/^\.$/, '');
  if (type.kind === 'timestamp' && !type.withTimeZone) return `${m[1]}-${m[2]}-${m[3]} ${pad(h)}:${pad(mi)}:${pad(s)}${frac}`;
  // timestamptz: to UTC (a literal without an offset is read in the session's zone, UTC).
  let offset = 0;
  const z = m[8];
  if (z && z.toUpperCase() !== 'Z') {
    const om = /^([+-])(\d{2}):?(\d{2})?$/.exec(z)!;
    offset = (om[1] === '-' ? -1 : 1) * (Number(om[2]) * 60 + Number(om[3] ?? 0));
  }
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - offset * 60_000);
  if (Number.isNaN(t.getTime())) return v;
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ` +
    `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${frac}+00`;
}

/** jsonb's own text for a JSON document: keys ordered by length then bytes, `", "` and `": "`. */
function jsonbText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(jsonbText).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText(o[k])}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Literal text as PostgreSQL prints a value of `type`: dates and timestamps in ISO form
 * (timestamptz in UTC), jsonb re-serialised, uuids lower case and hyphenated. Other text, and
 * text that does not parse, is unchanged.
 */
export function canonicalLiteral(v: string, type: ColumnType): string {
  if (type.kind === 'date' || type.kind === 'timestamp') return canonicalDateTime(v, type);
  if (type.kind === 'json') { try { return jsonbText(JSON.parse(v)); } catch { return v; } }
  if (type.kind === 'uuid') {
    const hex = v.trim().replace(/^\{(.*)\}$/, '$1').replace(/-/g, '').toLowerCase();
    if (/^[0-9a-f]{32}$/.test(hex)) return hex.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  }
  return v;
}
