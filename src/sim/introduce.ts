/**
 * Introducing a simulation's nodes to each other as the old Flask project did, over real HTTP: once every node's
 * `GET /node/id` has answered, `POST /nodes/register` to each node, but along the topology's edges: each node
 * gets its neighbours (the full mesh for `full`, and for the default `random:8` up to 9 nodes).
 */
import type { Logger } from 'pino';
import { httpJSON } from '../net/http-client.ts';
import type { NodeHandle } from './types.ts';

export interface NodeIdAnswer {
  readonly node: string;
  readonly address: string;
}

export async function registerNeighbours(o: {
  /** The nodes that are up. */
  readonly up: readonly NodeHandle[];
  /** Every node's `GET /node/id` answer, by index. */
  readonly infos: readonly NodeIdAnswer[];
  /** The indices of a node's neighbours. */
  readonly neighbours: (index: number) => readonly number[];
  readonly token: string | undefined;
  readonly log: Logger;
}): Promise<void> {
  let ends = 0;
  await Promise.all(
    o.up.map(async (n) => {
      const peers = o.neighbours(n.index).map((i) => o.infos[i]!);
      ends += peers.length;
      // An empty list is refused (and there is nobody to introduce).
      if (peers.length === 0) return;
      const body = { nodes: peers.map((i) => i.node), addresses: peers.map((i) => i.address) };
      await httpJSON(`http://${n.address}/nodes/register`, { method: 'POST', body, token: o.token });
    }),
  );
  o.log.info(
    { nodes: o.up.length, links: ends / 2 },
    `registered ${o.up.length} node(s) with their neighbours: ${ends / 2} link(s)`,
  );
}
