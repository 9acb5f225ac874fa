/** Default parsing and normalisation shared by the dialects (no database). */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseDefault, parseNumber } from '../../src/dialects/shared/defaults.js';
import type { ColumnType, DefaultValue } from '../../src/ir/schema.js';

const expr = (sql: string): DefaultValue => ({ kind: 'expression', sql });
const val = (value: string | number | boolean): DefaultValue => ({ kind: 'value', value });
const T = (kind: string): ColumnType => ({ kind } as ColumnType);

describe('normaliseDefault', () => {
  it('reads an expression that is a literal as that value (as introspection reports it)', () => {
    const cases: [ColumnType, string, DefaultValue][] = [
      [T('integer'), '0', val(0)], [T('integer'), '-1', val(-1)], [T('integer'), '(42)', val(42)],
      [T('text'), "'active'", val('active')], [T('text'), "'it''s'", val("it's")],
      [T('boolean'), 'TRUE', val(true)], [T('boolean'), 'false', val(false)], [T('boolean'), '1', val(true)],
      [T('real'), '1e21', val(1e21)], [T('real'), '1.5', val(1.5)],
    ];
    for (const [type, sql, want] of cases) {
      assert.deepEqual(normaliseDefault(type, expr(sql)), want, `sql\`${sql}\` on ${type.kind}`);
      assert.deepEqual(normaliseDefault(type, expr(sql)), normaliseDefault(type, want), `sql\`${sql}\` equals the value`);
    }
  });

  it('keeps real expressions as normalised expressions, and NULL as no default', () => {
    assert.deepEqual(normaliseDefault(T('timestamp'), expr('current_timestamp')), expr('CURRENT_TIMESTAMP'));
    assert.deepEqual(normaliseDefault(T('integer'), expr('(1 +  2)')), expr('1 + 2'));
    assert.equal(normaliseDefault(T('integer'), expr('NULL')), null);
    assert.equal(normaliseDefault(T('integer'), expr('  ')), null);
  });
});

describe('parseNumber', () => {
  it('accepts exponent notation beyond the safe-integer range', () => {
    assert.equal(parseNumber('1e21'), 1e21);
    assert.equal(parseNumber('1e+21'), 1e21);
    assert.equal(parseNumber('-2.5E3'), -2500);
  });
  it('refuses integers written in digits that a JS number cannot hold exactly', () => {
    assert.equal(parseNumber('12345678901234567890'), undefined);
    assert.equal(parseNumber('12345678901234567890.0'), undefined);
    assert.equal(parseNumber('9007199254740991'), 9007199254740991);
  });
  it('refuses what is not a number', () => {
    for (const s of ['', 'abc', '1e', '--1', '1 2', 'Infinity', '0x10']) assert.equal(parseNumber(s), undefined, s);
  });
});
