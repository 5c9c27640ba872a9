/**
 * How blocks travel between the engine's nodes. The engine (engine.ts) owns the clock, mining, fork choice and
 * the ledger; a transport owns the messages: push-transport.ts pushes whole blocks through the generic network
 * model (net/model/model.ts, as the live relay does), inv-transport.ts exchanges inv, getdata and block messages
 * as SimBlock's Bitcoin model does (`--model bitcoin-2019`). Both hand a block that reached a node back to the
 * engine (`receive`), which connects it, or asks the transport to fetch its missing parent.
 */
import type { NetworkSettings } from '../net/model/index.ts';
import type { EventQueue } from './event-queue.ts';
import type { BlockStore, VirtualBlock } from './store.ts';
import type { NodeViews } from './views.ts';

/** Event kinds below this are the engine's; a transport numbers its own from here. */
export const FIRST_TRANSPORT_KIND = 2;

export interface TransportHost {
  readonly nodes: number;
  readonly queue: EventQueue;
  readonly views: NodeViews;
  readonly store: BlockStore;
  /** The virtual time of the event being handled (ms). */
  now(): number;
  /** The whole of `block` reached `node` from `from`. */
  receive(node: number, block: VirtualBlock, from: number): void;
}

export interface Transport {
  readonly name: string;
  /**
   * Only blocks that become a node's tip are announced (Bitcoin Core and SimBlock), rather than every block a
   * node accepts (chainsim's live relay pushes what it accepted).
   */
  readonly tipsOnly: boolean;
  /** Blocks fetched because a node lacked them (a lost or overtaken message, a heal). */
  readonly fetches: number;
  /** `node` has `block` and tells its neighbours but `except` (the sender; -1 for none). */
  announce(node: number, block: VirtualBlock, except: number): void;
  /** `node` lacks `missing` (the parent of a block `from` sent): it asks `from` for it. */
  fetch(node: number, from: number, missing: VirtualBlock): void;
  /** One of the transport's own events. */
  handle(kind: number, a: number, b: number, c: number): void;
  /** New settings (a partition, a heal, link settings); the ends of links that came back exchange tips. */
  update(before: NetworkSettings, after: NetworkSettings): void;
  /** Every node has `block`: what the transport kept per node for it can go. */
  forget(block: VirtualBlock): void;
}

/**
 * Per block id, a row of one number per node, made on first use and filled with `fill` (when a message about the
 * block is first due at each node: the transports skip a copy that would come later); `drop` frees a block's row.
 */
export interface PerBlockRows {
  (block: VirtualBlock): Float64Array;
  drop(block: VirtualBlock): void;
}

export function perBlockRows(nodes: number, fill: number): PerBlockRows {
  const rows = new Map<number, Float64Array>();
  const get = (block: VirtualBlock): Float64Array => {
    let row = rows.get(block.id);
    if (row === undefined) {
      row = new Float64Array(nodes).fill(fill);
      rows.set(block.id, row);
    }
    return row;
  };
  return Object.assign(get, { drop: (block: VirtualBlock) => void rows.delete(block.id) });
}
