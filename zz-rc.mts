import { readCompiled } from './dist/model/compiled-cache.js';
import { canonicalTableText } from './dist/ir/canonical-text.js';
const key = process.argv[2];
const r = readCompiled({ dir: '/tmp/cmd/sqlite1000/cache' } as never, key);
console.log(r === null ? 'null' : r.schema.tables.length, r && canonicalTableText(r.schema.tables[0]!).slice(0, 80));
