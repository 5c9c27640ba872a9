/**
 * The manager's control of the network model: it holds the run's NetworkSettings (built once from the options and
 * the seed), changes them live (a partition, a heal, link settings, hash-power shares) and tells every node that is
 * up. Each change checks everything first, so a bad value (a ModelError) changes nothing; then every up worker gets
 * `{type:'network', settings, reconnect}`, where `reconnect` lists the peers it has just regained a link to (so it
 * exchanges tips with them at once), the simulation emits `network`, and the answer is the new state (`view()`).
 *
 * The API speaks in ports; the model in node indices (port - base port). Conversions happen here, at the edge.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import {
  checkPartition,
  describeLink,
  describeTopology,
  linkSettingsFrom,
  makeSettings,
  ModelError,
  newlyReachable,
  reachableIn,
  settingsFor,
  type MakeSettingsOptions,
} from '../net/model/index.ts';
import type { Edge, LinkOverride, NetworkSettings, TopologySpec } from '../net/model/types.ts';
import type { ManagerMessage } from '../node/worker-protocol.ts';
import { SimulationError } from './errors.ts';
import { renormaliseShares } from './shares.ts';
import type { ModelOptions, NodeState, SimEvents } from './types.ts';

/** What the control needs of a node (a NodeHandle has all of it; tests pass plain objects). */
export interface ControlledNode {
  readonly index: number;
  readonly port: number;
  readonly address: string;
  readonly state: NodeState;
  share: number;
  readonly pow: { setShare(share: number): void } | null;
}

export type NetworkChange = SimEvents['network'][0];

export interface NetworkControlOptions {
  readonly model?: ModelOptions | undefined;
  /** The simulation's nodes, by index. */
  readonly nodes: readonly ControlledNode[];
  /** Posts a message to a node's worker. */
  readonly send: (node: ControlledNode, msg: ManagerMessage) => void;
  /** The simulation's `network` event. */
  readonly emit: (change: NetworkChange) => void;
  readonly log?: Logger;
  readonly now?: () => number;
}

/** One link's settings as GET /network shows them (model/describeLink: units spelled out). */
export type LinkDescription = ReturnType<typeof describeLink>;

/** The model's part of GET /network (and of summary.json's `settings`): ports, not indices. */
export interface NetworkModelView {
  readonly seed: number;
  readonly topology: { readonly spec: string; readonly edges: ReadonlyArray<readonly [number, number]> };
  /** Groups of ports; null: no partition. A node in no group is alone. */
  readonly partition: ReadonlyArray<readonly number[]> | null;
  readonly links: {
    readonly defaults: LinkDescription;
    /** Links whose settings differ from the defaults, with their effective settings. */
    readonly overrides: ReadonlyArray<{ readonly from: number; readonly to: number } & LinkDescription>;
  };
  /** Hash-power share (percent) per node. */
  readonly shares: ReadonlyArray<{ readonly node: number; readonly share: number }>;
}

/** A POST /network/links body: from/to are ports (both or neither); the rest as linkSettingsFrom reads them. */
export interface LinksChange {
  readonly from?: number;
  readonly to?: number;
  readonly latency?: unknown;
  readonly bandwidth?: unknown;
  readonly loss?: unknown;
  readonly jitter?: unknown;
}

/** What makeSettings is built from (indices); kept so every change rebuilds and rechecks the whole. */
type Spec = MakeSettingsOptions;

/** The default topology: Bitcoin Core's 8 outbound links, which is the full mesh up to 9 nodes. */
export const DEFAULT_TOPOLOGY: TopologySpec = Object.freeze({ kind: 'random', k: 8 });

/** A seed for a run that was given none: random, then printed and recorded like a given one. */
export function randomSeed(): number {
  return randomInt(0, 2 ** 31);
}

export class NetworkControl {
  private spec: Spec;
  private current: NetworkSettings;
  private readonly nodes: readonly ControlledNode[];
  private readonly byPort: Map<number, ControlledNode>;
  private readonly o: NetworkControlOptions;
  /** Neighbours by index, rebuilt only if the edges change (they do not: the topology is fixed for a run). */
  private adjacency: number[][];

