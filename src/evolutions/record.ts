/**
 * `evolve record`: store the pending generated change (live → models) as a reviewable SQL
 * evolution with its generated revert, add the new fingerprint to the known list, snapshot
 * both states and re-sign the directory.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColumnType, DefaultValue, ForeignKeyIR, SchemaIR, TableIR } from '../ir/schema.js';
import { assertNever } from '../errors.js';
import type { Diff } from '../diff/differ.js';
import { describeChange } from '../diff/changes.js';
import type { Dialect } from '../dialects/dialect.js';
import type { Hazard, Plan } from '../plan/plan.js';
import { describeHazard } from '../plan/describe.js';
import { commentLine } from '../ir/names.js';
import { EVOLUTION_FILE, FINGERPRINTS_FILE } from './format.js';
import { writeSnapshot } from './snapshots.js';
import { writeSum } from './checksum.js';
import { signedFiles } from './load.js';

/** The live schema annotated with the reverse of the renames `forward` used, so diffing models → live plans the renames back. */
export function reverseTarget(forward: Diff): SchemaIR {
  const tables: TableIR[] = forward.from.tables.map((t) => {
    const tr = forward.renames.find((r) => r.kind === 'table' && r.from === t.name);
    const target = tr ? tr.to : t.name;
    const columns = t.columns.map((c) => {
      const cr = forward.renames.find((r) => r.kind === 'column' && r.table === target && r.from === c.name);
      return cr ? { ...c, aka: [cr.to] } : c;
    });
    return { ...t, columns, ...(tr ? { aka: [tr.to] } : {}) };
  });
  return { ...forward.from, tables };
}

/**
 * A value every row can hold in a NOT NULL column of this type: what a revert puts in a
 * column the forward change dropped (its values are gone). Null for a type Evolve does not model.
 */
export function placeholderValue(type: ColumnType): DefaultValue | null {
  switch (type.kind) {
    case 'integer': case 'bigint': case 'real': case 'decimal': return { kind: 'value', value: 0 };
    case 'text': case 'varchar': case 'bytes': return { kind: 'value', value: '' };
    case 'boolean': return { kind: 'value', value: false };
    case 'date': return { kind: 'value', value: '1970-01-01' };
    case 'timestamp': return { kind: 'value', value: '1970-01-01 00:00:00' };
    case 'json': return { kind: 'value', value: '{}' };
    case 'uuid': return { kind: 'value', value: '00000000-0000-0000-0000-000000000000' };
    case 'raw': return null;
    default: return assertNever(type);
  }
}

/**
 * The schema the forward change leaves behind: its target, with every foreign key the change
 * kept (the same columns, reference and actions, after renames) under its live name. A
 * database keeps a key's name when it carries the key along (a renamed table; MySQL's drop and
 * re-add around a column's type change), and the revert must name the key as it is.
 */
export function afterForward(forward: Diff): SchemaIR {
  const live = new Map(forward.from.tables.map((t) => [t.name, t]));
  const targetOfLive = new Map([...forward.liveName].map(([target, l]) => [l, target]));
  const renamed = (table: string, column: string): string =>
    forward.renames.find((r) => r.kind === 'column' && r.table === table && r.from === column)?.to ?? column;
  const signature = (f: ForeignKeyIR, columns: readonly string[], refTable: string, refColumns: readonly string[]): string =>
    JSON.stringify([columns, refTable, refColumns, f.onDelete, f.onUpdate]);
  const tables = forward.to.tables.map((t) => {
    const old = live.get(forward.liveName.get(t.name) ?? '');
    if (!old?.foreignKeys.length || !t.foreignKeys.length) return t;
    const names = new Map(old.foreignKeys.map((f) => {
      const refTable = targetOfLive.get(f.refTable) ?? f.refTable;
      return [signature(f, f.columns.map((c) => renamed(t.name, c)), refTable, f.refColumns.map((c) => renamed(refTable, c))), f.name] as const;
    }));
    return {
      ...t,
      foreignKeys: t.foreignKeys.map((g) => {
        const name = names.get(signature(g, g.columns, g.refTable, g.refColumns));
        return name !== undefined && name !== g.name ? { ...g, name } : g;
      }),
    };
  });
  return { ...forward.to, tables };
}

/** A recorded revert: its plan, and what the file should say about values it cannot bring back. */
export interface RevertPlan { readonly plan: Plan; readonly notes: readonly string[] }

const withoutAka = (s: SchemaIR): SchemaIR => ({
  ...s, tables: s.tables.map(({ aka: _t, ...t }) => ({ ...t, columns: t.columns.map(({ aka: _c, ...c }) => c) })),
});

/**
 * The revert plan of a forward diff. A NOT NULL column without a default that the forward
 * change dropped comes back filled with a placeholder ({@link placeholderValue}): added with
 * it as a default, which a second step removes — so the revert works on a table with rows
 * and still reaches the old fingerprint. The notes say which columns, for the file's reader.
 */
