/**
 * The network model's vocabulary: what a network looks like (topology, link settings, partition), in a plain
 * JSON shape the manager sends to every node, and what the model answers about one message. The model itself
 * (model.ts) is pure: no I/O, no clocks, no `Math.random`; time and a seeded generator are arguments, so the live
 * relay and the virtual-time engine ask the same questions and get the same answers from the same seed.
 *
 * Nodes are numbered 0..n-1 (the simulator's node index; `nodes[i]` is node i's advertised address).
 */

/** A latency distribution, in milliseconds. */
export type LatencySpec =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'normal'; readonly meanMs: number; readonly sdMs: number }
  /** SimBlock's draw: shape 5, scale = mean x (shape - 1) / shape, so the mean is `meanMs`. */
  | { readonly kind: 'pareto'; readonly meanMs: number; readonly shape: number };

/** One link's settings (both directions). */
export interface LinkSettings {
  readonly latency: LatencySpec;
  /** Bytes per second; null: unlimited (a message takes no transfer time). */
  readonly bandwidth: number | null;
  /** Probability in [0, 1] that a block or transaction push is lost. Requests and answers are never lost. */
  readonly loss: number;
  /** Each message also waits a uniform draw in [0, jitterMs]. */
  readonly jitterMs: number;
}

/** No latency, no bandwidth limit, no loss, no jitter: today's behaviour. */
export const NO_LINK_EFFECTS: LinkSettings = Object.freeze({
  latency: Object.freeze({ kind: 'fixed' as const, ms: 0 }),
  bandwidth: null,
  loss: 0,
  jitterMs: 0,
});

/** Settings for the link between nodes `a` and `b` (either order), over the defaults. */
export interface LinkOverride extends Partial<LinkSettings> {
  readonly a: number;
  readonly b: number;
}

export type TopologySpec =
  | { readonly kind: 'full' }
  /** Each node opens `k` outbound links to random others; links are two-way. */
  | { readonly kind: 'random'; readonly k: number }
  | { readonly kind: 'ring' }
  | { readonly kind: 'line' }
  /** Node `hub` (default 0) linked to every other. */
  | { readonly kind: 'star'; readonly hub?: number }
  /** A file listing edges (read by the caller, parsed by parseEdgeFile). */
  | { readonly kind: 'file'; readonly path: string };

/** An undirected edge between two node indices, smaller first. */
export type Edge = readonly [number, number];

/**
 * The whole network, as the manager holds it and sends it to every node (JSON-safe: structured-clone and
 * JSON.stringify both keep it). Every node's model is built from the same settings.
 */
export interface NetworkSettings {
  /** The run's seed: node i draws from stream i + 1 of it (the topology from stream 0). */
  readonly seed: number;
  /** Advertised addresses, by node index. */
  readonly nodes: readonly string[];
  /** The topology as an edge list (already built from its spec). */
  readonly edges: readonly Edge[];
  /** What the topology was built from, for display and results. */
  readonly topology: TopologySpec;
  readonly defaults: LinkSettings;
  readonly links: readonly LinkOverride[];
  /** Groups of node indices; a node in no group is alone. null: no partition. */
  readonly partition: readonly (readonly number[])[] | null;
}

/** What the model is asked about. Loss applies to `block` and `tx` pushes only. */
export type MessageKind = 'block' | 'tx' | 'request' | 'answer' | 'hello';

export type BlockedReason = 'partitioned' | 'no-link' | 'lost';

export type Decision =
  | { readonly pass: true; readonly delayMs: number }
  | { readonly pass: false; readonly reason: BlockedReason };

/** A seeded uniform generator in [0, 1) (rng.ts makes them with pure-rand). */
export type Rng = () => number;

/**
 * What the relay asks. model.ts's NetworkModel implements it; `createNetworkModel(settings, stream)` in
 * net/model/index.ts makes one (each node draws from its own stream of the run's seed: stream = index + 1).
 */
export interface ModelView {
  readonly settings: NetworkSettings;
  /** The node index of an advertised address; undefined for an address outside the simulation. */
  indexOf(address: string): number | undefined;
  /**
   * May a message of `bytes` bytes from node `from` to node `to`, sent at `nowMs`, pass, and after what delay
   * (queueing behind earlier messages on a link with limited bandwidth, transfer, latency, jitter)? Draws from
   * the generator and books the link, so ask once per message actually sent.
   */
  decide(from: number, to: number, kind: MessageKind, bytes: number, nowMs: number): Decision;
  /** Whether `a` and `b` share an edge that no partition cuts (no draw). */
  reachable(a: number, b: number): boolean;
  /** The nodes `i` shares an edge with (partition or not). */
  neighbours(i: number): readonly number[];
  /** New settings (a partition, a heal, new link settings); queue state of links that remain is kept. */
  update(settings: NetworkSettings): void;
}