  /** Builds the settings from the options (throws ModelError for a bad topology, link or partition). */
  constructor(o: NetworkControlOptions) {
    this.o = o;
    this.nodes = o.nodes;
    this.byPort = new Map(o.nodes.map((n) => [n.port, n]));
    const m = o.model ?? {};
    this.spec = {
      seed: m.seed ?? randomSeed(),
      nodes: o.nodes.map((n) => n.address),
      topology: m.topology ?? DEFAULT_TOPOLOGY,
      ...(m.fileEdges ? { fileEdges: m.fileEdges } : {}),
      ...(m.defaults ? { defaults: m.defaults } : {}),
      ...(m.links ? { links: m.links } : {}),
      partition: m.partition ?? null,
    };
    this.current = makeSettings(this.spec);
    this.adjacency = adjacencyOf(this.current.edges, o.nodes.length);
  }

  get settings(): NetworkSettings {
    return this.current;
  }

  get seed(): number {
    return this.current.seed;
  }

  /** The ports of the nodes `port` shares an edge with (partitioned or not). */
  neighbours(port: number): number[] {
    const n = this.byPort.get(port);
    return n ? (this.adjacency[n.index] ?? []).map((i) => this.nodes[i]!.port) : [];
  }

  /** Whether two nodes share an edge that no partition cuts. */
  reachable(a: number, b: number): boolean {
    const x = this.byPort.get(a);
    const y = this.byPort.get(b);
    return x !== undefined && y !== undefined && reachableIn(this.current, x.index, y.index);
  }

  /** The node's partition group (0-based, as listed); null when there is no partition or it is in no group. */
  groupOf(port: number): number | null {
    const n = this.byPort.get(port);
    const groups = this.current.partition;
    if (!n || !groups) return null;
    const g = groups.findIndex((group) => group.includes(n.index));
    return g < 0 ? null : g;
  }

  /** `POST /network/partition`: groups of ports; nothing crosses between groups until a heal. */
  partition(groups: ReadonlyArray<readonly number[]>): NetworkModelView {
    const indices = groups.map((group) => group.map((port) => this.indexOf(port, 'partition')));
    // Checked here first so a refusal names the ports the caller gave, not the advertised addresses.
    checkPartition(indices, this.nodes.length, (i) => String(this.nodes[i]!.port));
    return this.apply('partition', { ...this.spec, partition: indices });
  }

  /** `POST /network/heal`: every link is back; the ends of each exchange tips at once. */
  heal(): NetworkModelView {
    if (!this.current.partition)
      throw new ModelError('conflict', 'there is no partition to heal: POST /network/partition first');
    return this.apply('heal', { ...this.spec, partition: null });
  }

  /**
   * `POST /network/links`: latency, bandwidth, loss, jitter for the link between `from` and `to` (an override:
   * what it does not set follows the defaults), or for every link (the defaults) when both are omitted.
   */
  setLinks(change: LinksChange): NetworkModelView {
    const { from, to, ...fields } = change;
    const settings = linkSettingsFrom(fields);
    if (Object.keys(settings).length === 0) {
      throw new ModelError(
        'bad-value',
        'give at least one of latency (like "200ms"), bandwidth ("1MB/s"), loss (0.01 or "1%"), jitter ("5ms")',
      );
    }
    if (from === undefined && to === undefined) {
      return this.apply('links', { ...this.spec, defaults: { ...this.spec.defaults, ...settings } });
    }
    if (from === undefined || to === undefined) {
      throw new ModelError(
        'bad-value',
        'give both "from" and "to" (the ports of one link), or neither to change every link',
      );
    }
    const a = this.indexOf(from, 'from');
    const b = this.indexOf(to, 'to');
    if (a === b)
      throw new ModelError('bad-value', `"from" and "to" are both ${from}: a link joins two nodes`);
    if (!(this.adjacency[a] ?? []).includes(b)) {
      throw new ModelError(
        'conflict',
        `nodes ${from} and ${to} share no link in this topology (${describeTopology(this.current.topology)}); ` +
          `${from} links to ${this.neighbours(from).join(', ') || 'nothing'}`,
      );
    }
    const [lo, hi] = a < b ? [a, b] : [b, a];
    const links = this.spec.links ?? [];
    const old = links.find((l) => l.a === lo && l.b === hi);
    const merged: LinkOverride = { ...old, ...settings, a: lo, b: hi };
    const next = [...links.filter((l) => l !== old), merged];
    return this.apply('links', { ...this.spec, links: next });
  }

  /**
   * `POST /nodes/:port/hash-power`: the node gets `share` of 100 and the others keep their proportions in the rest;
   * each changed node's pool client follows at once. Not a change of the model: no `network` message.
   */
  setShare(port: number, share: number): NetworkModelView {
    const node = this.byPort.get(port);
    if (!node) throw new ModelError('bad-value', `port ${port} is not a node of this simulation`);
    const next = renormaliseShares(
      this.nodes.map((n) => n.share),
      node.index,
      share,
    );
    this.nodes.forEach((n, i) => {
      const s = next[i]!;
      if (s === n.share) return;
      n.share = s;
      n.pow?.setShare(s);
    });
    this.o.log?.info(
      { node: port, shares: next },
      `hash power: node ${port} has ${share}%; shares ${next.map((s) => round(s)).join('/')}`,
    );
    return this.view();
  }