export function revertPlan(dialect: Dialect, forward: Diff): RevertPlan {
  const target = reverseTarget(forward);
  const after = afterForward(forward);
  const back = dialect.diff(after, target);
  const fill = new Map<string, DefaultValue>();
  for (const c of back.changes) {
    if (c.kind !== 'addColumn' || c.column.nullable || c.column.default !== null || c.column.autoIncrement || c.column.generated) continue;
    const value = placeholderValue(c.column.type);
    if (value) fill.set(`${c.table}\u0000${c.column.name}`, value);
  }
  // A foreign key the revert puts back onto a table whose referenced rows the forward change
  // dropped (the referenced table comes back empty): the revert cannot change the referencing
  // values without consent, so say it fails while any is set.
  const created = new Set(back.changes.flatMap((c) => (c.kind === 'createTable' ? [c.table.name] : [])));
  const dangling = back.changes.flatMap((c) => (c.kind === 'addForeignKey' && created.has(c.foreignKey.refTable) && !created.has(c.table)
    ? [`${c.table}(${c.foreignKey.columns.join(', ')}) references ${c.foreignKey.refTable}, which comes back empty (this evolution dropped its rows): ` +
      `the revert fails while ${c.table}.${c.foreignKey.columns.join(', ')} hold values; ` +
      `set them NULL, delete those rows or restore ${c.foreignKey.refTable}'s rows first`]
    : []));
  if (fill.size === 0) return { plan: dialect.plan(back), notes: dangling };
  const filled: SchemaIR = {
    ...target,
    tables: target.tables.map((t) => ({
      ...t, columns: t.columns.map((c) => { const v = fill.get(`${t.name}\u0000${c.name}`); return v ? { ...c, default: v } : c; }),
    })),
  };
  const first = dialect.plan(dialect.diff(after, filled));
  const second = dialect.plan(dialect.diff(withoutAka(filled), withoutAka(target)));
  const notes = [...fill].map(([key, v]) => {
    const [table, column] = key.split('\u0000');
    return `${table}.${column} comes back NOT NULL but its values were dropped: every row gets ${JSON.stringify(v.kind === 'value' ? v.value : v.sql)}`;
  }).concat(dangling);
  return {
    plan: {
      ...first,
      changes: [...first.changes, ...second.changes],
      statements: [...first.statements, ...second.statements],
      hazards: [...first.hazards, ...second.hazards],
      checks: [...first.checks, ...second.checks],
      foreignKeysOff: first.foreignKeysOff || second.foreignKeysOff,
    },
    notes,
  };
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 48) || 'evolution';
}

/**
 * Render an evolution file. Every comment line is one line whatever the names, expressions and
 * notes it quotes hold ({@link commentLine}): no text can end a comment and become a statement.
 */
export function evolutionText(
  from: string, to: string, forward: Plan, revertOf: RevertPlan, hazards: readonly Hazard[], note: string, allowDataLoss = false,
): string {
  const revert = revertOf.plan;
  const comment = (prefix: string, text: string): string => `${prefix}${commentLine(text)}`;
  const lines = [`-- evolve:from ${from}`, `-- evolve:to ${to}`];
  if (forward.foreignKeysOff || revert.foreignKeysOff) lines.push('-- evolve:foreign-keys off');
  // The consent `record --allow-data-loss` gave: apply runs the steps that lose data (the hazards below) without the flag.
  if (allowDataLoss) lines.push('-- evolve:allow-data-loss');
  lines.push(comment('-- ', note));
  for (const c of forward.changes) lines.push(comment('--   ', describeChange(c)));
  for (const h of hazards) lines.push(comment('-- hazard: ', describeHazard(h)));
  lines.push('');
  for (const s of forward.statements) lines.push(`${s.sql};`);
  lines.push('', '-- evolve:revert');
  for (const c of revert.changes) lines.push(comment('--   ', describeChange(c)));
  for (const n of revertOf.notes) lines.push(comment('-- note: ', n));
  for (const s of revert.statements) lines.push(`${s.sql};`);
  return lines.join('\n') + '\n';
}

/** Append to `fingerprints.txt` (created when missing) those of `fps` it does not list yet, in order. */
export function addKnown(dir: string, fps: readonly string[]): void {
  const fpPath = join(dir, FINGERPRINTS_FILE);
  const known = existsSync(fpPath)
    ? readFileSync(fpPath, 'utf8')
    : '# Known schema fingerprints, oldest first. Evolve appends to this list; never reorder it.\n';
  const list = known.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
  let text = known.endsWith('\n') ? known : known + '\n';
  for (const fp of fps) if (!list.includes(fp)) { text += fp + '\n'; list.push(fp); }
  writeFileSync(fpPath, text);
}

/** Write a recorded evolution into `dir`; returns the file name. */
export function writeRecorded(
  dir: string, args: { name?: string; from: SchemaIR; to: SchemaIR; fromFp: string; toFp: string; text: string; firstChange: string },
): string {
  mkdirSync(dir, { recursive: true });
  const numbers = existsSync(dir) ? readdirSync(dir).map((n) => EVOLUTION_FILE.exec(n)).filter((m) => m !== null).map((m) => Number(m![1])) : [];
  const next = (numbers.length ? Math.max(...numbers) : 0) + 1;
  const file = `${String(next).padStart(4, '0')}-${slug(args.name ?? args.firstChange)}.sql`;
  writeFileSync(join(dir, file), args.text);
  addKnown(dir, [args.fromFp, args.toFp]);
  writeSnapshot(dir, args.from);
  writeSnapshot(dir, args.to);
  writeSum(dir, signedFiles(dir));
  return file;
}
