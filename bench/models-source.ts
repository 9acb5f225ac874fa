/**
 * The bench's generated models (models.ts) written out as a plain TypeScript module, one
 * `table()` per table, as a person or `evolve pull` writes them (issue 20 points 3 and 4).
 */
import { tname } from './models.js';

/** TypeScript source of `generateModelsWith(lib, n, changed)`. */
export function modelsSourceTs(n: number, changed = false): string {
  const lines = ["import { table, index, integer, bigint, real, decimal, text, varchar, boolean, date, timestamp } from 'evolve';", ''];
  for (let i = 0; i < n; i++) {
    const name = tname(i);
    const alter = changed && i % 20 === 0;
    const parent = i > 0 ? tname(Math.floor(i / 2)) : null;
    const parentCol = parent ? `integer().references(() => ${parent}.columns.id)` : 'integer()';
    lines.push(`export const ${name} = table('${name}', {`,
      `  id: integer().primaryKey(), parent_id: ${parentCol}, code: varchar(${alter ? 80 : 40}).notNull(), name: text().notNull(),`,
      '  qty: integer().notNull().default(0), total: bigint(), price: decimal(10, 2), ratio: real(), active: boolean().notNull().default(true),',
      `  born: date(), updated: timestamp(), note: text(), label: varchar(100), score: integer(), flags: integer().notNull().default(1),${alter ? ' extra: text(),' : ''}`,
      `}, { indexes: [index('${name}_code_ix').on('code'), index('${name}_parent_ix').on('parent_id', 'updated')] });`);
  }
  return `${lines.join('\n')}\n`;
}
