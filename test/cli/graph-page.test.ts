/**
 * `evolve graph --out graph.html` in a real browser (issue 19 point 4): headless Chromium
 * (Debian's `chromium`, installed by .ci/run) driven by playwright-core opens the page from
 * its file, and every known fingerprint and every stored evolution is drawn on it — a node per
 * fingerprint, a forward edge per evolution, a revert edge where there is a revert, the live
 * database off the graph (drift) next to its nearest known fingerprint — with no two nodes
 * overlapping, and each fingerprint and evolution also listed in full.
 * EVOLVE_GRAPH_SCREENSHOT=docs/graph.png writes the screenshot committed in docs/.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { evolveProcess } from '../support/cli.js';
import { buildGraphExample } from '../support/graph-example.js';
import { openDatabase } from '../../src/database/database.js';

const CHROMIUM = process.env.EVOLVE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

it('the HTML graph shows every fingerprint and evolution, the live database and its drift, in headless Chromium', { timeout: 120_000 }, async () => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) assert.fail(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
    process.stderr.write(`\n!!! SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium)\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'evolve-graph-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  try {
    const db = `sqlite:${join(dir, 'app.db')}`;
    const ex = await buildGraphExample(db);
    const d = await openDatabase(db, false);
    try { await d.conn.execute('ALTER TABLE author ADD COLUMN nickname text'); } finally { await d.close(); } // drift: by hand
    const file = join(dir, 'graph.html');
    const r = await evolveProcess(['graph', '--db', db, '--models', ex.models, '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Wrote .*graph\.html \(html\): 4 known fingerprint\(s\), 4 evolution\(s\)/);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /<script|<link|src="http|href="http/, 'self-contained: no script, no external resource');
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 }, deviceScaleFactor: 2 });
    await page.goto(pathToFileURL(file).href);
    const text = await page.locator('body').innerText();
    for (const fp of ex.fingerprints) {
      assert.equal(await page.locator(`svg g.node[data-fingerprint="${fp}"]`).count(), 1, `a node for ${fp}`);
      assert.ok(await page.locator(`svg g.node[data-fingerprint="${fp}"]`).isVisible(), `${fp} visible`);
      assert.ok(text.includes(fp), `${fp} listed in full`);
    }
    for (const id of ex.ids) {
      const edges = page.locator(`svg g.edge[data-evolution="${id}"]`);
      assert.ok(await page.locator(`svg g.edge.forward[data-evolution="${id}"], svg g.edge.jump[data-evolution="${id}"]`).isVisible(), `edge of ${id}`);
      assert.equal(await edges.count(), id.includes('jump') ? 1 : 2, `${id}: forward${id.includes('jump') ? ' only (no revert)' : ' and revert'}`);
      assert.ok(text.includes(id), `${id} listed`);
    }
    assert.match(await page.locator('svg g.edge.jump').textContent() ?? '', /0004-jump-to-heading\.sql \(jump 2, taken\)/);
    const live = page.locator('svg g.node.live');
    assert.equal(await live.count(), 1);
    assert.match(await live.textContent() ?? '', /unknown fingerprint \(drift\)/);
    assert.match(await page.locator('svg g.edge.drift').textContent() ?? '', /drift: 1 difference/);
    const boxes = await page.locator('svg g.node rect').evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().toJSON() as DOMRect));
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!;
        const b = boxes[j]!;
        assert.ok(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top, `nodes ${i} and ${j} overlap`);
      }
    }
    const dot = await evolveProcess(['graph', '--db', db, '--models', ex.models, '--format', 'dot']);
    assert.match(dot.stdout, /^digraph evolutions \{\n  rankdir=LR;/);
    for (const id of ex.ids) assert.ok(dot.stdout.includes(`label="${id}`), id);
    assert.equal(dot.stdout.match(/style=dashed\]/g)?.length, 3, 'three revert edges');
    assert.match(dot.stdout, /live -> |-> live \[label="drift: 1 difference"/);
    const bad = await evolveProcess(['graph', '--models', ex.models, '--format', 'png']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /E_USAGE: Unknown graph format 'png'[\s\S]*fix: Use --format svg, html, mermaid, dot/);
    const shot = process.env.EVOLVE_GRAPH_SCREENSHOT;
    if (shot) await page.locator('.graph').screenshot({ path: resolve(shot) });
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
