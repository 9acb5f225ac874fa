/**
 * Former names in a SQL file: `-- evolve:aka old_name` on a CREATE TABLE line, a column's line
 * or (PostgreSQL) an enum value's line. A SQL file standing for models declares its renames so.
 */
import type { SchemaIR } from '../../ir/schema.js';

/**
 * Former names declared in SQL comments (`-- evolve:aka a, b`) of tables, columns and
 * PostgreSQL enum values (`'fine', -- evolve:aka ok`: enum → value → former values). Tables and
 * enums are keyed by their own name, unless `qualify` names them otherwise (PostgreSQL extra
 * schemas: `billing.invoice`).
 */
export function akaFromSql(text: string, qualify?: (schema: string | null, name: string) => string): {
  tables: Map<string, string[]>; columns: Map<string, Map<string, string[]>>; enumValues: Map<string, Map<string, string[]>>;
} {
  const tables = new Map<string, string[]>();
  const columns = new Map<string, Map<string, string[]>>();
  const enumValues = new Map<string, Map<string, string[]>>();
  const unquote = (s: string): string => s.replace(/^["`[]|["`\]]$/g, '');
  let current: string | null = null;
  let currentEnum: string | null = null;
  for (const line of text.split('\n')) {
    const PART = String.raw`(?:"[^"]+"|\x60[^\x60]+\x60|'[^']+'|[\w$]+)`;
    const NAME = String.raw`${PART}(?:\.${PART})?`;
    const list = new RegExp(String.raw`--\s*evolve:aka\s+(${NAME}(?:\s*,\s*${NAME})*)`, 'i').exec(line)?.[1];
    const aka = list ? list.split(',').map((x) => x.trim().split('.').map(unquote).join('.')).filter(Boolean) : [];
    // PostgreSQL enums: `'fine', -- evolve:aka ok` on a value's line declares a renamed value.
    const type = /create\s+type\s+((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)\s+as\s+enum/i.exec(line);
    if (type) {
      const parts = type[1]!.split('.').map(unquote);
      const own = parts.pop()!;
      currentEnum = qualify ? qualify(parts[0] ?? null, own) : own;
      current = null;
    }
    if (currentEnum && aka.length) {
      const before = line.slice(0, line.search(/--\s*evolve:aka/i));
      const literals = [...before.matchAll(/'((?:[^']|'')*)'/g)];
      const value = literals[literals.length - 1]?.[1]?.replace(/''/g, "'");
      if (value !== undefined) {
        const m = enumValues.get(currentEnum) ?? new Map<string, string[]>();
        m.set(value, aka.map((a) => a.replace(/^'|'$/g, '')));
        enumValues.set(currentEnum, m);
      }
    }
    if (type) continue;
    const create = /create\s+table\s+(?:if\s+not\s+exists\s+)?((?:"[^"]+"|`[^`]+`|[\w$]+)(?:\.(?:"[^"]+"|`[^`]+`|[\w$]+))?)/i.exec(line);
    if (create) {
      currentEnum = null;
      const parts = create[1]!.split('.').map(unquote);
      const own = parts.pop()!;
      current = qualify ? qualify(parts[0] ?? null, own) : own;
      if (aka.length) tables.set(current, aka);
      continue;
    }
    if (!current || !aka.length) continue;
    const col = /^\s*("[^"]+"|`[^`]+`|[\w$]+)\s/.exec(line);
    if (col) {
      const m = columns.get(current) ?? new Map<string, string[]>();
      m.set(unquote(col[1]!), aka);
      columns.set(current, m);
    }
  }
  return { tables, columns, enumValues };
}

/** `schema` with the former names `text` declares (see {@link akaFromSql}). */
export function withAka(schema: SchemaIR, text: string, qualify?: (schema: string | null, name: string) => string): SchemaIR {
  const { tables, columns, enumValues } = akaFromSql(text, qualify);
  return {
    ...schema,
    ...(enumValues.size && schema.objects ? {
      objects: schema.objects.map((o) => (o.kind === 'enum' && enumValues.has(o.name) ? { ...o, aka: Object.fromEntries(enumValues.get(o.name)!) } : o)),
    } : {}),
    tables: schema.tables.map((t) => ({
      ...t,
      ...(tables.has(t.name) ? { aka: tables.get(t.name)! } : {}),
      columns: t.columns.map((c) => (columns.get(t.name)?.has(c.name) ? { ...c, aka: columns.get(t.name)!.get(c.name)! } : c)),
    })),
  };
}
