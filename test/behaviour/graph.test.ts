/**
 * `evolve graph` on every dialect (issue 19 point 4): the known fingerprints and stored
 * evolutions as Mermaid, SVG and JSON — forward and revert edges, the longest jump apply
 * takes, where the live database is. DOT, a bad --format and the HTML page in a
 * browser: test/cli/graph-page.test.ts (they do not depend on the dialect).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachDialect, withDb } from '../support/harness.js';
import { evolve } from '../support/cli.js';
import { buildGraphExample } from '../support/graph-example.js';
import { shortFp } from '../../src/cli/graph/shape.js';

forEachDialect('evolve graph', (d) => {
  it('draws every fingerprint and evolution, reverts, the jump and the live database as Mermaid, SVG and JSON', (t) => withDb(t, d, async (db) => {
    const ex = await buildGraphExample(db.url);
    const base = ['graph', '--db', db.url, '--models', ex.models];
    const mm = await evolve([...base, '--format', 'mermaid']);
    assert.equal(mm.code, 0, mm.stderr);
    assert.match(mm.stdout, /^flowchart LR\n/);
    ex.fingerprints.forEach((fp, i) => assert.ok(mm.stdout.includes(`n${i + 1}["#${i + 1} ${shortFp(fp)}`), `node ${fp}`));
    assert.match(mm.stdout, /n1 -->\|"0001-add-post\.sql"\| n2/);
    assert.match(mm.stdout, /n2 ==>\|"0004-jump-to-heading\.sql \(jump 2, taken\)"\| n4/);
    assert.match(mm.stdout, /n4 -\.->\|"revert 0003-rename-title\.sql"\| n3/);
    assert.doesNotMatch(mm.stdout, /revert 0004/, 'the jump has no revert');
    assert.match(mm.stdout, /n4\["[^"]*live: [^"]*"\][\s\S]*class n4 live/, 'the live database is at the 4th fingerprint');
    const dir = mkdtempSync(join(tmpdir(), 'evolve-graph-'));
    try {
      const file = join(dir, 'g.svg');
      const json = await evolve([...base, '--json', '--out', file]); // the SVG in the file, the graph as JSON on stdout
      assert.equal(json.code, 0, json.stderr);
      const svg = readFileSync(file, 'utf8');
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      for (const fp of ex.fingerprints) assert.ok(svg.includes(`data-fingerprint="${fp}"`), fp);
      const g = JSON.parse(json.stdout) as { fingerprints: unknown[]; evolutions: { id: string; chosen: boolean; revert: boolean; distance: number }[];
        live: { known: boolean; fingerprint: string } };
      assert.equal(g.fingerprints.length, 4);
      assert.deepEqual(g.evolutions.map((e) => `${e.id}:${e.distance}:${e.chosen}:${e.revert}`),
        ['0001-add-post.sql:1:true:true', '0002-add-email.sql:1:false:true', '0003-rename-title.sql:1:true:true', '0004-jump-to-heading.sql:2:true:false']);
      assert.equal(JSON.parse(json.stdout).format, 'svg');
      assert.deepEqual(g.live, { ...g.live, known: true, fingerprint: ex.fingerprints[3] });
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }));
});
