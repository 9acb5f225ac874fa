/**
 * Fingerprints: `fv1:` + SHA-256 (hex) of the canonical form serialised as JSON.
 * See `docs/fingerprint.md`. Golden tests pin the output.
 */
import { createHash } from 'node:crypto';
import type { SchemaIR } from './schema.js';
import { canonicalPieces, canonicalText } from './canonical-text.js';

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
  const hash = createHash('sha256');
  canonicalPieces(schema, (piece) => hash.update(piece, 'utf8'));
  return `${FINGERPRINT_PREFIX}:${hash.digest('hex')}`;
}
