/** How the registry finds this dialect: its name, the URLs it owns, and a lazy loader. */
import type { DialectRegistration } from '../registry.js';
import { parsePostgresUrl } from './url.js';

/** The postgres dialect's registration (loads its driver only when first used). */
export const postgresRegistration: DialectRegistration = {
  name: 'postgres',
  parseUrl: parsePostgresUrl,
  load: async () => (await import('./index.js')).postgresDialect,
};
