/**
 * Pinned fingerprints. If a change to Evolve alters one of these, it changed the fv1
 * algorithm (or the canonical form of something it covers): that needs a new prefix (fv2),
 * not a new value here.
 */
import {
  table, index, uniqueIndex, sql, integer, bigint, real, decimal, text, varchar, boolean, date, timestamp, json, bytes, uuid,
  column, rawType, type Table,
} from '../../src/index.js';

/** Fingerprints of `goldenModels()` (test/support/feature-models.ts) on each dialect. */
export const GOLDEN: Record<'sqlite' | 'postgres' | 'mysql', string> = {
  sqlite: 'fv1:c06103765ceac9bf625985478e5f1b547e286533394a37d2118372bca8f08153',
  postgres: 'fv1:3d3f387f1a193dde0a44f4e12d5ba8ed31ef12c5aa70677547d6b470ef041a41',
  mysql: 'fv1:e5ffd813d4e9882727622de419c3d7cc065e9781dca2fd93f593f6c17d8674c9',
};

/**
 * A fixed schema with every column type and option the DSL has: every type (both timestamps,
 * `column()` by name, `rawType()`), lengths, precision and scale, NOT NULL, defaults of every
 * kind (numbers, strings, booleans, `sql` expressions and literals), single, composite and
 * auto-increment primary keys, named and unnamed unique constraints, plain, composite, unique
 * and (where the dialect has them) partial indexes, foreign keys with actions, and `aka`
 * (which the fingerprint ignores). Frozen on purpose: do not edit it — add another schema.
 */
export function allOptionsModels(dialect: 'sqlite' | 'postgres' | 'mysql'): Table[] {
  const owner = table('g_owner', {
    id: integer().primaryKey({ autoIncrement: true }),
    name: varchar(60).notNull().unique(),
    code: column('varchar(12)').notNull().default('A-1').unique('g_owner_code_uq'),
  }, { aka: ['g_old_owner'] });
  const item = table('g_item', {
    id: bigint().primaryKey({ autoIncrement: true }),
    n_int: integer().notNull().default(-7),
    n_big: bigint().default(9007199254740991),
    n_real: real().default(2.5),
    n_dec: decimal(10, 2).notNull().default(12.5),
    n_dec0: decimal(6).default(0),
    t_text: text().notNull(),
    t_var: varchar(40).default("it's"),
    t_lit: varchar(10).default(sql`'lit'`),
    flag: boolean().notNull().default(true),
    flag_sql: boolean().default(sql`false`),
    day: date().default(sql`CURRENT_DATE`),
    at: timestamp().notNull().default(sql`CURRENT_TIMESTAMP`),
    at_tz: timestamp({ withTimeZone: true }),
    doc: json(),
    blob: bytes(),
    uid: uuid(),
    odd: rawType(dialect === 'postgres' ? 'inet' : dialect === 'mysql' ? 'mediumint' : 'geometry'),
    renamed: text().named('display').aka('label'),
    owner_id: integer().references(() => owner.columns.id, { onDelete: 'cascade', onUpdate: 'no action' }),
    owner_code: varchar(12).references(() => owner.columns.code, { onDelete: 'set null', onUpdate: 'cascade' }),
  }, {
    unique: [['t_var', 'uid'], { name: 'g_item_owner_var_uq', columns: ['owner_id', 't_var'] }],
    indexes: [
      index('g_item_text_idx').on('t_text'), index('g_item_owner_day_idx').on('owner_id', 'day'),
      index('g_item_uid_idx').on('uid').unique(), uniqueIndex().on('n_int', 'n_big'), index().on('n_real'),
      ...(dialect === 'mysql' ? [] : [index('g_item_live_idx').on('t_text').where(sql`flag_sql IS NOT NULL`)]),
    ],
  });
  const link = table('g_link', {
    item_id: bigint().notNull(),
    owner_id: integer().notNull(),
    role: varchar(20).notNull().default('member'),
  }, {
    primaryKey: ['item_id', 'owner_id'],
    foreignKeys: [{ columns: ['item_id'], references: () => [item.columns.id], onDelete: 'restrict', name: 'g_link_item_fk' }],
  });
  return [owner, item, link];
}

/**
 * Fingerprints of `allOptionsModels()` on each dialect (PGlite is PostgreSQL and gives the
 * PostgreSQL value: the same schema has one fingerprint whichever server holds it).
 */
export const GOLDEN_ALL_OPTIONS: Record<'sqlite' | 'postgres' | 'mysql', string> = {
  sqlite: 'fv1:0aa3885521ff77ea0b12f7df169186508e9a2357a02617bcf5878666568fd3c2',
  postgres: 'fv1:2cdfb16bac939777675ac5f52aceaca4e3d7d82dd270a94f83ee50dac28368ed',
  mysql: 'fv1:30ec5e829a77ea7db70875c3510a65d1d02339f79aba923129af4f6af90d93de',
};
