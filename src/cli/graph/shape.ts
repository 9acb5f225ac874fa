/**
 * The graph as nodes and edges to draw, the same for every format (SVG, HTML, Mermaid, DOT):
 * a node per known fingerprint (and one for a live database off the graph), a forward edge per
 * stored evolution, a dashed revert edge back where it has a revert, a drift edge to the live
 * database's nearest known fingerprint.
 */
import type { EvolutionGraph } from '../../engine/graph.js';

export type EdgeKind = 'forward' | 'jump' | 'revert' | 'drift';

export interface DrawNode {
  readonly id: string;
  /** First line: `#3 fv1:1a2b3c4d`; the rest: live, models, latest. */
  readonly lines: readonly string[];
  /** The full fingerprint (a tooltip, the page's table). */
  readonly fingerprint: string;
  readonly live: boolean;
  readonly unknown: boolean;
  readonly latest: boolean;
}

export interface DrawEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label: string;
  /** The evolution it stands for (none for drift). */
  readonly evolution: string | null;
}

/** `fv1:` and the first 8 hex digits: enough to tell fingerprints apart in a picture. */
export const shortFp = (fp: string): string => fp.replace(/^(fv\d+:[0-9a-fx]{8})[0-9a-fx]+$/i, '$1…');

export function shape(g: EvolutionGraph): { nodes: DrawNode[]; edges: DrawEdge[] } {
  const id = new Map(g.fingerprints.map((f) => [f.fingerprint, `n${f.position}`]));
  const last = g.fingerprints[g.fingerprints.length - 1]?.fingerprint;
  const nodes: DrawNode[] = g.fingerprints.map((f) => {
    const lines = [`#${f.position} ${shortFp(f.fingerprint)}`];
    if (g.live?.fingerprint === f.fingerprint) lines.push(`live: ${g.live.database}`);
    if (g.models === f.fingerprint) lines.push('models');
    if (f.fingerprint === last) lines.push('latest known');
    const live = g.live?.fingerprint === f.fingerprint;
    return { id: id.get(f.fingerprint)!, lines, fingerprint: f.fingerprint, live, unknown: false, latest: f.fingerprint === last };
  });
  const edges: DrawEdge[] = [];
  const nodeOf = (fp: string): string => {
    let n = id.get(fp);
    if (!n) { // an evolution's end that is not known (a placeholder): a node of its own
      n = `u${id.size}`;
      id.set(fp, n);
      nodes.push({ id: n, lines: [`? ${shortFp(fp)}`], fingerprint: fp, live: false, unknown: true, latest: false });
    }
    return n;
  };
  for (const e of g.evolutions) {
    const jump = e.distance > 1;
    edges.push({
      from: nodeOf(e.from), to: nodeOf(e.to), kind: jump ? 'jump' : 'forward', evolution: e.id,
      label: `${e.id}${jump ? ` (jump ${e.distance}${e.chosen ? ', taken' : ''})` : ''}`,
    });
  }
  for (const e of g.evolutions) if (e.revert) edges.push({ from: nodeOf(e.to), to: nodeOf(e.from), kind: 'revert', evolution: e.id, label: `revert ${e.id}` });
  if (g.live && !g.live.known) {
    nodes.push({
      id: 'live', lines: [`live ${shortFp(g.live.fingerprint)}`, g.live.database, 'unknown fingerprint (drift)'], fingerprint: g.live.fingerprint,
      live: true, unknown: true, latest: false,
    });
    if (g.live.drift && id.has(g.live.drift.nearest)) {
      const n = g.live.drift.differences.length;
      edges.push({ from: id.get(g.live.drift.nearest)!, to: 'live', kind: 'drift', evolution: null, label: `drift: ${n} difference${n === 1 ? '' : 's'}` });
    }
  }
  return { nodes, edges };
}
