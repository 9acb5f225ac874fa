/** `evolve graph --format mermaid|dot`: the graph as text for Mermaid (Markdown, GitHub) or Graphviz. */
import type { EvolutionGraph } from '../../engine/graph.js';
import { shape, type EdgeKind } from './shape.js';

const mermaidText = (t: string): string => t.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'));

export function mermaid(g: EvolutionGraph): string {
  const { nodes, edges } = shape(g);
  const arrow: Record<EdgeKind, string> = { forward: '-->', jump: '==>', revert: '-.->', drift: '-.-' };
  const lines = ['flowchart LR'];
  for (const n of nodes) lines.push(`  ${n.id}["${n.lines.map(mermaidText).join('<br/>')}"]`);
  for (const e of edges) lines.push(`  ${e.from} ${arrow[e.kind]}|"${mermaidText(e.label)}"| ${e.to}`);
  const live = nodes.filter((n) => n.live).map((n) => n.id);
  if (live.length) lines.push('  classDef live stroke:#d97706,stroke-width:3px', `  class ${live.join(',')} live`);
  return lines.join('\n') + '\n';
}

const dotText = (t: string): string => `"${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function dot(g: EvolutionGraph): string {
  const { nodes, edges } = shape(g);
  const style: Record<EdgeKind, string> = {
    forward: 'color="#2563eb"', jump: 'color="#7c3aed", penwidth=2.5', revert: 'color="#6b7280", style=dashed',
    drift: 'color="#dc2626", style=dotted, dir=none',
  };
  const lines = ['digraph evolutions {', '  rankdir=LR;', '  node [shape=box, style="rounded", fontname="monospace"];'];
  for (const n of nodes) {
    lines.push(`  ${n.id} [label=${dotText(n.lines.join('\n'))}, tooltip=${dotText(n.fingerprint)}` +
      `${n.live ? ', color="#d97706", penwidth=3' : ''}${n.unknown ? ', style="rounded,dashed"' : ''}];`);
  }
  for (const e of edges) lines.push(`  ${e.from} -> ${e.to} [label=${dotText(e.label)}, ${style[e.kind]}];`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
