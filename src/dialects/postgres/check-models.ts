/** Checks of a models schema against the PostgreSQL database it is meant for, and against PostgreSQL's own rules. */
import type { SchemaIR } from '../../ir/schema.js';
import { EvolveError, ErrorCode } from '../../errors.js';
import type { DatabaseUrl } from '../url.js';
import { DEFAULT_SCHEMA } from './connection.js';

/**
 * PostgreSQL models name a table of an extra schema `schema.table`: that schema must be one the
 * database is opened with (`--schemas`), else the table would never be seen there.
 * @throws EvolveError `E_USAGE` naming the table and the fix.
 */
export function checkPostgresModels(schema: SchemaIR, near: DatabaseUrl): void {
  checkIndexNameCollisions(schema);
  // An in-memory PGlite is a scratch database (evolve diff between files): nothing to open.
  if (near.pglite && near.path === ':memory:') return;
  const primary = near.schema ?? DEFAULT_SCHEMA;
  for (const t of schema.tables) {
    const dot = t.name.indexOf('.');
    if (dot <= 0) continue;
    const s = t.name.slice(0, dot);
    if (s === primary) {
      throw new EvolveError(ErrorCode.Usage, `Model table '${t.name}' names the primary schema '${primary}'.`, {
        hint: `Name it '${t.name.slice(dot + 1)}': tables of the primary schema are unqualified.`, details: { table: t.name },
      });
    }
    if (!(near.schemas ?? []).includes(s)) {
      throw new EvolveError(ErrorCode.Usage, `Model table '${t.name}' is in schema '${s}', which ${near.display} is not opened with.`, {
        hint: `Add it to the managed schemas: --schemas ${[...(near.schemas ?? []), s].join(',')} (or ?schemas= in the URL, or schemas in evolve.config.ts).`,
        details: { table: t.name, schema: s },
      });
    }
  }
}

/**
 * Index names the models did not give (`table_columns_idx`) are cut at 63 bytes as PostgreSQL
 * cuts them (normalise.ts); two that become one name in a schema would collide ("relation
 * already exists"). Names the models give are never cut: longer ones are refused before
 * normalising (src/model/identifier-length.ts), and compiling refuses two of one name.
 * @throws EvolveError `E_MODEL_INVALID` naming both indexes and the fix.
 */
function checkIndexNameCollisions(schema: SchemaIR): void {
  const seen = new Map<string, string>(); // schema-qualified index name → its table
  for (const t of schema.tables) {
    const dot = t.name.indexOf('.');
    const prefix = dot > 0 ? t.name.slice(0, dot + 1) : '';
    for (const i of t.indexes) {
      const other = seen.get(prefix + i.name);
      if (other === undefined) { seen.set(prefix + i.name, t.name); continue; }
      throw new EvolveError(ErrorCode.ModelInvalid,
        `Two indexes the models did not name, on tables '${other}' and '${t.name}', are both '${i.name}' ` +
        'once cut to the 63 bytes PostgreSQL keeps of a name.', {
          hint: "Name one of them (index('short_name').on(…)).",
          details: { tables: [other, t.name], index: i.name },
        });
    }
  }
}
