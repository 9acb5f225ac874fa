/**
 * Snapshots: the normalised schema of each fingerprint `evolve record` has seen, stored as
 * JSON under `snapshots/`, so drift can be explained (what differs from the nearest known
 * state), not just detected.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SchemaIR, TableIR, ColumnIR } from '../ir/schema.js';
import { fingerprint } from '../ir/fingerprint.js';
import { diffSchemas } from '../diff/differ.js';
import { describeChange, type Change } from '../diff/changes.js';
import { attributes, COLUMN_ATTRIBUTES, FOREIGN_KEY_FIELDS, INDEX_FIELDS, type AttributeRule } from '../ir/fields.js';
import { SNAPSHOT_DIR } from './format.js';

const fileOf = (fp: string): string => `${fp.replace(':', '_')}.json`;

function strip(schema: SchemaIR): SchemaIR {
  const col = ({ aka: _a, ...c }: ColumnIR): ColumnIR => c;
  const tbl = ({ aka: _a, ...t }: TableIR): TableIR => ({ ...t, columns: t.columns.map(col) });
  return { ...schema, tables: schema.tables.map(tbl) };
}

/** Store the schema of `fp` (no-op when present). */
export function writeSnapshot(dir: string, schema: SchemaIR): string {
  const fp = fingerprint(schema);
  const sd = join(dir, SNAPSHOT_DIR);
  mkdirSync(sd, { recursive: true });
  const path = join(sd, fileOf(fp));
  if (!existsSync(path)) writeFileSync(path, JSON.stringify(strip(schema), null, 1) + '\n');
  return fp;
}

/** Every stored snapshot whose content still hashes to its name. */
export function readSnapshots(dir: string): Map<string, SchemaIR> {
  const out = new Map<string, SchemaIR>();
  const sd = join(dir, SNAPSHOT_DIR);
  if (!existsSync(sd)) return out;
  for (const name of readdirSync(sd)) {
    if (!name.endsWith('.json')) continue;
    try {
      const schema = JSON.parse(readFileSync(join(sd, name), 'utf8')) as SchemaIR;
      const fp = fingerprint(schema);
      if (fileOf(fp) === name) out.set(fp, schema);
    } catch { /* an unreadable snapshot only weakens drift reports */ }
  }
  return out;
}

/**
 * One line per difference of a column, index or foreign key matched on both sides: each
 * attribute of `rules` (src/ir/fields.ts) that differs, worded by its rule. Empty when no
 * attribute differs.
 */
function attributeLines<R>(at: string, rules: readonly AttributeRule<R>[], from: R, to: R): string[] {
  const lines: string[] = [];
  for (const rule of rules) if (!rule.same(from, to)) lines.push(`${at}: ${rule.describe(from, to)}`);
  return lines;
}

const INDEX_ATTRIBUTES = attributes(INDEX_FIELDS);
const FOREIGN_KEY_ATTRIBUTES = attributes(FOREIGN_KEY_FIELDS);

/**
 * One line per difference: table, column, attribute, old → new. A column change names every
 * attribute that differs (each as `COLUMN_FIELDS` words it); any other change is one line.
 */
export function describeDifference(c: Change): string[] {
  if (c.kind !== 'alterColumn') return [describeChange(c)];
  const lines = attributeLines(`${c.table}.${c.to.name}`, COLUMN_ATTRIBUTES, c.from, c.to);
  // The differ found a difference: never report none.
  return lines.length ? lines : [describeChange(c)];
}

type Dropped = Extract<Change, { kind: 'dropIndex' | 'dropForeignKey' }>;
type Added = Extract<Change, { kind: 'addIndex' | 'addForeignKey' }>;

/** What pairs a dropped index or key with an added one: the same index name, or a key on the same columns, of the same table. */
function pairKey(c: Dropped | Added): string {
  return c.kind === 'dropIndex' || c.kind === 'addIndex'
    ? JSON.stringify(['index', c.table, c.index.name])
    : JSON.stringify(['foreignKey', c.table, c.foreignKey.columns]);
}

/** The lines of a dropped index or key and the added one that replaces it, or null when no attribute differs. */
function pairLines(drop: Dropped, add: Added): string[] | null {
  let lines: string[];
  if (drop.kind === 'dropIndex' && add.kind === 'addIndex') {
    lines = attributeLines(`${add.table}: index ${add.index.name}`, INDEX_ATTRIBUTES, drop.index, add.index);
  } else if (drop.kind === 'dropForeignKey' && add.kind === 'addForeignKey') {
    const at = `${add.table}: foreign key (${add.foreignKey.columns.join(', ')})`;
    lines = attributeLines(at, FOREIGN_KEY_ATTRIBUTES, drop.foreignKey, add.foreignKey);
  } else return null;
  return lines.length ? lines : null;
}

/**
 * The lines of a diff's changes, for the drift report. An index or foreign key the differ drops
 * and adds again (it changes neither in place) is one change: its attributes, old → new. Objects
 * recreated only because a table they read changes are not differences, and are left out.
 */
export function describeDifferences(changes: readonly Change[]): string[] {
  const adds = new Map<string, Added[]>();
  for (const c of changes) {
    if (c.kind === 'addIndex' || c.kind === 'addForeignKey') {
      const k = pairKey(c);
      adds.set(k, [...(adds.get(k) ?? []), c]);
    }
  }
  const paired = new Set<Change>();
  const lines: string[] = [];
  for (const c of changes) {
    if (paired.has(c) || ((c.kind === 'createObject' || c.kind === 'dropObject') && c.reason)) continue;
    if (c.kind === 'dropIndex' || c.kind === 'dropForeignKey') {
      const add = adds.get(pairKey(c))?.find((a) => !paired.has(a));
      const pair = add ? pairLines(c, add) : null;
      if (add && pair) {
        paired.add(add);
        lines.push(...pair);
        continue;
      }
    }
    lines.push(...describeDifference(c));
  }
  return lines;
}

/** Drift report: the known fingerprint nearest to `live`, and what differs (known → live). */
export interface Drift {
  readonly nearest: string;
  readonly differences: readonly string[];
}

/** The nearest known state to `live` among the snapshots of `known` fingerprints. */
export function drift(dir: string, known: readonly string[], live: SchemaIR): Drift | null {
  const snaps = readSnapshots(dir);
  let best: Drift | null = null;
  for (const fp of known) {
    const s = snaps.get(fp);
    if (!s || s.dialect !== live.dialect) continue;
    let differences: string[];
    try { differences = describeDifferences(diffSchemas(s, live).changes); } catch { continue; }
    if (best === null || differences.length < best.differences.length) best = { nearest: fp, differences };
  }
  return best;
}
