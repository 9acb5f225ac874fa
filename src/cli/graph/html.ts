/**
 * `evolve graph --out graph.html`: a self-contained page — the SVG inline, a legend, and every
 * fingerprint and evolution listed in full (the picture shortens fingerprints). No script, no
 * external style sheet, font or image: it opens from a file, offline.
 */
import type { EvolutionGraph } from '../../engine/graph.js';
import { escapeXml as esc, svg } from './svg.js';

const key = (style: string, text: string): string => `<span><i class="k" style="${style}"></i>${text}</span>`;
const LEGEND = [
  key('border-color:#2563eb', 'evolution'), key('border-color:#7c3aed;border-top-width:3px', 'jump over several (apply takes the longest)'),
  key('border-color:#6b7280;border-top-style:dashed', 'revert'), key('border-color:#dc2626;border-top-style:dotted', 'drift'),
].join('');

export function html(g: EvolutionGraph): string {
  const pos = new Map(g.fingerprints.map((f) => [f.fingerprint, f.position]));
  const at = (fp: string): string => (pos.has(fp) ? `#${pos.get(fp)}` : 'unknown');
  const live = g.live
    ? `<p class="live">Live database <b>${esc(g.live.database)}</b> at <code>${esc(g.live.fingerprint)}</code> ` +
      `(${g.live.known ? `known: ${at(g.live.fingerprint)}` : 'unknown fingerprint: drift'})` +
      `${g.live.drift ? `; nearest known <code>${esc(g.live.drift.nearest)}</code>, differing by: ${g.live.drift.differences.map(esc).join('; ')}` : ''}.</p>`
    : '<p>No database given (<code>--db</code>): the live position is not shown.</p>';
  const rows = g.fingerprints.map((f) => `<tr><td>#${f.position}</td><td><code>${esc(f.fingerprint)}</code></td>` +
    `<td>${g.live?.fingerprint === f.fingerprint ? 'live' : ''}${g.models === f.fingerprint ? ' models' : ''}</td></tr>`).join('');
  const evs = g.evolutions.map((e) => `<tr><td><code>${esc(e.id)}</code></td><td>${at(e.from)} → ${at(e.to)}</td><td>${e.distance}</td>` +
    `<td>${e.revert ? 'yes' : 'no'}</td><td>${e.chosen ? 'yes' : ''}</td></tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evolve: evolution graph</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#111827}
h1{font-size:20px;margin:0 0 4px} .dir{color:#6b7280;margin:0 0 12px} code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.graph{overflow:auto;border:1px solid #e5e7eb;border-radius:8px;padding:8px;background:#fafafa}
.graph svg{max-width:100%;height:auto;display:block;margin:auto}
table{border-collapse:collapse;margin:8px 0 20px} td,th{border-bottom:1px solid #e5e7eb;padding:4px 10px;text-align:left}
.legend span{margin-right:18px} .k{display:inline-block;width:26px;height:0;border-top:2px solid;vertical-align:middle;margin-right:6px}
.live{background:#fef3c7;padding:6px 10px;border-radius:6px;display:inline-block}
</style></head><body>
<h1>Evolution graph</h1>
<p class="dir">${esc(g.dir || '(no evolutions directory)')}: ${g.fingerprints.length} known fingerprint(s), ${g.evolutions.length} stored evolution(s)</p>
${live}
<p class="legend">${LEGEND}</p>
<div class="graph">${svg(g)}</div>
<h2>Known fingerprints</h2>
<table><tr><th>position</th><th>fingerprint</th><th></th></tr>${rows}</table>
<h2>Stored evolutions</h2>
<table><tr><th>evolution</th><th>from → to</th><th>distance</th><th>revert</th><th>apply takes it</th></tr>${evs}</table>
</body></html>
`;
}
