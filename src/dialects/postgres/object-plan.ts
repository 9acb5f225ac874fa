/**
 * Planning in-place changes of PostgreSQL objects whose statements depend on the live object
 * as well as the target: enums (values added where they belong, values renamed where the SQL
 * file declares it with `-- evolve:aka`, a removed value refused), domains (only what differs altered) and functions (CREATE OR
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

/**
 * An enum's values: renamed where the file declares it (`'fine', -- evolve:aka ok` — renames
 * are never guessed, a replaced value is a removed one), then added in place; a removed or
 * reordered value is refused.
 */
function enumSql(c: ReplaceObject): { sql: string[]; hazards: Hazard[] } {
  const live = parse<string[]>(c.from);
  const to = parse<string[]>(c.to);
  if (!live || !to) return { sql: [...objectStatements(c)], hazards: [] };
  const name = c.to.name;
  const renames: string[] = [];
  const renamed = new Map<string, string>(); // former → new
  for (const [value, former] of Object.entries(c.to.aka ?? {})) {
    if (live.includes(value)) continue;
    const old = former.find((f) => live.includes(f) && !to.includes(f) && !renamed.has(f));
    if (old === undefined) continue;
    renamed.set(old, value);
    renames.push(`ALTER TYPE ${q(name)} RENAME VALUE ${lit(old)} TO ${lit(value)}`);
  }
  const from = live.map((l) => renamed.get(l) ?? l);
  const removed = from.filter((l) => !to.includes(l));
  const added = to.filter((l) => !from.includes(l));
  const refuse = (message: string): { sql: string[]; hazards: Hazard[] } => ({
    sql: [],
    hazards: [{
      code: HazardCode.EnumValueRemoved, severity: 'error', table: name, column: null, rows: null, allowable: false, message,
      fix: added.length && removed.length
        ? `if '${removed[0]}' was renamed to ${added.length === 1 ? `'${added[0]}'` : 'a new value'}, ` +
          `declare it on the new value's line: '${added[0]}', -- evolve:aka ${removed[0]}; else keep the enum's values and add new ones`
        : `keep the enum's values (in their order) and add new ones, or migrate the columns of type ${name} to a new type by hand`,
    }],
  });
  if (removed.length) {
    return refuse(`enum type ${name} would lose value${removed.length > 1 ? 's' : ''} ${removed.map((l) => `'${l}'`).join(', ')}; ` +
      'PostgreSQL cannot remove an enum value in place (renames are never guessed)');
  }
  const kept = to.filter((l) => from.includes(l));
  if (kept.some((l, i) => l !== from[i])) return refuse(`enum type ${name} would reorder its values; PostgreSQL cannot reorder enum values in place`);
  return { sql: [...renames, ...addEnumValuesSql(name, to, from)], hazards: [] };
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
