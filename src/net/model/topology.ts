/** Topologies: how they are written ('full', 'random:8', 'ring', 'line', 'star', a file) and built. */
import type { Edge, Rng, TopologySpec } from './types.ts';
import { ModelError, badValue, shown } from './errors.ts';

const KEYWORDS =
  "full, random:K (K outbound links per node, like Bitcoin Core's 8), ring, line, star, star:HUB";

/**
 * A --topology value: a keyword, or else the path of a file listing edges ('file:PATH' says so explicitly).
 * A keyword with a bad argument ('random:x', 'star:-1') is refused rather than read as a path.
 */
export function parseTopology(text: string): TopologySpec {
  if (typeof text !== 'string' || text.trim() === '')
    throw badValue(`topology must be one of ${KEYWORDS}, or a file of edges, got ${shown(text)}`);
  const t = text.trim();
  if (t === 'full' || t === 'ring' || t === 'line') return { kind: t };
  if (t === 'star') return { kind: 'star' };
  if (t.startsWith('file:')) return { kind: 'file', path: t.slice('file:'.length) };
  const m = /^(random|star):(.*)$/.exec(t);
  if (m !== null) {
    const n = /^\d+$/.test(m[2]!) ? Number(m[2]) : NaN;
    if (!Number.isSafeInteger(n))
      throw badValue(
        m[1] === 'random'
          ? `topology random:K needs a whole number K of 0 or more, like random:8, got ${shown(text)}`
          : `topology star:HUB needs the hub's node number (0 for the first node), like star:0, got ${shown(text)}`,
      );
    return m[1] === 'random' ? { kind: 'random', k: n } : { kind: 'star', hub: n };
  }
  return { kind: 'file', path: t };
}

/** As parseTopology reads it back: 'random:8', 'star', 'star:3', 'file:edges.txt'. */
export function describeTopology(spec: TopologySpec): string {
  switch (spec.kind) {
    case 'random':
      return `random:${spec.k}`;
    case 'star':
      return spec.hub === undefined || spec.hub === 0 ? 'star' : `star:${spec.hub}`;
    case 'file':
      return `file:${spec.path}`;
    default:
      return spec.kind;
  }
}

/** How many times random:K is redrawn to get a connected graph before saying it cannot. */
export const RANDOM_TOPOLOGY_DRAWS = 200;

/** Sorted, deduplicated edges, each smaller index first. */
export function normaliseEdges(edges: Iterable<readonly [number, number]>): Edge[] {
  const seen = new Set<string>();
  const out: Edge[] = [];
  for (const [x, y] of edges) {
    const e: Edge = x < y ? [x, y] : [y, x];
    const key = `${e[0]},${e[1]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

/** Whether the n nodes are connected by the edges (union-find). */
export function isConnected(n: number, edges: readonly (readonly [number, number])[]): boolean {
  if (n <= 1) return true;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  let components = n;
  for (const [a, b] of edges) {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) {
      parent[ra] = rb;
      components--;
    }
  }
  return components === 1;
}

function fullMesh(n: number): Edge[] {
  const out: Edge[] = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) out.push([a, b]);
  return out;
}

/** Each node opens k links to distinct others chosen uniformly (a partial Fisher-Yates shuffle). */
function randomOutbound(n: number, k: number, rng: Rng): Edge[] {
  const edges: [number, number][] = [];
  const others = new Int32Array(n - 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0, o = 0; j < n; j++) if (j !== i) others[o++] = j;
    for (let c = 0; c < k; c++) {
      const pick = c + Math.floor(rng() * (n - 1 - c));
      const chosen = others[pick]!;
      others[pick] = others[c]!;
      others[c] = chosen;
      edges.push([i, chosen]);
    }
  }
  return normaliseEdges(edges);
}

/**
 * The edges of a topology over n nodes. random:K: each node opens K outbound links to distinct random others
 * and links are two-way (so a node has at least K links, more when others chose it); K >= n - 1 is the full
 * mesh (random:8 is the full mesh up to 9 nodes). The graph must be connected: it is redrawn up to
 * RANDOM_TOPOLOGY_DRAWS times, then refused. A file topology takes its edges from `fileEdges` (parseEdgeFile).
 */
export function buildTopology(
  spec: TopologySpec,
  n: number,
  rng: Rng,
  fileEdges?: readonly (readonly [number, number])[],
): Edge[] {
  if (!Number.isSafeInteger(n) || n < 0)
    throw badValue(`the number of nodes must be 0 or more, got ${shown(n)}`);
  switch (spec.kind) {
    case 'full':
      return fullMesh(n);
    case 'ring':
      if (n <= 2) return fullMesh(n);
      return normaliseEdges(Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as const));
    case 'line':
      return Array.from({ length: Math.max(0, n - 1) }, (_, i): Edge => [i, i + 1]);
    case 'star': {
      const hub = spec.hub ?? 0;
      if (n === 0) return [];
      if (!Number.isSafeInteger(hub) || hub < 0 || hub >= n)
        throw badValue(`the star's hub must be a node from 0 to ${n - 1}, got ${shown(hub)}`);
      return normaliseEdges(Array.from({ length: n - 1 }, (_, i) => [hub, i < hub ? i : i + 1] as const));
    }
    case 'random': {
      const k = spec.k;
      if (!Number.isSafeInteger(k) || k < 0)
        throw badValue(`topology random:K needs a whole number K of 0 or more, got ${shown(k)}`);
      if (n <= 1) return [];
      if (k >= n - 1) return fullMesh(n);
      if (k === 0)
        throw new ModelError('bad-value', `random:0 cannot connect ${n} nodes: use random:1 or more`);
      for (let draw = 0; draw < RANDOM_TOPOLOGY_DRAWS; draw++) {
        const edges = randomOutbound(n, k, rng);
        if (isConnected(n, edges)) return edges;
      }
      throw badValue(
        `random:${k} did not give a connected network of ${n} nodes in ${RANDOM_TOPOLOGY_DRAWS} draws: ` +
          `use a larger K (random:${Math.min(k + 1, n - 1)} or more)`,
      );
    }
    case 'file': {
      if (fileEdges === undefined)
        throw badValue(`the topology file ${shown(spec.path)} was not read (its edges are missing)`);
      for (const [a, b] of fileEdges) {
        for (const x of [a, b])
          if (!Number.isSafeInteger(x) || x < 0 || x >= n)
            throw badValue(`the topology file names node ${shown(x)}, but the nodes are 0 to ${n - 1}`);
        if (a === b) throw badValue(`the topology file links node ${a} to itself`);
      }
      return normaliseEdges(fileEdges);
    }
    default:
      throw badValue(`unknown topology ${shown((spec as { kind: unknown }).kind)} (expected ${KEYWORDS})`);
  }
}
