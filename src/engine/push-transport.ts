/**
 * Whole blocks pushed through the generic network model, as chainsim's live relay pushes them: every push,
 * fetch and tip exchange is one `decide()` of the model (latency, bandwidth queue, jitter, loss, partitions).
 */
import { createRng, type NetworkSettings, NetworkModel, newlyReachable } from '../net/model/index.ts';
import { FIRST_TRANSPORT_KIND, perBlockRows, type Transport, type TransportHost } from './transport.ts';

const PUSH = FIRST_TRANSPORT_KIND;
const ANSWER = FIRST_TRANSPORT_KIND + 1;

/** Bytes of a block request (a getdata with one hash, about). */
const REQUEST_BYTES = 61;

export function pushTransport(host: TransportHost, settings: NetworkSettings): Transport {
  const n = host.nodes;
  const { queue, views, store } = host;
  // One model for the whole network, drawing from stream 1 of the seed (the topology was stream 0).
  const model = new NetworkModel(settings, createRng(settings.seed, 1));
  /** Block id * n + node: a fetch of that block by that node is on its way. */
  const fetching = new Set<number>();
  /** Per block id: when a copy already on its way reaches each node (Infinity: none is). */
  const dueRow = perBlockRows(n, Number.POSITIVE_INFINITY);
  let fetches = 0;

  return {
    name: 'push',
    tipsOnly: false,
    get fetches() {
      return fetches;
    },
    /**
     * Pushes `block` to the neighbours. A copy that would arrive after one already on its way is not queued: it
     * could change nothing (the link's time is still booked, as the push was still decided).
     */
    announce(node, block, except) {
      const now = host.now();
      const row = dueRow(block);
      const neighbours = model.neighbours(node);
      for (let k = 0; k < neighbours.length; k++) {
        const j = neighbours[k]!;
        if (j === except || views.has(j, block)) continue;
        const d = model.decideNeighbour(node, k, 'block', block.bytes, now);
        if (!d.pass) continue;
        const at = now + d.delayMs;
        if (at >= row[j]!) continue;
        row[j] = at;
        queue.push(at, PUSH, block.id, node, j);
      }
    },
    fetch(node, from, missing) {
      const key = missing.id * n + node;
      if (fetching.has(key)) return;
      const now = host.now();
      const ask = model.decide(node, from, 'request', REQUEST_BYTES, now);
      if (!ask.pass) return;
      const answer = model.decide(from, node, 'answer', missing.bytes, now + ask.delayMs);
      if (!answer.pass) return;
      fetching.add(key);
      fetches++;
      queue.push(now + ask.delayMs + answer.delayMs, ANSWER, missing.id, from, node);
    },
    handle(kind, a, b, c) {
      if (kind === ANSWER) fetching.delete(a * n + c);
      host.receive(c, store.get(a), b);
    },
    forget(block) {
      dueRow.drop(block);
    },
    update(before, after) {
      model.update(after);
      const now = host.now();
      for (const [a, b] of newlyReachable(before, after)) {
        for (const [x, y] of [
          [a, b],
          [b, a],
        ] as const) {
          const tip = views.bestOf(x);
          if (views.has(y, tip)) continue;
          const d = model.decide(x, y, 'answer', tip.bytes, now);
          if (d.pass) queue.push(now + d.delayMs, ANSWER, tip.id, x, y);
        }
      }
    },
  };
}
