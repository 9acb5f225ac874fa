/**
 * Fingerprints: `fv1:` + SHA-256 (hex) of the canonical form serialised as JSON.
 * See `docs/fingerprint.md`. Golden tests pin the output.
 */
import { createHash } from 'node:crypto';
import type { SchemaIR } from './schema.js';
import { canonicalFrame, canonicalPieces, canonicalTableText, canonicalText, keptTableText, sameCanonicalTable } from './canonical-text.js';

/** The current algorithm's prefix. A new algorithm gets a new prefix; old ones keep their meaning. */
export const FINGERPRINT_PREFIX = 'fv1';

/** The exact text that `fv1` hashes (useful for debugging a mismatch). */
export function fingerprintText(schema: SchemaIR): string {
  return canonicalText(schema);
}

/**
 * Fingerprint of a dialect-normalised schema.
 *
 * @example
 * ```ts
 * const fp = fingerprint(await introspect(db)); // 'fv1:3a7bd3…'
 * ```
 */
export function fingerprint(schema: SchemaIR): string {
  const known = knownPrints.get(schema);
  if (known !== undefined) return known;
  const hash = createHash('sha256');
  canonicalPieces(schema, (piece) => hash.update(piece, 'utf8'));
  return `${FINGERPRINT_PREFIX}:${hash.digest('hex')}`;
}

/** Fingerprints known for frozen schemas (see {@link rememberFingerprint}). */
const knownPrints = new WeakMap<SchemaIR, string>();

/**
 * Take `print` as frozen schema `schema`'s fingerprint from now on, without hashing its text
 * again: for a kept schema whose entry holds the fingerprint written when the entry was made
 * (model/compiled-cache.ts; the entry's key holds Evolve's own stamp, so no other algorithm's
 * fingerprint is ever read). A schema that is not frozen (deeply: its tables) is not taken.
 */
export function rememberFingerprint(schema: SchemaIR, print: string): void {
  if (Object.isFrozen(schema) && Object.isFrozen(schema.tables) && print.startsWith(`${FINGERPRINT_PREFIX}:`)) knownPrints.set(schema, print);
}

/** The fingerprints of two schemas, and the tables whose canonical forms they share. */
export interface FingerprintPair {
  readonly from: string;
  readonly to: string;
  /**
   * Names of the tables both schemas hold with the same canonical form: the differ has nothing
   * to find in them (it compares only what the canonical form holds: src/ir/fields.ts).
   */
  readonly sameTables: ReadonlySet<string>;
}

/**
 * `fingerprint(from)` and `fingerprint(to)` in one pass, comparing each table's canonical form
 * on the way (a plan needs both fingerprints and the diff; see {@link FingerprintPair}). A table
 * the same on both sides has one text, `to`'s, which is kept with its (frozen) table for the
 * next plan to the same models ({@link keptTableText}); `from`'s texts are dropped once hashed.
 */
export function fingerprintPair(from: SchemaIR, to: SchemaIR): FingerprintPair {
  const a = canonicalFrame(from);
  const b = canonicalFrame(to);
  // A side whose fingerprint is known is not hashed again: only compared.
  const fa = knownPrints.get(from);
  const fb = knownPrints.get(to);
  const ha = fa === undefined ? createHash('sha256').update(a.head, 'utf8') : null;
  const hb = fb === undefined ? createHash('sha256').update(b.head, 'utf8') : null;
  const sameTables = new Set<string>();
  let i = 0;
  let j = 0;
  const take = (h: ReturnType<typeof createHash> | null, first: boolean, text: string): void => { h?.update(first ? text : `,${text}`, 'utf8'); };
  // Both lists are in name order: walk them side by side.
  while (i < a.tables.length || j < b.tables.length) {
    const x = a.tables[i];
    const y = b.tables[j];
    if (x && (!y || x.name < y.name)) { if (ha) take(ha, i === 0, canonicalTableText(x)); i++; continue; }
    if (y && (!x || y.name < x.name)) { if (hb) take(hb, j === 0, keptTableText(y)); j++; continue; }
    // The same on both sides: one text, the desired side's (kept: a kept models schema knows it
    // already, and a plan made again against another database takes it again).
    const ty = keptTableText(y!);
    const tx = sameCanonicalTable(x!, y!) ? ty : canonicalTableText(x!);
    if (tx === ty) sameTables.add(x!.name);
    take(ha, i++ === 0, tx);
    take(hb, j++ === 0, ty);
  }
  return {
    from: fa ?? `${FINGERPRINT_PREFIX}:${ha!.update(a.tail, 'utf8').digest('hex')}`,
    to: fb ?? `${FINGERPRINT_PREFIX}:${hb!.update(b.tail, 'utf8').digest('hex')}`,
    sameTables,
  };
}

/**
 * The fingerprint of `schema`, the same as {@link fingerprint}'s, written beside `reference`
 * (whose own print is not taken): a table the same as `reference`'s table of its name takes that
 * table's text, kept since it was first written ({@link keptTableText}), instead of being
 * written out again. For the verification after applying a plan: the live schema is read again
 * and should now be the models', whose texts the plan wrote.
 */
export function fingerprintBeside(schema: SchemaIR, reference: SchemaIR): string {
  const a = canonicalFrame(schema);
  const b = canonicalFrame(reference);
  const hash = createHash('sha256').update(a.head, 'utf8');
  let j = 0;
  // Both lists are in name order (as in fingerprintPair).
  for (let i = 0; i < a.tables.length; i++) {
    const x = a.tables[i]!;
    while (j < b.tables.length && b.tables[j]!.name < x.name) j++;
    const y = b.tables[j];
    const text = y !== undefined && y.name === x.name && Object.isFrozen(y) && sameCanonicalTable(x, y) ? keptTableText(y) : canonicalTableText(x);
    hash.update(i === 0 ? text : `,${text}`, 'utf8');
  }
  return `${FINGERPRINT_PREFIX}:${hash.update(a.tail, 'utf8').digest('hex')}`;
}
