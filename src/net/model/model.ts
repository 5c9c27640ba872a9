/**
 * The network model a node asks about each message it sends: may it pass, and after what delay? Pure: the
 * time is an argument and every draw comes from the seeded generator it was made with.
 */
import type { Decision, LatencySpec, MessageKind, ModelView, NetworkSettings, Rng } from './types.ts';
import { drawLatency } from './latency.ts';
import { createRng } from './rng.ts';
import { groupsOf, settingsFor } from './settings.ts';

const PASS_NOW: Decision = Object.freeze({ pass: true, delayMs: 0 });
const NO_LINK: Decision = Object.freeze({ pass: false, reason: 'no-link' });
const PARTITIONED: Decision = Object.freeze({ pass: false, reason: 'partitioned' });
const LOST: Decision = Object.freeze({ pass: false, reason: 'lost' });
const NO_NEIGHBOURS: readonly number[] = Object.freeze([]);

/**
 * The model, from one node's point of view (it draws from its own stream) but knowing the whole network.
 * update() precomputes what decide() reads: the directed link of each ordered pair (a Map keyed from * n + to,
 * so no n x n table at 10,000 nodes), each link's settings in flat arrays, and each node's partition group.
 * Each direction of a link with a bandwidth is a FIFO: `busyUntil` is when its last booked transfer ends.
 */
export class NetworkModel implements ModelView {
  settings!: NetworkSettings;
  private readonly rng: Rng;
  private n = 0;
  private byAddress = new Map<string, number>();
  /** from * n + to -> directed link slot (2 e for edge e's a -> b, 2 e + 1 for b -> a). */
  private slotOf = new Map<number, number>();
  private group: Int32Array = new Int32Array(0);
  private adjacency: (readonly number[])[] = [];
  /** The directed slot of each of adjacency[i]'s links, in the same order. */
  private neighbourSlots: Int32Array[] = [];
  /** By edge. */
  private latency: LatencySpec[] = [];
  private bandwidth: Float64Array = new Float64Array(0);
  private loss: Float64Array = new Float64Array(0);
  private jitter: Float64Array = new Float64Array(0);
  /** By directed slot. */
  private busyUntil: Float64Array = new Float64Array(0);

  constructor(settings: NetworkSettings, rng: Rng) {
    this.rng = rng;
    this.update(settings);
  }

  indexOf(address: string): number | undefined {
    return this.byAddress.get(address);
  }

  decide(from: number, to: number, kind: MessageKind, bytes: number, nowMs: number): Decision {
    const n = this.n;
    if (!(from >= 0 && from < n && to >= 0 && to < n) || from === to) return PASS_NOW;
    const slot = this.slotOf.get(from * n + to);
    if (slot === undefined) return NO_LINK;
    return this.decideOn(from, to, slot, kind, bytes, nowMs);
  }

  /**
   * decide() for the k-th of neighbours(from), without looking the link up (the virtual-time engine asks this
   * for every neighbour of every node that relays a block): the same answer and the same draws.
   */
  decideNeighbour(from: number, k: number, kind: MessageKind, bytes: number, nowMs: number): Decision {
    return this.decideOn(from, this.adjacency[from]![k]!, this.neighbourSlots[from]![k]!, kind, bytes, nowMs);
  }

  private decideOn(
    from: number,
    to: number,
    slot: number,
    kind: MessageKind,
    bytes: number,
    nowMs: number,
  ): Decision {
    if (this.group[from] !== this.group[to]) return PARTITIONED;
    const edge = slot >> 1;
    let delay = 0;
    const bandwidth = this.bandwidth[edge]!;
    if (bandwidth > 0) {
      // FIFO per direction: the transfer starts when the link is free, and the lost bytes were sent too.
      const busy = this.busyUntil[slot]!;
      const end = (busy > nowMs ? busy : nowMs) + (bytes * 1000) / bandwidth;
      this.busyUntil[slot] = end;
      delay = end - nowMs;
    }
    const loss = this.loss[edge]!;
    if (loss > 0 && (kind === 'block' || kind === 'tx') && this.rng() < loss) return LOST;
    delay += drawLatency(this.latency[edge]!, this.rng);
    const jitter = this.jitter[edge]!;
    if (jitter > 0) delay += jitter * this.rng();
    return delay === 0 ? PASS_NOW : { pass: true, delayMs: delay };
  }

  reachable(a: number, b: number): boolean {
    const n = this.n;
    if (!(a >= 0 && a < n && b >= 0 && b < n)) return false;
    return this.slotOf.has(a * n + b) && this.group[a] === this.group[b];
  }

  neighbours(i: number): readonly number[] {
    return this.adjacency[i] ?? NO_NEIGHBOURS;
  }

  update(settings: NetworkSettings): void {
    const oldN = this.n;
    const oldSlots = this.slotOf;
    const oldBusy = this.busyUntil;
    const n = settings.nodes.length;
    const edges = settings.edges.filter(([a, b]) => a >= 0 && b >= 0 && a < n && b < n && a !== b);
    this.settings = settings;
    this.n = n;
    this.byAddress = new Map(settings.nodes.map((address, i) => [address, i]));
    this.group = groupsOf(settings);
    this.slotOf = new Map();
    this.latency = new Array<LatencySpec>(edges.length);
    this.bandwidth = new Float64Array(edges.length);
    this.loss = new Float64Array(edges.length);
    this.jitter = new Float64Array(edges.length);
    this.busyUntil = new Float64Array(2 * edges.length);
    const adjacency: number[][] = Array.from({ length: n }, () => []);
    for (const [e, [a, b]] of edges.entries()) {
      this.slotOf.set(a * n + b, 2 * e);
      this.slotOf.set(b * n + a, 2 * e + 1);
      adjacency[a]!.push(b);
      adjacency[b]!.push(a);
      const s = settingsFor(settings, a, b);
      this.latency[e] = s.latency;
      this.bandwidth[e] = s.bandwidth ?? 0;
      this.loss[e] = s.loss;
      this.jitter[e] = s.jitterMs;
      // A link that remains keeps its queue: what was being sent is still being sent.
      for (const [slot, x, y] of [
        [2 * e, a, b],
        [2 * e + 1, b, a],
      ] as const) {
        const old = x < oldN && y < oldN ? oldSlots.get(x * oldN + y) : undefined;
        if (old !== undefined) this.busyUntil[slot] = oldBusy[old]!;
      }
    }
    this.adjacency = adjacency.map((list) => Object.freeze(list.sort((p, q) => p - q)));
    this.neighbourSlots = this.adjacency.map((list, i) =>
      Int32Array.from(list, (j) => this.slotOf.get(i * n + j)!),
    );
  }
}

/** Node i's model: stream i + 1 of the run's seed (stream 0 built the topology). */
export function createNetworkModel(settings: NetworkSettings, stream: number): ModelView {
  return new NetworkModel(settings, createRng(settings.seed, stream));
}
