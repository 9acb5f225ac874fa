/** How the registry finds this dialect: its name, the URLs it owns, and a lazy loader. */
import type { DialectRegistration } from '../registry.js';
import { parseMysqlUrl } from './url.js';

/** The mysql dialect's registration (loads its driver only when first used). */
export const mysqlRegistration: DialectRegistration = {
  name: 'mysql',
  parseUrl: parseMysqlUrl,
  load: async () => (await import('./index.js')).mysqlDialect,
};
