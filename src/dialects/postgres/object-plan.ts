/**
 * Planning in-place changes of PostgreSQL objects whose statements depend on the live object
 * as well as the target: enums (values added where they belong, a single value renamed, a
 * removed value refused), domains (only what differs altered) and functions (CREATE OR
 * REPLACE cannot change a return type: drop and create instead).
 */
import type { Change } from '../../diff/changes.js';
import type { ObjectIR } from '../../ir/schema.js';
import { objectStatements } from '../../plan/object-statements.js';
import { HazardCode, type Hazard } from '../../plan/plan.js';
import { addEnumValuesSql, alterDomainSql, type DomainData } from './objects.js';
import { postgresSql, qualifiedIdent } from './sql-builder.js';

type ReplaceObject = Extract<Change, { kind: 'replaceObject' }>;

const q = qualifiedIdent;
const lit = postgresSql.literal;

function parse<T>(o: ObjectIR): T | null {
  try { return JSON.parse(o.definition) as T; } catch { return null; }
}

function enumSql(c: ReplaceObject): { sql: string[]; hazards: Hazard[] } {
  const from = parse<string[]>(c.from);
  const to = parse<string[]>(c.to);
  if (!from || !to) return { sql: [...objectStatements(c)], hazards: [] };
  const name = c.to.name;
  const removed = from.filter((l) => !to.includes(l));
  const refuse = (message: string): { sql: string[]; hazards: Hazard[] } => ({
    sql: [],
    hazards: [{
      code: HazardCode.EnumValueRemoved, severity: 'error', table: name, column: null, rows: null, allowable: false, message,
      fix: `keep the enum's values (in their order) and add new ones, or migrate the columns of type ${name} to a new type by hand`,
    }],
  });
  if (removed.length === 1 && from.length === to.length) {
    const at = from.findIndex((l, i) => l !== to[i]);
    const same = from.every((l, i) => i === at || l === to[i]);
    if (same && !from.includes(to[at]!)) return { sql: [`ALTER TYPE ${q(name)} RENAME VALUE ${lit(from[at]!)} TO ${lit(to[at]!)}`], hazards: [] };
  }
  if (removed.length) return refuse(`enum type ${name} would lose value${removed.length > 1 ? 's' : ''} ${removed.map((l) => `'${l}'`).join(', ')}; PostgreSQL cannot remove an enum value in place`);
  const kept = to.filter((l) => from.includes(l));
  if (kept.some((l, i) => l !== from[i])) return refuse(`enum type ${name} would reorder its values; PostgreSQL cannot reorder enum values in place`);
  return { sql: addEnumValuesSql(name, to, from), hazards: [] };
}

const returns = (def: string): string | null => /^\s*RETURNS\s+(.*)$/m.exec(def)?.[1]?.trim() ?? null;

/** SQL (and static hazards) for replacing a live object with its target definition. */
export function replaceObjectSql(c: ReplaceObject): { sql: string[]; hazards: Hazard[] } {
  switch (c.to.kind) {
    case 'enum': return enumSql(c);
    case 'domain': {
      const from = parse<DomainData>(c.from);
      const to = parse<DomainData>(c.to);
      if (!from || !to || from.type !== to.type || from.collation !== to.collation) return { sql: [...c.from.drop, ...c.to.create], hazards: [] };
      return { sql: alterDomainSql(c.to.name, from, to), hazards: [] };
    }
    case 'function':
      // CREATE OR REPLACE cannot change what a function returns.
      if (returns(c.from.definition) !== returns(c.to.definition)) return { sql: [...c.from.drop, ...c.to.create], hazards: [] };
      return { sql: [...objectStatements(c)], hazards: [] };
    default: return { sql: [...objectStatements(c)], hazards: [] };
  }
}
