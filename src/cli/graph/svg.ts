/**
 * `evolve graph` as SVG: laid out by dagre (@dagrejs/dagre, the layered layout behind
 * dagre-d3 and Mermaid), left to right from the oldest known fingerprint, drawn as plain SVG
 * with no script, so it can be embedded anywhere (the HTML page does).
 */
import dagre from '@dagrejs/dagre';
import type { EvolutionGraph } from '../../engine/graph.js';
import { shape, type DrawEdge, type DrawNode, type EdgeKind } from './shape.js';

const CHAR = 7.3; // width of one character of 12px monospace
const LINE = 16;

export const escapeXml = (t: string): string =>
  t.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const COLOUR: Record<EdgeKind, string> = { forward: '#2563eb', jump: '#7c3aed', revert: '#6b7280', drift: '#dc2626' };
const DASH: Record<EdgeKind, string> = { forward: '', jump: '', revert: ' stroke-dasharray="6 4"', drift: ' stroke-dasharray="2 4"' };

interface Point { x: number; y: number }

function path(points: readonly Point[]): string {
  if (points.length < 3) return points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
  let d = `M${points[0]!.x.toFixed(1)},${points[0]!.y.toFixed(1)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i]!;
    const n = points[i + 1]!;
    const mid = i === points.length - 2 ? n : { x: (p.x + n.x) / 2, y: (p.y + n.y) / 2 };
    d += ` Q${p.x.toFixed(1)},${p.y.toFixed(1)} ${mid.x.toFixed(1)},${mid.y.toFixed(1)}`;
  }
  return d;
}

function nodeSvg(n: DrawNode, x: number, y: number, w: number, h: number): string {
  const stroke = n.live ? '#d97706' : n.unknown ? '#9ca3af' : '#1f2937';
  const fill = n.live ? '#fef3c7' : n.latest ? '#ecfdf5' : '#ffffff';
  const text = n.lines.map((l, i) => `<text x="${x.toFixed(1)}" y="${(y - h / 2 + 20 + i * LINE).toFixed(1)}" text-anchor="middle"` +
    `${i ? ' class="sub"' : ''}>${escapeXml(l)}</text>`).join('');
  const fp = escapeXml(n.fingerprint);
  return `<g class="node${n.live ? ' live' : ''}" data-fingerprint="${fp}"><title>${fp}</title>` +
    `<rect x="${(x - w / 2).toFixed(1)}" y="${(y - h / 2).toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" ` +
    `rx="8" fill="${fill}" ` +
    `stroke="${stroke}" stroke-width="${n.live ? 3 : 1.5}"${n.unknown ? ' stroke-dasharray="5 3"' : ''}/>${text}</g>`;
}

function edgeSvg(e: DrawEdge, points: readonly Point[], label: Point): string {
  const w = e.label.length * CHAR * 0.9 + 8;
  return `<g class="edge ${e.kind}"${e.evolution ? ` data-evolution="${escapeXml(e.evolution)}"` : ''}>` +
    `<path d="${path(points)}" fill="none" stroke="${COLOUR[e.kind]}" stroke-width="${e.kind === 'jump' ? 2.8 : 1.6}"${DASH[e.kind]}` +
    `${e.kind === 'drift' ? '' : ` marker-end="url(#arrow-${e.kind})"`}/>` +
    `<rect x="${(label.x - w / 2).toFixed(1)}" y="${(label.y - 9).toFixed(1)}" width="${w.toFixed(1)}" height="16" rx="3" fill="#ffffff" opacity="0.9"/>` +
    `<text x="${label.x.toFixed(1)}" y="${(label.y + 3).toFixed(1)}" text-anchor="middle" class="label" fill="${COLOUR[e.kind]}">` +
    `${escapeXml(e.label)}</text></g>`;
}

/** The graph as a standalone SVG document. */
export function svg(g: EvolutionGraph): string {
  const { nodes, edges } = shape(g);
  const layout = new dagre.graphlib.Graph({ multigraph: true });
  layout.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, edgesep: 20, marginx: 20, marginy: 20 });
  for (const n of nodes) {
    layout.setNode(n.id, { width: Math.max(...n.lines.map((l) => l.length)) * CHAR + 24, height: n.lines.length * LINE + 14 });
  }
  edges.forEach((e, i) => {
    layout.setEdge(e.from, e.to, {
      width: e.label.length * CHAR * 0.9 + 8, height: 16, labelpos: 'c', weight: e.kind === 'revert' ? 0 : 2, minlen: 1,
    }, `e${i}`);
  });
  dagre.layout(layout);
  const size = layout.graph() as { width?: number; height?: number };
  const width = Math.ceil(size.width ?? 200);
  const height = Math.ceil(size.height ?? 100);
  const markers = (Object.keys(COLOUR) as EdgeKind[]).map((k) =>
    `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
    `<path d="M0,0 L10,5 L0,10 z" fill="${COLOUR[k]}"/></marker>`).join('');
  const body = [
    ...edges.map((e, i) => {
      const l = layout.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points: Point[]; x: number; y: number };
      return edgeSvg(e, l.points, { x: l.x, y: l.y });
    }),
    ...nodes.map((n) => {
      const p = layout.node(n.id) as { x: number; y: number; width: number; height: number };
      return nodeSvg(n, p.x, p.y, p.width, p.height);
    }),
  ];
  const empty = nodes.length === 0 ? `<text x="20" y="40">No known fingerprints: evolutions/fingerprints.txt is empty or missing.</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(width, empty ? 480 : 0)}" height="${Math.max(height, 60)}" ` +
    `viewBox="0 0 ${Math.max(width, empty ? 480 : 0)} ${Math.max(height, 60)}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12">` +
    `<style>.sub{fill:#4b5563;font-size:11px}.label{font-size:11px}</style><defs>${markers}</defs>${body.join('')}${empty}</svg>\n`;
}
