import { openDatabase, desiredSchema } from './dist/index.js';
import { fingerprintPair } from './dist/ir/fingerprint.js';
import { canonicalTableText, canonicalFrame } from './dist/ir/canonical-text.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
const url = readFileSync('/tmp/cmd/mysql1000/url', 'utf8');
const db = await openDatabase(url);
const live = await db.introspect();
await db.close();
const mode = process.argv[2];
const t0 = performance.now();
if (mode === 'pair') fingerprintPair(live, live);
if (mode === 'text') { const f = canonicalFrame(live); let n = 0; for (const t of f.tables) n += canonicalTableText(t).length; }
if (mode === 'hash') { const f = canonicalFrame(live); const texts = f.tables.map(canonicalTableText); const t1 = performance.now(); const h = createHash('sha256'); for (const x of texts) h.update(x, 'utf8'); h.digest('hex'); console.log('hash only', (performance.now() - t1).toFixed(1)); }
if (mode === 'hashbig') { const f = canonicalFrame(live); const texts = f.tables.map(canonicalTableText); const t1 = performance.now(); const h = createHash('sha256'); h.update(texts.join(','), 'utf8'); h.digest('hex'); console.log('hash joined', (performance.now() - t1).toFixed(1)); }
console.log(mode, (performance.now() - t0).toFixed(1));
if (mode === 'names') { const { assertNamesPrintable } = await import('./dist/ir/names.js'); const t1 = performance.now(); assertNamesPrintable(live, 'x'); console.log('names', (performance.now() - t1).toFixed(2)); }
if (mode.startsWith('n2')) {
  const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
  const t1 = performance.now();
  let bad = false;
  if (mode === 'n2a') {
    const ts = live.tables;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i];
      if (CONTROL.test(t.name)) bad = true;
      const cs = t.columns;
      for (let k = 0; k < cs.length; k++) if (CONTROL.test(cs[k].name)) bad = true;
      const xs = t.indexes; for (let k = 0; k < xs.length; k++) { const n = xs[k].name; if (n !== null && CONTROL.test(n)) bad = true; }
      const fs = t.foreignKeys; for (let k = 0; k < fs.length; k++) { const n = fs[k].name; if (n !== null && n !== undefined && CONTROL.test(n)) bad = true; }
    }
  } else {
    let s = '';
    const ts = live.tables;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]; s += t.name;
      const cs = t.columns;
      for (let k = 0; k < cs.length; k++) s += cs[k].name;
    }
    bad = CONTROL.test(s);
  }
  console.log(mode, (performance.now() - t1).toFixed(2), bad);
}
