/** NetworkSettings: made once by the manager (makeSettings), sent to every node, and asked about. */
import type { Edge, LinkOverride, LinkSettings, NetworkSettings, TopologySpec } from './types.ts';
import { NO_LINK_EFFECTS } from './types.ts';
import { ModelError, badValue, shown } from './errors.ts';
import { linkProblem, overlay, settingsOnly } from './link.ts';
import { checkPartition } from './partition.ts';
import { createRng } from './rng.ts';
import { buildTopology, describeTopology } from './topology.ts';

export interface MakeSettingsOptions {
  readonly seed: number;
  /** Advertised addresses, by node index. */
  readonly nodes: readonly string[];
  readonly topology: TopologySpec;
  /** The edges of a `file` topology (parseEdgeFile). */
  readonly fileEdges?: readonly Edge[];
  readonly defaults?: Partial<LinkSettings>;
  readonly links?: readonly LinkOverride[];
  readonly partition?: readonly (readonly number[])[] | null;
}

/**
 * The network's settings: the topology built from stream 0 of the seed (so every node, and every rerun with the
 * seed, sees the same edges), the defaults over NO_LINK_EFFECTS, the per-link overrides (merged by pair, each on
 * an edge of the topology: one that is not is a conflict) and the partition, all checked. Throws ModelError.
 */
export function makeSettings(o: MakeSettingsOptions): NetworkSettings {
  if (!Number.isSafeInteger(o.seed)) throw badValue(`seed must be a whole number, got ${shown(o.seed)}`);
  const n = o.nodes.length;
  const edges = buildTopology(o.topology, n, createRng(o.seed, 0), o.fileEdges);
  const defaults = overlay(NO_LINK_EFFECTS, checkedSettings(o.defaults ?? {}, 'the default link settings'));
  const edgeSet = new Set(edges.map(([a, b]) => a * n + b));
  const byPair = new Map<number, LinkOverride>();
  for (const l of o.links ?? []) {
    for (const x of [l.a, l.b])
      if (!Number.isSafeInteger(x) || x < 0 || x >= n)
        throw badValue(`a link names node ${shown(x)}, but the nodes are 0 to ${n - 1}`);
    if (l.a === l.b) throw badValue(`a link from node ${l.a} to itself`);
    const [a, b] = l.a < l.b ? [l.a, l.b] : [l.b, l.a];
    if (!edgeSet.has(a * n + b))
      throw new ModelError(
        'conflict',
        `there is no link between ${o.nodes[a]} and ${o.nodes[b]} in the topology ${describeTopology(o.topology)}`,
      );
    const settings = checkedSettings(settingsOnly(l), `the link between ${o.nodes[a]} and ${o.nodes[b]}`);
    const before = byPair.get(a * n + b);
    byPair.set(a * n + b, { a, b, ...(before === undefined ? {} : settingsOnly(before)), ...settings });
  }
  const partition =
    o.partition === undefined || o.partition === null
      ? null
      : checkPartition(o.partition, n, (i) => o.nodes[i] ?? String(i));
  return {
    seed: o.seed,
    nodes: [...o.nodes],
    edges,
    topology: o.topology,
    defaults,
    links: [...byPair.values()].sort((p, q) => p.a - q.a || p.b - q.b),
    partition,
  };
}

function checkedSettings(s: Partial<LinkSettings>, what: string): Partial<LinkSettings> {
  const problem = linkProblem(s);
  if (problem !== undefined) throw badValue(`${what}: ${problem}`);
  return settingsOnly(s);
}

/** The group of each node: -1 for all when there is no partition; a node in no group has its own. */
export function groupsOf(settings: NetworkSettings): Int32Array {
  const n = settings.nodes.length;
  const group = new Int32Array(n);
  if (settings.partition === null) return group.fill(-1);
  for (let i = 0; i < n; i++) group[i] = -2 - i;
  for (const [g, members] of settings.partition.entries())
    for (const i of members) if (i >= 0 && i < n) group[i] = g;
  return group;
}

/** Whether `a` and `b` share an edge that no partition cuts. */
export function reachableIn(settings: NetworkSettings, a: number, b: number): boolean {
  if (a === b) return false;
  const [x, y] = a < b ? [a, b] : [b, a];
  if (!settings.edges.some(([p, q]) => p === x && q === y)) return false;
  if (settings.partition === null) return true;
  const group = groupsOf(settings);
  return group[a] === group[b];
}

/** The settings of the link between `a` and `b` (either order): its override over the defaults. */
export function settingsFor(settings: NetworkSettings, a: number, b: number): LinkSettings {
  const [x, y] = a < b ? [a, b] : [b, a];
  const over = settings.links.find((l) => l.a === x && l.b === y);
  return over === undefined ? settings.defaults : overlay(settings.defaults, settingsOnly(over));
}

/**
 * The edges reachable under `after` that were not under `before` (a heal, a new edge): the pairs whose two
 * ends must exchange tips now. Nodes are matched by index.
 */
export function newlyReachable(before: NetworkSettings, after: NetworkSettings): Edge[] {
  const groupBefore = groupsOf(before);
  const groupAfter = groupsOf(after);
  const nb = before.nodes.length;
  const edgesBefore = new Set(before.edges.map(([a, b]) => a * nb + b));
  const was = (a: number, b: number): boolean =>
    a < nb && b < nb && edgesBefore.has(a * nb + b) && groupBefore[a] === groupBefore[b];
  return after.edges.filter(([a, b]) => groupAfter[a] === groupAfter[b] && !was(a, b));
}
