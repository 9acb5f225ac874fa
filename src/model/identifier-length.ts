/**
 * Names longer than the database takes (issue 15 point 14), refused before anything runs:
 * PostgreSQL would cut them at 63 bytes (two long names then become one, and the model's name is
 * not the table's), MySQL refuses them over 64 characters. Names Evolve makes up itself (an
 * index the model did not name, constraint names) are cut by the dialect the way the database
 * would, and are not refused here.
 */
import type { SchemaIR } from '../ir/schema.js';
import { identifierLength, type IdentifierLimit } from '../ir/names.js';
import { EvolveError, ErrorCode } from '../errors.js';
import { defaultIndexName } from './compile.js';

/**
 * Refuse a compiled schema that names a table, column, index or constraint longer than `limit`
 * (`qualified`: a table name `schema.table` is two names, each within the limit). Former names
 * (aka) are not checked: they name what the database already holds.
 * @throws EvolveError `E_MODEL_INVALID` naming the name, its length and the limit.
 */
export function checkIdentifierLengths(schema: SchemaIR, limit: IdentifierLimit | undefined, qualified: boolean, dialect: string): void {
  if (!limit) return;
  const { max, unit } = limit;
  // Without measuring most names: a name of n UTF-16 units has at most n characters, and at most 3n bytes of UTF-8.
  const short = unit === 'bytes' ? Math.floor(max / 3) : max;
  const fits = (name: string | null): boolean => name === null || name.length <= short || identifierLength(name, unit) <= max;
  const check = (what: string, name: string | null, details: Record<string, unknown>): void => {
    if (fits(name)) return;
    const n = identifierLength(name!, unit);
    throw new EvolveError(ErrorCode.ModelInvalid,
      `${what} is ${n} ${unit} long; ${dialect} takes names of at most ${max} ${unit}` +
      `${unit === 'bytes' ? ' (of UTF-8) and cuts longer ones, so two long names can become one' : ''}.`, {
        hint: `Give it a name of at most ${max} ${unit}${details.column ? " (.named('…') keeps the property's name)" : ''}.`,
        details: { ...details, name, length: n, max, unit },
      });
  };
  for (const t of schema.tables) {
    const dot = qualified ? t.name.indexOf('.') : -1;
    if (dot > 0) check(`The schema '${t.name.slice(0, dot)}' of table '${t.name}'`, t.name.slice(0, dot), { table: t.name });
    check(`Table '${t.name}'`, dot > 0 ? t.name.slice(dot + 1) : t.name, { table: t.name });
    // The messages and details are made only for a name that does not fit.
    for (const c of t.columns) if (!fits(c.name)) check(`Column '${t.name}.${c.name}'`, c.name, { table: t.name, column: c.name });
    for (const i of t.indexes) {
      if (fits(i.name) || i.name === defaultIndexName(t.name, i.columns)) continue;
      check(`Index '${i.name}' of table '${t.name}'`, i.name, { table: t.name, index: i.name });
    }
    for (const u of t.uniques) if (!fits(u.name)) check(`Unique constraint '${u.name}' of table '${t.name}'`, u.name, { table: t.name });
    for (const f of t.foreignKeys) if (!fits(f.name)) check(`Foreign key '${f.name}' of table '${t.name}'`, f.name, { table: t.name });
    if (t.primaryKey && !fits(t.primaryKey.name)) check(`Primary key '${t.primaryKey.name}' of table '${t.name}'`, t.primaryKey.name, { table: t.name });
  }
}
