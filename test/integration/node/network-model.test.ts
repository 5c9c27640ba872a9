import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ModelView, NetworkSettings } from '../../../src/net/model/types.ts';
import { freePortRun } from '../../helpers/ports.ts';
import { modelFor, settingsFor } from '../../helpers/network-model.ts';
import {
  connectAll,
  eventually,
  startNodes,
  stopNodes,
  TestLink,
  testScheduler,
  type TestNode,
} from '../../helpers/nodes.ts';

const scheduler = testScheduler();
after(() => scheduler.close());

const tips = (nodes: TestNode[]) => nodes.map((n) => n.node.tip.hash);

/** `n` nodes on consecutive free ports, node i with its own model built from `settings`. */
async function modelled(
  n: number,
  settings: (addresses: string[]) => NetworkSettings,
  link?: TestLink,
): Promise<{ nodes: TestNode[]; models: ModelView[] }> {
  const base = await freePortRun(n);
  const addresses = Array.from({ length: n }, (_, i) => `127.0.0.1:${base + i}`);
  const s = settings(addresses);
  const models = addresses.map((_, i) => modelFor(s, i));
  const nodes = await startNodes(n, {
    scheduler,
    basePort: base,
    connect: false,
    model: (i) => models[i]!,
    ...(link ? { link } : {}),
  });
  assert.deepEqual(
    nodes.map((x) => x.node.address),
    addresses,
  );
  return { nodes, models };
}

describe('nodes that ask the network model', () => {
  test('over HTTP, a partition mines two chains; at the heal both sides converge on the most-work tip without a new block', async () => {
    const { nodes, models } = await modelled(3, (addresses) =>
      settingsFor(addresses, { kind: 'full' }, [[0], [1, 2]]),
    );
    try {
      await connectAll(nodes);
      const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
      // Each side mines on its own: the pushes and the catch-up before each block cannot cross.
      await a.node.mine();
      await b.node.mine();
      await b.node.mine();
      assert.equal(a.node.tip.height, 1);
      assert.equal(b.node.tip.height, 2);
      await eventually(() => c.node.tip.hash === b.node.tip.hash);
      assert.notEqual(a.node.chain.get(b.node.tip.hash)?.status, 'valid', 'nothing crossed the partition');
      assert.equal(a.node.peers.get(b.node.id)?.credential ?? null, null, 'the hellos did not cross either');

      // The heal, as the manager sends it: new settings to every node, and to each end the links that came back.
      const healed = { ...models[0]!.settings, partition: null };
      const back = [[1, 2], [0], [0]];
      const addressOf = (i: number) => nodes[i]!.node.address;
      await Promise.all(
        nodes.map((n, i) =>
          n.node.relay.updateNetwork(
            healed,
            back[i]!.map((j) => addressOf(j)),
          ),
        ),
      );
      await eventually(() => tips(nodes).every((t) => t === b.node.tip.hash));
      assert.equal(a.node.tip.height, 2, 'the most-work tip, with no block mined since');
      assert.ok(a.node.peers.get(b.node.id)?.credential, 'the handshake was redone');
      for (const m of models) assert.equal(m.settings.partition, null);
    } finally {
      await stopNodes(nodes);
    }
  });

  test('on a 4-node line, a pushed block reaches the far end hop by hop', async () => {
    const link = new TestLink();
    const { nodes, models } = await modelled(4, (a) => settingsFor(a, { kind: 'line' }, null), link);
    try {
      assert.deepEqual(models[0]!.settings.edges, [
        [0, 1],
        [1, 2],
        [2, 3],
      ]);
      await connectAll(nodes);
      const { block } = await nodes[0]!.node.mine();
      await eventually(() => tips(nodes).every((t) => t === nodes[0]!.node.tip.hash));
      assert.equal(nodes[3]!.node.tip.height, 1);
      const addr = nodes.map((n) => n.node.address);
      const hops = link.pushes.map((p) => ({
        from: addr.indexOf(p.from),
        to: p.to.map((t) => addr.indexOf(t)),
      }));
      // Each node relays to its neighbour onward, never back, and node 0 never reaches node 3 directly.
      assert.deepEqual(hops, [
        { from: 0, to: [1] },
        { from: 1, to: [2] },
        { from: 2, to: [3] },
      ]);
      assert.ok(block);
    } finally {
      await stopNodes(nodes);
    }
  });
});
