/**
 * The catalog query behind PostgreSQL objects beyond tables: one round trip, whatever the
 * number of objects, returning one row per object (`kind`, `name`, `tbl`, `def`, `data`,
 * `deps`, `nsp`) for the managed schemas ($1, a text array: the primary schema first, then
 * the extra ones). Names of an extra schema's objects (and of what they depend on) come back
 * qualified, `schema.name`; the primary schema's stay unqualified. Objects that belong to an extension (pg_depend deptype 'e')
 * are never listed; what Evolve does not model comes back with kind `unmanaged:<what>`.
 * The query holds only the parts that can find something ({@link objectsSql}), as told by a
 * cheap probe ({@link HAVE}, read with the tables' oids in the introspector's first query):
 * planning the twenty-odd parts cost more than running them, on a schema that has few kinds
 * of object.
 */

/** The managed schemas' oids (use as `x IN ${NS}`). */
export const NS = `(SELECT oid FROM pg_namespace WHERE nspname = ANY($1::text[]))`;

/** The primary schema's oid. */
const PRIMARY = `(SELECT oid FROM pg_namespace WHERE nspname = ($1::text[])[1])`;

/** The name of the schema `ns` (an oid). */
const nspOf = (ns: string): string => `(SELECT nspname::text FROM pg_namespace WHERE oid = ${ns})`;

/** `name` as the IR names it: as it is in the primary schema, `schema.name` in an extra one. */
export const qual = (ns: string, name: string): string =>
  `(CASE WHEN ${ns} = ${PRIMARY} THEN '' ELSE ${nspOf(ns)} || '.' END || ${name})`;

