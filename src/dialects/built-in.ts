/** The dialects Evolve comes with, one line each (a new built-in dialect adds its line here). */
import type { DialectRegistration } from './registry.js';
import { sqliteRegistration } from './sqlite/registration.js';
import { postgresRegistration } from './postgres/registration.js';
import { mysqlRegistration } from './mysql/registration.js';
import { galeraRegistration } from './galera/registration.js';

/** In the order their URLs are tried. */
export const BUILT_IN_DIALECTS: readonly DialectRegistration[] = [
  sqliteRegistration,
  postgresRegistration,
  mysqlRegistration,
  galeraRegistration,
];
