/**
 * The catalog query behind PostgreSQL objects beyond tables: one round trip, whatever the
 * number of objects, returning one row per object (`kind`, `name`, `tbl`, `def`, `data`,
 * `deps`) for one schema ($1). Objects that belong to an extension (pg_depend deptype 'e')
 * are never listed; what Evolve does not model comes back with kind `unmanaged:<what>`.
 */

/** The schema's oid. */
const NS = `(SELECT oid FROM pg_namespace WHERE nspname = $1)`;

/** Not a member of an extension: `cls` is the catalog, `oid` the object. */
const notExt = (cls: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${cls}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

/** A function's key name: `f(argument types)`. */
const fnName = (p: string): string => `${p}.proname || '(' || pg_get_function_identity_arguments(${p}.oid) || ')'`;

/** Keys (`table:t`, `view:v`, `function:f(…)`, …) of what the rewrite rules of relation `rel` read. */
const viewDeps = (rel: string): string => `(SELECT coalesce(json_agg(DISTINCT k.key), '[]') FROM (
  SELECT CASE d.refclassid
    WHEN 'pg_class'::regclass THEN (SELECT CASE x.relkind WHEN 'v' THEN 'view:' WHEN 'm' THEN 'materializedView:' WHEN 'S' THEN 'sequence:' ELSE 'table:' END || x.relname
      FROM pg_class x WHERE x.oid = d.refobjid AND x.relnamespace = ${NS} AND x.relkind IN ('r', 'p', 'v', 'm', 'S'))
    WHEN 'pg_proc'::regclass THEN (SELECT 'function:' || ${fnName('x')} FROM pg_proc x WHERE x.oid = d.refobjid AND x.pronamespace = ${NS})
    WHEN 'pg_type'::regclass THEN (SELECT CASE x.typtype WHEN 'e' THEN 'enum:' ELSE 'domain:' END || x.typname
      FROM pg_type x WHERE x.oid = d.refobjid AND x.typnamespace = ${NS} AND x.typtype IN ('e', 'd'))
  END AS key
  FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refobjid <> ${rel}
  WHERE r.ev_class = ${rel}) k WHERE k.key IS NOT NULL)`;

/** Relations of the schema, Evolve's own left out. */
const REL = `c.relnamespace = ${NS} AND c.relname NOT LIKE '\\_evolve%'`;

const PARTS: string[] = [
  // Extensions installed in the schema (plpgsql is always there, in pg_catalog anyway).
  `SELECT 'extension' AS kind, x.extname::text AS name, NULL::text AS tbl, x.extname::text AS def, NULL::json AS data, NULL::json AS deps
   FROM pg_extension x WHERE x.extnamespace = ${NS} AND x.extname <> 'plpgsql'`,
  // Enums: labels in order.
  `SELECT 'enum', t.typname, NULL, NULL, (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), NULL
   FROM pg_type t WHERE t.typnamespace = ${NS} AND t.typtype = 'e' AND ${notExt('pg_type', 't.oid')}`,
  // Domains: base type, NOT NULL, default, collation, checks.
  `SELECT 'domain', t.typname, NULL, NULL, json_build_object(
     'type', format_type(t.typbasetype, t.typtypmod), 'notNull', t.typnotnull, 'default', t.typdefault,
     'collation', CASE WHEN t.typcollation <> 0 AND t.typcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)
       THEN (SELECT collname FROM pg_collation WHERE oid = t.typcollation) END,
     'checks', (SELECT coalesce(json_agg(json_build_array(c.conname, pg_get_constraintdef(c.oid)) ORDER BY c.conname), '[]')
       FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c')), NULL
   FROM pg_type t WHERE t.typnamespace = ${NS} AND t.typtype = 'd' AND ${notExt('pg_type', 't.oid')}`,
  // Standalone sequences (not those an identity or serial column owns).
  `SELECT 'sequence', c.relname, NULL, NULL, json_build_object('type', format_type(s.seqtypid, NULL), 'increment', s.seqincrement::text,
     'min', s.seqmin::text, 'max', s.seqmax::text, 'start', s.seqstart::text, 'cache', s.seqcache::text, 'cycle', s.seqcycle), NULL
   FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid
   WHERE ${REL} AND c.relkind = 'S' AND ${notExt('pg_class', 'c.oid')} AND NOT EXISTS (
     SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
       AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i'))`,
  // Functions and procedures.
  `SELECT 'function', ${fnName('p')}, NULL, pg_get_functiondef(p.oid), json_build_object('procedure', p.prokind = 'p',
     'args', pg_get_function_identity_arguments(p.oid), 'name', p.proname::text), NULL
   FROM pg_proc p WHERE p.pronamespace = ${NS} AND p.prokind IN ('f', 'p') AND ${notExt('pg_proc', 'p.oid')}
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')`,
  // Views and materialized views.
  `SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materializedView' END, c.relname, NULL, pg_get_viewdef(c.oid, true), NULL, ${viewDeps('c.oid')}
   FROM pg_class c WHERE ${REL} AND c.relkind IN ('v', 'm') AND ${notExt('pg_class', 'c.oid')}`,
  // Indexes of materialized views (those of tables come with the tables).
  `SELECT 'index', ic.relname, c.relname, pg_get_indexdef(i.indexrelid), NULL, json_build_array('materializedView:' || c.relname)
   FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
   WHERE ${REL} AND c.relkind = 'm'`,
  // Triggers (not the internal ones behind foreign keys).
  `SELECT 'trigger', c.relname || '.' || tg.tgname, c.relname, pg_get_triggerdef(tg.oid), json_build_object('name', tg.tgname::text),
     (SELECT json_build_array('function:' || ${fnName('p')}) FROM pg_proc p WHERE p.oid = tg.tgfoid AND p.pronamespace = ${NS})
   FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
   WHERE ${REL} AND NOT tg.tgisinternal AND ${notExt('pg_trigger', 'tg.oid')}`,
  // Comments on relations and their columns.
  `SELECT 'comment', CASE WHEN d.objsubid > 0 THEN 'column' ELSE c.relkind::text END, c.relname, d.description,
     json_build_object('column', a.attname::text, 'relkind', c.relkind::text), NULL
   FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
   LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
   WHERE ${REL} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'f') AND NOT c.relispartition AND ${notExt('pg_class', 'c.oid')}`,
  // Comments on functions, enums and domains.
  `SELECT 'comment', CASE WHEN p.prokind = 'p' THEN 'procedure' ELSE 'function' END, ${fnName('p')}, d.description,
     json_build_object('name', p.proname::text, 'args', pg_get_function_identity_arguments(p.oid)), NULL
   FROM pg_description d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid
   WHERE p.pronamespace = ${NS} AND p.prokind IN ('f', 'p') AND ${notExt('pg_proc', 'p.oid')}`,
  `SELECT 'comment', CASE t.typtype WHEN 'e' THEN 'type' ELSE 'domain' END, t.typname, d.description, NULL, NULL
   FROM pg_description d JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid
   WHERE t.typnamespace = ${NS} AND t.typtype IN ('e', 'd') AND ${notExt('pg_type', 't.oid')}`,
  // What Evolve does not model.
  `SELECT 'unmanaged:rule', r.rulename, c.relname, NULL, NULL, NULL FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
   WHERE ${REL} AND r.rulename <> '_RETURN' AND ${notExt('pg_rewrite', 'r.oid')}`,
  `SELECT 'unmanaged:policy', p.polname, c.relname, NULL, NULL, NULL FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE ${REL}`,
  `SELECT 'unmanaged:' || CASE t.typtype WHEN 'c' THEN 'composite type' WHEN 'r' THEN 'range type' ELSE 'base type' END, t.typname, NULL, NULL, NULL, NULL
   FROM pg_type t WHERE t.typnamespace = ${NS} AND (t.typtype IN ('r', 'b') AND t.typelem = 0 OR t.typtype = 'c' AND
     (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') AND ${notExt('pg_type', 't.oid')}`,
  `SELECT 'unmanaged:' || CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'window function' END, ${fnName('p')}, NULL, NULL, NULL, NULL
   FROM pg_proc p WHERE p.pronamespace = ${NS} AND p.prokind IN ('a', 'w') AND ${notExt('pg_proc', 'p.oid')}`,
  `SELECT 'unmanaged:' || CASE WHEN c.relkind = 'f' THEN 'foreign table' ELSE 'partition' END, c.relname,
     (SELECT pc.relname FROM pg_inherits h JOIN pg_class pc ON pc.oid = h.inhparent WHERE h.inhrelid = c.oid LIMIT 1), NULL, NULL, NULL
   FROM pg_class c WHERE ${REL} AND (c.relkind = 'f' OR c.relispartition AND c.relkind IN ('r', 'p')) AND ${notExt('pg_class', 'c.oid')}`,
  `SELECT 'unmanaged:exclusion constraint', x.conname, c.relname, NULL, NULL, NULL
   FROM pg_constraint x JOIN pg_class c ON c.oid = x.conrelid WHERE ${REL} AND x.contype = 'x'`,
  `SELECT 'unmanaged:publication', p.pubname, c.relname, NULL, NULL, NULL
   FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid JOIN pg_class c ON c.oid = pr.prrelid WHERE ${REL}`,
  `SELECT 'unmanaged:event trigger', et.evtname, NULL, NULL, NULL, NULL
   FROM pg_event_trigger et JOIN pg_proc p ON p.oid = et.evtfoid WHERE p.pronamespace = ${NS}`,
];

/** Every object of schema $1, one row each. */
export const OBJECTS_SQL = PARTS.join('\nUNION ALL\n');