/** Not a member of an extension: `cls` is the catalog, `oid` the object. */
const notExt = (cls: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${cls}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

/** A function's key name: `f(argument types)`. */
const fnName = (p: string): string => `${p}.proname || '(' || pg_get_function_identity_arguments(${p}.oid) || ')'`;

/** The object key of function `p`: `function:f(…)`, or `aggregate:f(…)` for an aggregate. */
const fnKey = (p: string): string => `CASE ${p}.prokind WHEN 'a' THEN 'aggregate:' ELSE 'function:' END || ${qual(`${p}.pronamespace`, fnName(p))}`;

/** A function's name as regproc text (unqualified where search_path finds it), or NULL for none. */
const regproc = (oid: string): string => `CASE WHEN ${oid} <> 0 THEN ${oid}::regproc::text END`;

/** Keys (`table:t`, `view:v`, `function:f(…)`, …) of what the rewrite rules of relation `rel` read. */
const viewDeps = (rel: string): string => `(SELECT coalesce(json_agg(DISTINCT k.key), '[]') FROM (
  SELECT CASE d.refclassid
    WHEN 'pg_class'::regclass THEN (SELECT CASE x.relkind WHEN 'v' THEN 'view:' WHEN 'm' THEN 'materializedView:' WHEN 'S' THEN 'sequence:' ELSE 'table:' END
        || ${qual('x.relnamespace', 'x.relname')}
      FROM pg_class x WHERE x.oid = d.refobjid AND x.relnamespace IN ${NS} AND x.relkind IN ('r', 'p', 'v', 'm', 'S'))
    WHEN 'pg_proc'::regclass THEN (SELECT ${fnKey('x')}
      FROM pg_proc x WHERE x.oid = d.refobjid AND x.pronamespace IN ${NS})
    WHEN 'pg_type'::regclass THEN (SELECT CASE x.typtype WHEN 'e' THEN 'enum:' ELSE 'domain:' END || ${qual('x.typnamespace', 'x.typname')}
      FROM pg_type x WHERE x.oid = d.refobjid AND x.typnamespace IN ${NS} AND x.typtype IN ('e', 'd'))
  END AS key
  FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refobjid <> ${rel}
  WHERE r.ev_class = ${rel}) k WHERE k.key IS NOT NULL)`;

/**
 * Keys of what a function (or a domain's check) `obj` of catalog `cls` depends on, from pg_depend:
 * the row types of tables and views in its signature (`RETURNS SETOF customer`), enums and
 * domains, the relations and functions a `BEGIN ATOMIC` body or a check reads.
 */
const catalogDeps = (cls: string, obj: string): string => `(SELECT coalesce(json_agg(DISTINCT k.key), '[]') FROM (
  SELECT CASE d.refclassid
    WHEN 'pg_type'::regclass THEN (SELECT CASE
        WHEN x.typtype = 'e' THEN 'enum:' || ${qual('x.typnamespace', 'x.typname')}
        WHEN x.typtype = 'd' THEN 'domain:' || ${qual('x.typnamespace', 'x.typname')}
        WHEN x.typtype = 'c' THEN (SELECT CASE r.relkind WHEN 'v' THEN 'view:' WHEN 'm' THEN 'materializedView:' WHEN 'c' THEN 'composite:'
          ELSE 'table:' END || ${qual('r.relnamespace', 'r.relname')} FROM pg_class r WHERE r.oid = x.typrelid AND r.relkind IN ('r', 'p', 'v', 'm', 'c')) END
      FROM pg_type x WHERE x.oid = d.refobjid AND x.typnamespace IN ${NS})
    WHEN 'pg_class'::regclass THEN (SELECT CASE x.relkind WHEN 'v' THEN 'view:' WHEN 'm' THEN 'materializedView:' WHEN 'S' THEN 'sequence:' ELSE 'table:' END
        || ${qual('x.relnamespace', 'x.relname')}
      FROM pg_class x WHERE x.oid = d.refobjid AND x.relnamespace IN ${NS} AND x.relkind IN ('r', 'p', 'v', 'm', 'S'))
    WHEN 'pg_proc'::regclass THEN (SELECT ${fnKey('x')}
      FROM pg_proc x WHERE x.oid = d.refobjid AND x.pronamespace IN ${NS} AND x.oid <> ${obj})
    WHEN 'pg_collation'::regclass THEN (SELECT 'collation:' || ${qual('x.collnamespace', 'x.collname')}
      FROM pg_collation x WHERE x.oid = d.refobjid AND x.collnamespace IN ${NS})
  END AS key
  FROM pg_depend d WHERE d.classid = '${cls}'::regclass AND d.objid = ${obj} AND d.deptype = 'n') k WHERE k.key IS NOT NULL)`;

/** Relations of the managed schemas, Evolve's own left out. */
const REL = `c.relnamespace IN ${NS} AND c.relname NOT LIKE '\\_evolve%'`;

/**
 * The same (`c` not an index), found through pg_depend (every relation but an index, a TOAST
 * table or a composite type's depends on its schema): index lookups, where REL scans pg_class.
 */
const REL_DEP = `c.oid IN (SELECT d.objid FROM pg_depend d WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid IN ${NS}
    AND d.refobjsubid = 0 AND d.classid = 'pg_class'::regclass AND d.deptype = 'n') AND c.relname NOT LIKE '\\_evolve%'`;

/** A relation `c`'s name as the IR names it. */
const REL_NAME = qual('c.relnamespace', 'c.relname');

/**
 * Each part of the objects query, with the tokens of {@link PROBE_SQL}'s answer it needs to find
 * anything: a part none of whose tokens is present returns no rows, and is left out.
 */
const PARTS: [readonly string[], string][] = [
  // Extensions installed in the schema (plpgsql is always there, in pg_catalog anyway).
  [['ext'], `SELECT 'extension' AS kind, x.extname::text AS name, NULL::text AS tbl, x.extname::text AS def, NULL::json AS data, NULL::json AS deps,
     ${nspOf('x.extnamespace')} AS nsp
   FROM pg_extension x WHERE x.extnamespace IN ${NS} AND x.extname <> 'plpgsql'`],
  // The extra schemas themselves (the primary one is the scope, not an object).
  [['schema'], `SELECT 'schema', n.nspname::text, NULL, NULL, NULL, NULL, n.nspname::text
   FROM pg_namespace n WHERE n.oid IN ${NS} AND n.nspname <> ($1::text[])[1]`],
  // Enums: labels in order.
  [['typ:e'], `SELECT 'enum', ${qual('t.typnamespace', 't.typname')}, NULL, NULL,
     (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), NULL, ${nspOf('t.typnamespace')}
   FROM pg_type t WHERE t.typnamespace IN ${NS} AND t.typtype = 'e' AND ${notExt('pg_type', 't.oid')}`],
  // Composite types (CREATE TYPE … AS (…), not a table's row type): attributes in order, with their collations.
  [['typ:c'], `SELECT 'composite', ${qual('t.typnamespace', 't.typname')}, NULL, NULL,
     (SELECT coalesce(json_agg(json_build_array(a.attname::text, format_type(a.atttypid, a.atttypmod),
        CASE WHEN a.attcollation <> 0 AND a.attcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = a.atttypid)
          THEN (SELECT collname::text FROM pg_collation WHERE oid = a.attcollation) END) ORDER BY a.attnum), '[]')
      FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped),
     ${catalogDeps('pg_class', 't.typrelid')}, ${nspOf('t.typnamespace')}
   FROM pg_type t WHERE t.typnamespace IN ${NS} AND t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'
     AND ${notExt('pg_type', 't.oid')}`],
  // Domains: base type, NOT NULL, default, collation, checks.
  [['typ:d'], `SELECT 'domain', ${qual('t.typnamespace', 't.typname')}, NULL, NULL, json_build_object(
     'type', format_type(t.typbasetype, t.typtypmod), 'notNull', t.typnotnull, 'default', t.typdefault,
     'collation', CASE WHEN t.typcollation <> 0 AND t.typcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)
       THEN (SELECT collname FROM pg_collation WHERE oid = t.typcollation) END,
     'checks', (SELECT coalesce(json_agg(json_build_array(c.conname, pg_get_constraintdef(c.oid)) ORDER BY c.conname), '[]')
       FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c')),
     (SELECT coalesce(json_agg(DISTINCT k.key), '[]') FROM pg_constraint c
       CROSS JOIN LATERAL json_array_elements_text(${catalogDeps('pg_constraint', 'c.oid')}) k(key)
       WHERE c.contypid = t.oid AND c.contype = 'c'), ${nspOf('t.typnamespace')}
   FROM pg_type t WHERE t.typnamespace IN ${NS} AND t.typtype = 'd' AND ${notExt('pg_type', 't.oid')}`],
  // Standalone sequences (not those an identity or serial column owns).
  [['rel:S'], `SELECT 'sequence', ${REL_NAME}, NULL, NULL, json_build_object('type', format_type(s.seqtypid, NULL), 'increment', s.seqincrement::text,
     'min', s.seqmin::text, 'max', s.seqmax::text, 'start', s.seqstart::text, 'cache', s.seqcache::text, 'cycle', s.seqcycle), NULL, ${nspOf('c.relnamespace')}
   FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid
   WHERE ${REL_DEP} AND c.relkind = 'S' AND ${notExt('pg_class', 'c.oid')} AND NOT EXISTS (
     SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
       AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i'))`],
  // Functions and procedures.
  [['pro:f', 'pro:p'], `SELECT 'function', ${qual('p.pronamespace', fnName('p'))}, NULL, pg_get_functiondef(p.oid),
     json_build_object('procedure', p.prokind = 'p',
     'args', pg_get_function_identity_arguments(p.oid), 'name', ${qual('p.pronamespace', 'p.proname::text')}), ${catalogDeps('pg_proc', 'p.oid')},
     ${nspOf('p.pronamespace')}
   FROM pg_proc p WHERE p.pronamespace IN ${NS} AND p.prokind IN ('f', 'p') AND ${notExt('pg_proc', 'p.oid')}
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'i')`],
  // Aggregates (plain ones: ordered-set and hypothetical ones are not managed): what CREATE AGGREGATE says.
  [['pro:a'], `SELECT 'aggregate', ${qual('p.pronamespace', fnName('p'))}, NULL, NULL, json_build_object(
     'name', ${qual('p.pronamespace', 'p.proname::text')}, 'args', pg_get_function_identity_arguments(p.oid),
     'sfunc', ${regproc('a.aggtransfn')}, 'stype', format_type(a.aggtranstype, NULL), 'sspace', a.aggtransspace,
     'finalfunc', ${regproc('a.aggfinalfn')}, 'finalExtra', a.aggfinalextra, 'finalModify', to_jsonb(a)->>'aggfinalmodify',
     'combinefunc', ${regproc('a.aggcombinefn')}, 'serialfunc', ${regproc('a.aggserialfn')}, 'deserialfunc', ${regproc('a.aggdeserialfn')},
     'initcond', a.agginitval, 'msfunc', ${regproc('a.aggmtransfn')}, 'minvfunc', ${regproc('a.aggminvtransfn')},
     'mstype', CASE WHEN a.aggmtranstype <> 0 THEN format_type(a.aggmtranstype, NULL) END, 'msspace', a.aggmtransspace,
     'mfinalfunc', ${regproc('a.aggmfinalfn')}, 'mfinalExtra', a.aggmfinalextra, 'mfinalModify', to_jsonb(a)->>'aggmfinalmodify',
     'minitcond', a.aggminitval, 'sortop', (SELECT o.oprname::text FROM pg_operator o WHERE o.oid = a.aggsortop), 'parallel', p.proparallel),
     ${catalogDeps('pg_proc', 'p.oid')}, ${nspOf('p.pronamespace')}
   FROM pg_proc p JOIN pg_aggregate a ON a.aggfnoid = p.oid
   WHERE p.pronamespace IN ${NS} AND p.prokind = 'a' AND a.aggkind = 'n' AND ${notExt('pg_proc', 'p.oid')}`],
  // Collations (CREATE COLLATION): the catalog row (its columns vary with the server's version).
  [['coll'], `SELECT 'collation', ${qual('co.collnamespace', 'co.collname')}, NULL, NULL, to_json(co), NULL, ${nspOf('co.collnamespace')}
   FROM pg_collation co WHERE co.collnamespace IN ${NS} AND ${notExt('pg_collation', 'co.oid')}`],
  // Views and materialized views.
  [['rel:v', 'rel:m'], `SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materializedView' END, ${REL_NAME}, NULL, pg_get_viewdef(c.oid, true), NULL,
     ${viewDeps('c.oid')}, ${nspOf('c.relnamespace')}
   FROM pg_class c WHERE ${REL_DEP} AND c.relkind IN ('v', 'm') AND ${notExt('pg_class', 'c.oid')}`],
  // Indexes of materialized views (those of tables come with the tables).
  [['rel:m'], `SELECT 'index', ${qual('c.relnamespace', 'ic.relname')}, ${REL_NAME}, pg_get_indexdef(i.indexrelid), NULL,
     json_build_array('materializedView:' || ${REL_NAME}), ${nspOf('c.relnamespace')}
   FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
   WHERE ${REL_DEP} AND c.relkind = 'm'`],
  // Triggers (not the internal ones behind foreign keys).
  [['trg'], `SELECT 'trigger', ${REL_NAME} || '.' || tg.tgname, ${REL_NAME}, pg_get_triggerdef(tg.oid), json_build_object('name', tg.tgname::text),
     (SELECT json_build_array('function:' || ${qual('p.pronamespace', fnName('p'))}) FROM pg_proc p WHERE p.oid = tg.tgfoid AND p.pronamespace IN ${NS}),
     ${nspOf('c.relnamespace')}
   FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
   WHERE ${REL_DEP} AND NOT tg.tgisinternal AND ${notExt('pg_trigger', 'tg.oid')}
     -- a partition's clone of its partitioned table's trigger is the parent's (deptype P)
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_trigger'::regclass AND d.objid = tg.oid AND d.deptype = 'P')`],
  // Comments on relations and their columns.
  [['crel'], `SELECT 'comment', CASE WHEN d.objsubid > 0 THEN 'column' ELSE c.relkind::text END, ${REL_NAME}, d.description,
     json_build_object('column', a.attname::text, 'relkind', c.relkind::text), NULL, ${nspOf('c.relnamespace')}
   FROM pg_description d JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND d.objoid = c.oid
   LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
   WHERE ${REL} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'f') AND ${notExt('pg_class', 'c.oid')}`],
  // Comments on functions, enums and domains.
  [['pro:f', 'pro:p'], `SELECT 'comment', CASE WHEN p.prokind = 'p' THEN 'procedure' ELSE 'function' END, ${qual('p.pronamespace', fnName('p'))}, d.description,
     json_build_object('name', ${qual('p.pronamespace', 'p.proname::text')}, 'args', pg_get_function_identity_arguments(p.oid)), NULL,
     ${nspOf('p.pronamespace')}
   FROM pg_description d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND d.objoid = p.oid
   WHERE p.pronamespace IN ${NS} AND p.prokind IN ('f', 'p') AND ${notExt('pg_proc', 'p.oid')}`],
  [['typ:e', 'typ:d', 'typ:c'], `SELECT 'comment', CASE t.typtype WHEN 'e' THEN 'type' WHEN 'c' THEN 'composite' ELSE 'domain' END,
     ${qual('t.typnamespace', 't.typname')}, d.description, NULL, NULL, ${nspOf('t.typnamespace')}
   FROM pg_description d JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = t.oid
   WHERE t.typnamespace IN ${NS} AND ${notExt('pg_type', 't.oid')}
     AND (t.typtype IN ('e', 'd') OR t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')`],
  // What Evolve does not model.
  [['rul'], `SELECT 'unmanaged:rule', r.rulename, ${REL_NAME}, NULL, NULL, NULL, NULL FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
   WHERE ${REL_DEP} AND r.rulename <> '_RETURN' AND ${notExt('pg_rewrite', 'r.oid')}`],
  // Attributes of a table Evolve creates but does not model: it would be created without them.
  [['rls'], `SELECT 'unmanaged:row level security', CASE WHEN c.relforcerowsecurity THEN 'forced' ELSE 'enabled' END, ${REL_NAME}, NULL, NULL, NULL, NULL
   FROM pg_class c WHERE ${REL_DEP} AND c.relkind IN ('r', 'p') AND c.relrowsecurity`],
  [['pol'], `SELECT 'unmanaged:policy', p.polname, ${REL_NAME}, NULL, NULL, NULL, NULL
   FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE ${REL_DEP}`],
  [['typ:r', 'typ:b'], `SELECT 'unmanaged:' || CASE t.typtype WHEN 'r' THEN 'range type' ELSE 'base type' END,
     ${qual('t.typnamespace', 't.typname')}, NULL, NULL, NULL, NULL, NULL
   FROM pg_type t WHERE t.typnamespace IN ${NS} AND t.typtype IN ('r', 'b') AND t.typelem = 0 AND ${notExt('pg_type', 't.oid')}`],
  [['pro:a', 'pro:w'], `SELECT 'unmanaged:' || CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'window function' END, ${qual('p.pronamespace', fnName('p'))},
     NULL, NULL, NULL, NULL, NULL
   FROM pg_proc p WHERE p.pronamespace IN ${NS} AND ${notExt('pg_proc', 'p.oid')}
     AND (p.prokind = 'w' OR p.prokind = 'a' AND (SELECT a.aggkind FROM pg_aggregate a WHERE a.aggfnoid = p.oid) <> 'n')`],
  [['rel:f'], `SELECT 'unmanaged:foreign table', ${REL_NAME}, NULL, NULL, NULL, NULL, NULL
   FROM pg_class c WHERE ${REL_DEP} AND c.relkind = 'f' AND ${notExt('pg_class', 'c.oid')}`],
  // Exclusion constraints (not a partition's copy of its parent's).
  [['exc'], `SELECT 'exclusion', ${REL_NAME} || '.' || x.conname, ${REL_NAME}, pg_get_constraintdef(x.oid), json_build_object('name', x.conname::text),
     NULL, ${nspOf('c.relnamespace')}
   FROM pg_constraint x JOIN pg_class c ON c.oid = x.conrelid WHERE ${REL_DEP} AND x.contype = 'x' AND x.conparentid = 0`],
  [['pub'], `SELECT 'unmanaged:publication', p.pubname, ${REL_NAME}, NULL, NULL, NULL, NULL
   FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid JOIN pg_class c ON c.oid = pr.prrelid WHERE ${REL_DEP}`],
  [['evt'], `SELECT 'unmanaged:event trigger', et.evtname, NULL, NULL, NULL, NULL, NULL
   FROM pg_event_trigger et JOIN pg_proc p ON p.oid = et.evtfoid WHERE p.pronamespace IN ${NS}`],
];

/** The row shape of the objects query (no row): a part's NULLs take their types from it. */
const HEAD = 'SELECT NULL::text AS kind, NULL::text AS name, NULL::text AS tbl, NULL::text AS def, NULL::json AS data, NULL::json AS deps, ' +
  'NULL::text AS nsp WHERE false';

/** Every object of the schemas $1 (text array, the primary one first), one row each. */
export const OBJECTS_SQL = [HEAD, ...PARTS.map(([, sql]) => sql)].join('\nUNION ALL\n');

/**
 * The relation `oid` is in a managed schema: looked up row by row of the (small, filtered)
 * catalog it is asked of — joined, the planner walks every relation of the schema instead and
 * probes the catalog for each, which costs milliseconds on a schema of thousands of tables.
 */
const relIn = (oid: string): string => `(SELECT c.relnamespace FROM pg_class c WHERE c.oid = ${oid}) IN ${NS}`;

/**
 * What the schemas $1 hold, found through their dependants in pg_depend (an index lookup) rather
 * than by scanning pg_class, pg_type and pg_proc (no index by schema): on a server of many
 * schemas (tests, scratch schemas) those scans cost the whole server's catalogs. Every relation
 * but an index (a TOAST table is in pg_toast), every type created as such (not a table's row
 * type, not an array type) and every function depends on its schema (deptype 'n').
 * `dep`: those objects (classid, objid); `rel`: the relations among them (oid, relkind, relname,
 * relrowsecurity, relispartition).
 */
export const REL_CTE = `dep AS MATERIALIZED (
  SELECT d.classid, d.objid FROM pg_depend d
  WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid IN ${NS} AND d.refobjsubid = 0 AND d.deptype = 'n'),
rel AS MATERIALIZED (
  SELECT c.oid, c.relkind, c.relname, c.relrowsecurity, c.relispartition FROM dep JOIN pg_class c ON c.oid = dep.objid
  WHERE dep.classid = 'pg_class'::regclass)`;

/**
 * What the schemas $1 hold that some part of the objects query reads, as tokens (`have`, a
 * text array; needs {@link REL_CTE}): `rel:<relkind>`, `typ:<typtype>` (types created as such),
 * `pro:<prokind>`, and `schema`, `ext`, `trg`, `crel` (comments on relations and indexes),
 * `rul`, `rls`, `pol`, `part` (a partition), `inh` (a table with a parent: a partition or an
 * INHERITS child), `coll` (a collation), `exc`, `pub`, `evt`. A token may be present when the part then
 * finds nothing (it filters further); never absent when it would find something. Cheap to plan
 * and run, unlike the whole objects query (a union of some twenty parts: most of its cost is
 * planning them, on a schema that has none of them).
 */
export const HAVE = `ARRAY(SELECT DISTINCT x FROM rel
    CROSS JOIN LATERAL unnest(ARRAY['rel:' || rel.relkind::text, CASE WHEN rel.relrowsecurity THEN 'rls' END, CASE WHEN rel.relispartition THEN 'part' END]) x
    WHERE (rel.relkind NOT IN ('r', 'i', 't') OR rel.relrowsecurity OR rel.relispartition) AND x IS NOT NULL)
  || ARRAY(SELECT DISTINCT 'typ:' || t.typtype::text FROM dep JOIN pg_type t ON t.oid = dep.objid WHERE dep.classid = 'pg_type'::regclass)
  || ARRAY(SELECT DISTINCT 'pro:' || p.prokind::text FROM dep JOIN pg_proc p ON p.oid = dep.objid WHERE dep.classid = 'pg_proc'::regclass)
  || ARRAY(SELECT 'schema' FROM pg_namespace n WHERE n.oid IN ${NS} AND n.nspname <> ($1::text[])[1] LIMIT 1)
  || ARRAY(SELECT 'ext' FROM pg_extension x WHERE x.extnamespace IN ${NS} AND x.extname <> 'plpgsql' LIMIT 1)
  || ARRAY(SELECT 'trg' FROM pg_trigger tg WHERE NOT tg.tgisinternal AND ${relIn('tg.tgrelid')} LIMIT 1)
  || ARRAY(SELECT 'inh' FROM pg_inherits h WHERE ${relIn('h.inhrelid')} LIMIT 1)
  || ARRAY(SELECT 'coll' FROM pg_collation co WHERE co.collnamespace IN ${NS} LIMIT 1)
  || ARRAY(SELECT 'rul' FROM pg_rewrite r WHERE r.rulename <> '_RETURN' AND ${relIn('r.ev_class')} LIMIT 1)
  || ARRAY(SELECT 'pol' FROM pg_policy p WHERE ${relIn('p.polrelid')} LIMIT 1)
  || ARRAY(SELECT 'exc' FROM pg_constraint x WHERE x.contype = 'x' AND x.connamespace IN ${NS} LIMIT 1)
  -- a comment on a table, view or index (an index is in its table's schema)
  || ARRAY(SELECT 'crel' FROM pg_description d WHERE d.classoid = 'pg_class'::regclass AND ${relIn('d.objoid')} LIMIT 1)
  || ARRAY(SELECT 'pub' FROM pg_publication_rel LIMIT 1)
  || ARRAY(SELECT 'evt' FROM pg_event_trigger LIMIT 1)`;

/** {@link HAVE} alone (one row, `have`). */
export const PROBE_SQL = `WITH ${REL_CTE}\nSELECT ${HAVE} AS have`;

/** The objects query with only the parts that can find something, given {@link PROBE_SQL}'s tokens; null: none can. */
export function objectsSql(have: ReadonlySet<string>): string | null {
  const parts = PARTS.filter(([needs]) => needs.some((t) => have.has(t))).map(([, sql]) => sql);
  return parts.length ? [HEAD, ...parts].join('\nUNION ALL\n') : null;
}
