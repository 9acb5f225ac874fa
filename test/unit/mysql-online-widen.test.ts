/**
 * When widening a VARCHAR copies on MySQL/MariaDB (online.ts widensPastPrefix): only when its
 * maximum crosses 255 bytes in COMPACT or DYNAMIC rows, by the character set's bytes per character;
 * a character set not known, or REDUNDANT rows, keep INSTANT (the run falls back if the server refuses).
 * test/behaviour/online-mysql.test.ts checks the same against MariaDB.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { charsetMaxBytes, widensPastPrefix } from '../../src/dialects/mysql/online.js';

it('crosses 255 bytes: utf8mb4 40 -> 64 does, 40 -> 63 and 70 -> 100 (both above) do not', () => {
  const utf8mb4 = { maxBytes: charsetMaxBytes('utf8mb4'), redundant: false };
  assert.equal(widensPastPrefix(40, 64, utf8mb4), true);
  assert.equal(widensPastPrefix(40, 63, utf8mb4), false);
  assert.equal(widensPastPrefix(70, 100, utf8mb4), false);
});

it('by the character set: latin1 up to 255 characters, utf8mb3 up to 85', () => {
  assert.equal(widensPastPrefix(40, 255, { maxBytes: charsetMaxBytes('LATIN1'), redundant: false }), false);
  assert.equal(widensPastPrefix(40, 256, { maxBytes: charsetMaxBytes('latin1'), redundant: false }), true);
  assert.equal(widensPastPrefix(60, 85, { maxBytes: charsetMaxBytes('utf8mb3'), redundant: false }), false);
  assert.equal(widensPastPrefix(60, 86, { maxBytes: charsetMaxBytes('utf8mb3'), redundant: false }), true);
});

it('not known, or REDUNDANT rows: never predicted to copy', () => {
  assert.equal(charsetMaxBytes('klingon'), null);
  assert.equal(widensPastPrefix(40, 200, { maxBytes: null, redundant: false }), false);
  assert.equal(widensPastPrefix(40, 200, { maxBytes: 4, redundant: true }), false);
  assert.equal(widensPastPrefix(40, 200, undefined), false);
});
