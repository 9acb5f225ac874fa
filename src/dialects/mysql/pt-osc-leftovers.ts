/**
 * What a pt-online-schema-change run of Evolve's leaves behind when it is stopped part-way
 * (issue 16 point 3): the tool is told to name its copy `_evolve_osc_<table>`, so its copy is
 * in Evolve's reserved `_evolve*` namespace, and its triggers (`pt_osc_…`) are told apart from a
 * DBA's own pt-osc run by their bodies, which write into that copy. Stopped by a signal, the tool
 * leaves its triggers and copy in place (for a resume it does not have); stopped after the swap,
 * it leaves the original table renamed (`_<table>_old`), its triggers with it.
 *
 * None of it is part of the schema or its fingerprint: introspection leaves it out (listing it
 * as unmanaged), and every run on the database drops it first, under the deploy lock — the
 * triggers first, so that no write ever fires a trigger whose table is gone.
 */
import type { ObjectIR, UnmanagedIR } from '../../ir/schema.js';
import type { Connection } from '../connection.js';
import { mysqlSql } from './sql-builder.js';

/** The prefix of the copy pt-online-schema-change makes for Evolve (`--new-table-name`). */
export const PT_OSC_COPY_PREFIX = '_evolve_osc_';

/** A trigger as information_schema.TRIGGERS gives it. */
export interface TriggerRow {
  readonly name: string;
  /** The table it is on. */
  readonly table: string;
  /** Its body (ACTION_STATEMENT). */
  readonly body: string;
}

/** What interrupted pt-online-schema-change runs of Evolve's left. */
export interface PtOscLeftovers {
  /** Their triggers, with the table each is on. */
  readonly triggers: readonly { readonly name: string; readonly table: string }[];
  /** Original tables renamed by a swap the tool did not finish after (`_<table>_old`); their triggers go with them. */
  readonly oldTables: readonly string[];
}

const COPY_IN_BODY = new RegExp('`' + PT_OSC_COPY_PREFIX + '((?:[^`]|``)+)`');

/** The leftovers among `triggers` (a pt_osc trigger writing into an `_evolve_osc_` copy), given the tables that exist. */
export function ptOscLeftovers(triggers: readonly TriggerRow[], tables: ReadonlySet<string>): PtOscLeftovers {
  const found: { name: string; table: string }[] = [];
  const old = new Set<string>();
  for (const t of triggers) {
    const m = t.name.startsWith('pt_osc_') ? COPY_IN_BODY.exec(t.body) : null;
    if (!m) continue;
    found.push({ name: t.name, table: t.table });
    // On a table other than the one copied: the swap renamed the original, and the copy is in its place.
    const original = m[1]!.replace(/``/g, '`');
    if (t.table !== original && tables.has(original)) old.add(t.table);
  }
  return { triggers: found, oldTables: [...old] };
}

/**
 * Introspection's part: of the objects read (triggers among them) and the tables there are, the
 * objects to keep, the leftover tables to leave out (copies, renamed originals), and the
 * leftovers as unmanaged entries ("not managed: interrupted pt-online-schema-change …").
 */
export function ptOscLeftoverObjects(objects: readonly ObjectIR[], tables: readonly string[]):
  { objects: ObjectIR[]; tables: Set<string>; unmanaged: UnmanagedIR[] } {
  const left = ptOscLeftovers(objects.filter((o) => o.kind === 'trigger').map((o) => ({ name: o.name, table: o.table ?? '', body: o.definition })),
    new Set(tables));
  const triggers = new Set(left.triggers.map((t) => t.name));
  const out = new Set([...tables.filter((t) => t.startsWith(PT_OSC_COPY_PREFIX)), ...left.oldTables]);
  const kind = (what: string): string => `interrupted pt-online-schema-change (apply drops it first): ${what}`;
  return {
    objects: objects.filter((o) => !(o.kind === 'trigger' && triggers.has(o.name))),
    tables: out,
    unmanaged: [...[...out].map((name) => ({ kind: kind('table'), name })),
      ...left.triggers.map((t) => ({ kind: kind('trigger'), name: t.name, table: t.table }))],
  };
}

/**
 * Drop what interrupted pt-online-schema-change runs of Evolve's left in the connection's
 * database (see the module comment); the caller holds the deploy lock.
 * @returns the names dropped, triggers first.
 */
export async function dropPtOscLeftovers(conn: Connection): Promise<string[]> {
  const triggers = await conn.query(`SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl, ACTION_STATEMENT AS body
    FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND TRIGGER_NAME LIKE 'pt\\_osc\\_%'`);
  const copies = (await conn.query(`SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()
    AND TABLE_NAME LIKE ${mysqlSql.literal(PT_OSC_COPY_PREFIX.replace(/_/g, '\\_') + '%')}`)).map((r) => String(r.name));
  if (!triggers.length && !copies.length) return [];
  const tables = new Set((await conn.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()'))
    .map((r) => String(r.name)));
  const left = ptOscLeftovers(triggers.map((r) => ({ name: String(r.name), table: String(r.tbl), body: String(r.body ?? '') })), tables);
  const dropped: string[] = [];
  for (const t of left.triggers) { await conn.execute(`DROP TRIGGER IF EXISTS ${mysqlSql.ident(t.name)}`); dropped.push(t.name); }
  for (const name of [...left.oldTables, ...copies]) { await conn.execute(`DROP TABLE IF EXISTS ${mysqlSql.ident(name)}`); dropped.push(name); }
  return dropped;
}
