/**
 * Where a cold command's time goes beyond node's own start-up (issue 19 point 1's breakdown):
 * the command is run `runs` times under V8's sampling profiler (`--cpu-prof`), and every sample
 * is put in one part by the code it ran — the first frame of Evolve's, a driver's or the models'
 * own on its stack — or, with no such frame, by what V8 was doing (compiling and linking modules,
 * collecting garbage, waiting). The parts are shares of the profiled time, shown as milliseconds
 * of the command's median time over `node -e 0`'s (the profiler itself adds some time, so
 * shares, not its absolute figures, are what carries over).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { round } from './lib.js';

/** One part of the breakdown: its name and its share of the time over node's start-up. */
export interface StartupPart { part: string; share: number; ms: number }

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const PARTS: readonly [RegExp, string][] = [
  [/\/evolve\/ts\/[0-9a-f]+\.m?js$|\/dist\/model\//, 'models: transform cache, evaluate, compile'],
  [/\/dist\/dialects\/|\/node_modules\/(better-sqlite3|pg|pg-[a-z]+|mysql2)\//, 'database: driver, connect, introspect'],
  [/\/dist\/(ir|diff|plan|engine|database|evolutions|deploy)\//, 'plan: fingerprint, diff, SQL'],
  [/\/dist\/cli\/|\/dist\/errors|\/dist\/index|\/node_modules\/commander\//, 'CLI: options, config, output'],
];

/** The part a profile node's own code belongs to, or null for node's internals and V8's own work. */
function partOfFrame(url: string): string | null {
  for (const [re, part] of PARTS) if (re.test(url)) return part;
  return null;
}

/** Shares of the samples of one profile, by part. */
function shares(p: Profile): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string>();
  const partOf = (id: number): string => {
    const known = memo.get(id);
    if (known) return known;
    const n = byId.get(id)!;
    const up = parent.get(id);
    const own = partOfFrame(n.callFrame.url);
    const fn = n.callFrame.functionName;
    const part = own ?? (up !== undefined && byId.get(up)!.callFrame.functionName !== '(root)' ? partOf(up)
      : fn === '(garbage collector)' ? 'garbage collection' : fn === '(idle)' ? 'waiting (I/O, timers)' : 'node: compile and link modules, bootstrap');
    memo.set(id, part);
    return part;
  };
  const out = new Map<string, number>();
  let total = 0;
  p.samples.forEach((s, i) => { const d = p.timeDeltas[i] ?? 0; total += d; out.set(partOf(s), (out.get(partOf(s)) ?? 0) + d); });
  for (const [k, v] of out) out.set(k, v / total);
  return out;
}

/** The breakdown of `args` (a cold command) over `overMs` (its median time minus node's start-up). */
export function startupBreakdown(args: string[], runs: number, overMs: number): StartupPart[] {
  const dir = mkdtempSync(join(tmpdir(), 'evolve-bench-prof-'));
  try {
    const sum = new Map<string, number>();
    for (let i = 0; i < runs; i++) {
      const out = join(dir, String(i));
      const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', out, '--cpu-prof-interval', '250', ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${args.join(' ')} failed under the profiler: ${r.stderr}`);
      const file = readdirSync(out).find((f) => f.endsWith('.cpuprofile'))!;
      for (const [k, v] of shares(JSON.parse(readFileSync(join(out, file), 'utf8')) as Profile)) sum.set(k, (sum.get(k) ?? 0) + v / runs);
    }
    return [...sum].sort((a, b) => b[1] - a[1]).map(([part, share]) => ({ part, share: round(share, 3), ms: round(share * overMs, 1) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
