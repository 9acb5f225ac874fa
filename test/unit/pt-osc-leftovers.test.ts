/**
 * Which triggers and tables are what an interrupted pt-online-schema-change run of Evolve's
 * left (src/dialects/mysql/pt-osc-leftovers.ts), by name and body alone. No database.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ptOscLeftovers } from '../../src/dialects/mysql/pt-osc-leftovers.js';

const ins = (table: string, copy: string): { name: string; table: string; body: string } => ({
  name: 'pt_osc_db_item_ins', table, body: `BEGIN REPLACE INTO \`db\`.\`${copy}\` (\`id\`) VALUES (NEW.\`id\`);END`,
});

it('an interrupted copy: its triggers on the table; after the swap, the renamed original too; a DBA\'s own run and other triggers: none', () => {
  const tables = new Set(['item', '_evolve_osc_item', '_item_old', '_item_new']);
  assert.deepEqual(ptOscLeftovers([ins('item', '_evolve_osc_item')], tables),
    { triggers: [{ name: 'pt_osc_db_item_ins', table: 'item' }], oldTables: [] });
  assert.deepEqual(ptOscLeftovers([ins('_item_old', '_evolve_osc_item')], tables),
    { triggers: [{ name: 'pt_osc_db_item_ins', table: '_item_old' }], oldTables: ['_item_old'] });
  assert.deepEqual(ptOscLeftovers([ins('item', '_item_new'), { ...ins('item', '_evolve_osc_item'), name: 'audit_ins' }], tables),
    { triggers: [], oldTables: [] });
  // The copied table gone: the table a trigger is on is not taken for a renamed original.
  assert.deepEqual(ptOscLeftovers([ins('_item_old', '_evolve_osc_item')], new Set(['_item_old'])).oldTables, []);
});
