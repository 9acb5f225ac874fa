/** How the registry finds this dialect: its name, the URLs it owns, and a lazy loader. */
import type { DialectRegistration } from '../registry.js';
import { parseSqliteUrl } from './url.js';

/** The sqlite dialect's registration (loads its driver only when first used). */
export const sqliteRegistration: DialectRegistration = {
  name: 'sqlite',
  parseUrl: parseSqliteUrl,
  load: async () => (await import('./index.js')).sqliteDialect,
};
