/**
 * SimBlock's message model for the `bitcoin-2019` preset (net/model/bitcoin-2019*.ts; SimBlock's Node.java and
 * Network.java): a node whose tip changes sends `inv` to its neighbours; a neighbour that lacks the block and has
 * not asked for it yet answers `getdata`; the holder uploads block messages one at a time (a queue per node,
 * and the next upload starts when the previous one has arrived); with compact block relay at both ends the block
 * goes as a compact block, which the receiver may fail to reconstruct and then asks for the missing transactions
 * (`getblocktxn`, queued like a getdata). inv, getdata and getblocktxn take a latency draw + 10 ms; a block
 * message takes its transfer time at the link's bandwidth plus a latency draw.
 *
 * Exactly equivalent shortcuts: an inv is not sent to a node that has the block or already asked for it, nor when
 * another inv would reach it first (it would ignore this one). Partitions of the generic model apply: nothing is
 * sent across groups; messages already under way arrive.
 */
import {
  bitcoin2019BlockMessage,
  bitcoin2019LatencyMs,
  bitcoin2019TransferMs,
  groupsOf,
  newlyReachable,
  type NetworkSettings,
  type RegionalNetwork,
  type Rng,
} from '../net/model/index.ts';
import type { VirtualBlock } from './store.ts';
import { FIRST_TRANSPORT_KIND, perBlockRows, type Transport, type TransportHost } from './transport.ts';

const INV = FIRST_TRANSPORT_KIND;
const GETDATA = FIRST_TRANSPORT_KIND + 1;
const BLOCK = FIRST_TRANSPORT_KIND + 2;
/** A compact block arrived that its receiver could not reconstruct. */
const COMPACT_FAILED = FIRST_TRANSPORT_KIND + 3;
const GETBLOCKTXN = FIRST_TRANSPORT_KIND + 4;

/** What SimBlock adds to a control message's latency (AbstractMessageTask.getInterval). */
const CONTROL_MS = 10;

export function invTransport(
  host: TransportHost,
  net: RegionalNetwork,
  settings: NetworkSettings,
  rng: Rng,
): Transport {
  const n = host.nodes;
  const { queue, views, store } = host;
  const region = net.regionOf;
  const { offsets, adjacency } = net;
  let group = groupsOf(settings);
  const across = (a: number, b: number): boolean => group[a] !== group[b];
  const latency = (from: number, to: number): number => bitcoin2019LatencyMs(region[from]!, region[to]!, rng);
  /** Block id * n + node: the node asked for the block (a getdata on its way or answered). */
  const requested = new Set<number>();
  /** Block id * n + requester: the missing transactions' bytes of a failed compact block. */
  const missing = new Map<number, number>();
  /** Per block id: when the first inv reaches each node (Infinity: none is on its way). */
  const dueRow = perBlockRows(n, Number.POSITIVE_INFINITY);
  /** Each node's upload queue: [kind (GETDATA or GETBLOCKTXN), block id, requester] triples, from `head`. */
  const uploads: number[][] = Array.from({ length: n }, () => []);
  const head = new Uint32Array(n);
  const sending = new Uint8Array(n);
  let fetches = 0;

  const sendNext = (holder: number): void => {
    const q = uploads[holder]!;
    const now = host.now();
    while (head[holder]! < q.length) {
      const i = head[holder]!;
      head[holder] = i + 3;
      const [kind, id, to] = [q[i]!, q[i + 1]!, q[i + 2]!];
      if (head[holder] === q.length) {
        q.length = 0;
        head[holder] = 0;
      }
      if (across(holder, to)) {
        requested.delete(id * n + to); // asked for again once the link is back
        continue;
      }
      let bytes: number;
      let failed = false;
      if (kind === GETDATA) {
        const msg = bitcoin2019BlockMessage(net, holder, to, rng);
        bytes = msg.bytes;
        if (msg.missingBytes > 0) {
          failed = true;
          missing.set(id * n + to, msg.missingBytes);
        }
      } else {
        bytes = missing.get(id * n + to) ?? 0;
        missing.delete(id * n + to);
      }
      const delay = bitcoin2019TransferMs(bytes, region[holder]!, region[to]!) + latency(holder, to);
      sending[holder] = 1;
      queue.push(now + delay, failed ? COMPACT_FAILED : BLOCK, id, holder, to);
      return;
    }
    sending[holder] = 0;
  };

  const enqueue = (holder: number, kind: number, id: number, requester: number): void => {
    uploads[holder]!.push(kind, id, requester);
    if (!sending[holder]) sendNext(holder);
  };

  const request = (node: number, from: number, block: VirtualBlock): boolean => {
    const key = block.id * n + node;
    if (requested.has(key) || across(node, from)) return false;
    requested.add(key);
    queue.push(host.now() + latency(node, from) + CONTROL_MS, GETDATA, block.id, node, from);
    return true;
  };

  const sendInv = (from: number, to: number, block: VirtualBlock, row: Float64Array): void => {
    if (views.has(to, block) || requested.has(block.id * n + to) || across(from, to)) return;
    const at = host.now() + latency(from, to) + CONTROL_MS;
    if (at >= row[to]!) return;
    row[to] = at;
    queue.push(at, INV, block.id, from, to);
  };

  return {
    name: 'bitcoin-2019',
    tipsOnly: true,
    get fetches() {
      return fetches;
    },
    announce(node, block, except) {
      const row = dueRow(block);
      for (let k = offsets[node]!; k < offsets[node + 1]!; k++) {
        const j = adjacency[k]!;
        if (j !== except) sendInv(node, j, block, row);
      }
    },
    fetch(node, from, parent) {
      if (request(node, from, parent)) fetches++;
    },
    handle(kind, a, b, c) {
      const block = store.get(a);
      switch (kind) {
        case INV:
          if (!views.has(c, block)) request(c, b, block);
          break;
        case GETDATA:
          enqueue(c, GETDATA, a, b);
          break;
        case GETBLOCKTXN:
          enqueue(c, GETBLOCKTXN, a, b);
          break;
        case BLOCK:
          sendNext(b);
          host.receive(c, block, b);
          // Once the node has it, its view answers "has it"; the request mark stays only while it waits for a parent.
          if (views.has(c, block)) requested.delete(a * n + c);
          break;
        case COMPACT_FAILED:
          sendNext(b);
          queue.push(host.now() + latency(c, b) + CONTROL_MS, GETBLOCKTXN, a, c, b);
          break;
      }
    },
    forget(block) {
      dueRow.drop(block);
    },
    update(before, after) {
      group = groupsOf(after);
      // The ends of every link that came back tell each other their tips.
      for (const [a, b] of newlyReachable(before, after)) {
        sendInv(a, b, views.bestOf(a), dueRow(views.bestOf(a)));
        sendInv(b, a, views.bestOf(b), dueRow(views.bestOf(b)));
      }
    },
  };
}
