/**
 * PostgreSQL objects built from catalog data rather than a deparsed definition: aggregates
 * (CREATE AGGREGATE from pg_aggregate), collations (CREATE COLLATION from pg_collation),
 * composite types (CREATE TYPE … AS from their attributes) and exclusion constraints
 * (pg_get_constraintdef, added to their table). Names and definitions never name the primary
 * schema (`strip` removes it).
 */
import type { ObjectIR } from '../../ir/schema.js';
import { postgresSql, qualifiedIdent } from './sql-builder.js';

const q = postgresSql.ident;
const qt = qualifiedIdent;
const lit = postgresSql.literal;

/** A quoted function signature: `"f"(integer, text)`. */
const signature = (name: string, args: string): string => `${qt(name)}(${args})`;

/** What `CREATE AGGREGATE` says, as the catalog query reads it. */
interface AggregateData {
  name: string; args: string; sfunc: string; stype: string; sspace: number; finalfunc: string | null; finalExtra: boolean;
  finalModify: string | null; combinefunc: string | null; serialfunc: string | null; deserialfunc: string | null; initcond: string | null;
  msfunc: string | null; minvfunc: string | null; mstype: string | null; msspace: number; mfinalfunc: string | null;
  mfinalExtra: boolean; mfinalModify: string | null; minitcond: string | null; sortop: string | null; parallel: string;
}

const MODIFY: Record<string, string> = { r: 'READ_ONLY', s: 'SHAREABLE', w: 'READ_WRITE' };
const PARALLEL: Record<string, string> = { s: 'SAFE', r: 'RESTRICTED' };

/** CREATE AGGREGATE for an aggregate's catalog data (every option that is not the default), names without `schema`. */
export function createAggregateSql(a: AggregateData, strip: (text: string) => string): string {
  const fn = strip;
  const opts = [`SFUNC = ${fn(a.sfunc)}`, `STYPE = ${strip(a.stype)}`];
  if (a.sspace) opts.push(`SSPACE = ${a.sspace}`);
  if (a.finalfunc) opts.push(`FINALFUNC = ${fn(a.finalfunc)}`);
  if (a.finalExtra) opts.push('FINALFUNC_EXTRA');
  if (a.finalModify && a.finalModify !== 'r') opts.push(`FINALFUNC_MODIFY = ${MODIFY[a.finalModify] ?? a.finalModify}`);
  if (a.combinefunc) opts.push(`COMBINEFUNC = ${fn(a.combinefunc)}`);
  if (a.serialfunc) opts.push(`SERIALFUNC = ${fn(a.serialfunc)}`);
  if (a.deserialfunc) opts.push(`DESERIALFUNC = ${fn(a.deserialfunc)}`);
  if (a.initcond !== null) opts.push(`INITCOND = ${lit(a.initcond)}`);
  if (a.msfunc) opts.push(`MSFUNC = ${fn(a.msfunc)}`);
  if (a.minvfunc) opts.push(`MINVFUNC = ${fn(a.minvfunc)}`);
  if (a.mstype) opts.push(`MSTYPE = ${strip(a.mstype)}`);
  if (a.msspace) opts.push(`MSSPACE = ${a.msspace}`);
  if (a.mfinalfunc) opts.push(`MFINALFUNC = ${fn(a.mfinalfunc)}`);
  if (a.mfinalExtra) opts.push('MFINALFUNC_EXTRA');
  if (a.mstype && a.mfinalModify && a.mfinalModify !== 'r') opts.push(`MFINALFUNC_MODIFY = ${MODIFY[a.mfinalModify] ?? a.mfinalModify}`);
  if (a.minitcond !== null) opts.push(`MINITCOND = ${lit(a.minitcond)}`);
  // An operator's name is operator characters only (+-*/<>=~!@#%^&|`?, never `--` or `/*`): nothing to quote.
  if (a.sortop) opts.push(`SORTOP = ${a.sortop}`);
  if (PARALLEL[a.parallel]) opts.push(`PARALLEL = ${PARALLEL[a.parallel]}`);
  return `CREATE AGGREGATE ${signature(strip(a.name), strip(a.args) || '*')} (\n  ${opts.join(',\n  ')}\n)`;
}

/** CREATE COLLATION for a `pg_collation` row (as JSON: its columns vary with the server's version). */
export function createCollationSql(name: string, c: Record<string, unknown>): string {
  const str = (k: string): string | null => (typeof c[k] === 'string' && c[k] !== '' ? c[k] as string : null);
  const provider = ({ i: 'icu', c: 'libc', b: 'builtin', d: 'default' } as Record<string, string>)[String(c.collprovider)] ?? String(c.collprovider);
  const opts = [`provider = ${provider}`];
  const icu = str('colllocale') ?? str('colliculocale');
  if (provider === 'libc') {
    const collate = str('collcollate');
    const ctype = str('collctype');
    if (collate !== null && collate === ctype) opts.push(`locale = ${lit(collate)}`);
    else {
      if (collate !== null) opts.push(`lc_collate = ${lit(collate)}`);
      if (ctype !== null) opts.push(`lc_ctype = ${lit(ctype)}`);
    }
  } else {
    const locale = icu ?? str('collcollate');
    if (locale !== null) opts.push(`locale = ${lit(locale)}`);
  }
  if (str('collicurules') !== null) opts.push(`rules = ${lit(str('collicurules')!)}`);
  if (c.collisdeterministic === false) opts.push('deterministic = false');
  return `CREATE COLLATION ${qt(name)} (${opts.join(', ')})`;
}

/** The object of one catalog row of kind `composite`, `exclusion`, `aggregate` or `collation`. */
export function catalogObject(kind: 'composite' | 'exclusion' | 'aggregate' | 'collation', name: string, table: string | null, def: string,
  data: Record<string, unknown> | null, strip: (text: string) => string, deps: { dependsOn?: string[] }): ObjectIR {
  switch (kind) {
    case 'composite': {
      const attrs = ((data as unknown as unknown[] | null) ?? []) as [string, string, string | null][];
      const body = attrs.map(([n, t, c]) => `${q(n)} ${strip(t)}${c ? ` COLLATE ${q(c)}` : ''}`).join(', ');
      const create = `CREATE TYPE ${qt(name)} AS (${body})`;
      return { kind, name, table: null, definition: create, create: [create], drop: [`DROP TYPE ${qt(name)}`], ...deps };
    }
    case 'exclusion': {
      const con = q(String(data?.name));
      return {
        kind, name, table, definition: def, create: [`ALTER TABLE ${qt(table!)} ADD CONSTRAINT ${con} ${def}`],
        drop: [`ALTER TABLE ${qt(table!)} DROP CONSTRAINT ${con}`], ...deps,
      };
    }
    case 'aggregate': {
      const a = data as unknown as AggregateData;
      const create = createAggregateSql(a, strip);
      const drop = `DROP AGGREGATE ${signature(strip(a.name), strip(a.args) || '*')}`;
      return { kind, name, table: null, definition: create, create: [create], drop: [drop], ...deps };
    }
    case 'collation': {
      const create = createCollationSql(name, data ?? {});
      return { kind, name, table: null, definition: create, create: [create], drop: [`DROP COLLATION ${qt(name)}`], ...deps };
    }
  }
}