  /**
   * A node is back up (started again): it and each neighbour it can reach hear that their link is back, so
   * they exchange tips at once.
   */
  nodeStarted(port: number): void {
    const node = this.byPort.get(port);
    if (!node) return;
    const back: ControlledNode[] = [];
    for (const p of this.neighbours(port)) {
      const peer = this.byPort.get(p)!;
      if (peer.state !== 'up' || !reachableIn(this.current, node.index, peer.index)) continue;
      back.push(peer);
      this.o.send(peer, { type: 'network', settings: this.current, reconnect: [node.address] });
    }
    this.o.send(node, {
      type: 'network',
      settings: this.current,
      reconnect: back.map((p) => p.address),
    });
    this.event('start', `node ${port} started: ${back.length} link(s) back`);
  }

  /** A node was stopped on purpose (its data stays). */
  nodeStopped(port: number): void {
    this.event('stop', `node ${port} stopped`);
  }

  /** The model's part of GET /network, in ports. */
  view(): NetworkModelView {
    const s = this.current;
    const port = (i: number): number => this.nodes[i]!.port;
    return {
      seed: s.seed,
      topology: {
        spec: describeTopology(s.topology),
        edges: s.edges.map(([a, b]) => [port(a), port(b)] as const),
      },
      partition: s.partition ? s.partition.map((g) => g.map(port)) : null,
      links: {
        defaults: describeLink(s.defaults),
        overrides: s.links.map((l) => ({
          from: port(l.a),
          to: port(l.b),
          ...describeLink(settingsFor(s, l.a, l.b)),
        })),
      },
      shares: this.nodes.map((n) => ({ node: n.port, share: round(n.share) })),
    };
  }

  private indexOf(port: number, field: string): number {
    const n = this.byPort.get(port);
    if (n) return n.index;
    const first = this.nodes[0]?.port;
    const last = this.nodes[this.nodes.length - 1]?.port;
    throw new ModelError(
      'bad-value',
      `${field}: port ${port} is not a node of this simulation (the nodes are ${first}-${last})`,
    );
  }

  /** Builds and checks the new settings (throws, changing nothing), then tells every node that is up. */
  private apply(kind: NetworkChange['kind'], next: Spec): NetworkModelView {
    const settings = makeSettings(next);
    const before = this.current;
    this.spec = next;
    this.current = settings;
    this.adjacency = adjacencyOf(settings.edges, this.nodes.length);
    const back = newlyReachable(before, settings);
    for (const node of this.nodes) {
      if (node.state !== 'up') continue;
      const reconnect = back.flatMap(([a, b]) =>
        a === node.index ? [this.nodes[b]!.address] : b === node.index ? [this.nodes[a]!.address] : [],
      );
      this.o.send(node, { type: 'network', settings, reconnect });
    }
    const view = this.view();
    const what =
      kind === 'partition'
        ? `partition ${view.partition!.map((g) => g.join(',')).join(' | ')}`
        : kind === 'heal'
          ? `healed: ${back.length} link(s) back`
          : `links: defaults ${JSON.stringify(view.links.defaults)}, ${view.links.overrides.length} override(s)`;
    this.event(kind, what);
    return view;
  }

  private event(kind: NetworkChange['kind'], what: string): void {
    const at = (this.o.now ?? Date.now)();
    this.o.log?.info({ network: kind }, `network: ${what}`);
    this.o.emit({ kind, at });
  }
}

/** A simulation's control; a model its options cannot make (a bad topology, link or partition) is a SimulationError. */
export function createNetworkControl(o: NetworkControlOptions): NetworkControl {
  try {
    return new NetworkControl(o);
  } catch (err) {
    if (err instanceof ModelError) throw new SimulationError(`the network model: ${err.message}`);
    throw err;
  }
}

function adjacencyOf(edges: readonly Edge[], n: number): number[][] {
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    adj[a]?.push(b);
    adj[b]?.push(a);
  }
  for (const list of adj) list.sort((x, y) => x - y);
  return adj;
}

/** Shares shown with 2 decimals at most (they are percentages). */
function round(x: number): number {
  return Math.round(x * 100) / 100;
}
