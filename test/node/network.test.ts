import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { blockHash, blockToJSON, type Block } from '../../src/consensus/index.ts';
import { NODE_ADDRESS_HEADER, NODE_ID_HEADER } from '../../src/node/node.ts';
import { mineOn } from '../helpers/chain.ts';
import {
  connectAll,
  eventually,
  startNodes,
  stopNodes,
  testScheduler,
  type TestNode,
} from '../helpers/nodes.ts';

const scheduler = testScheduler();
after(() => scheduler.close());

const tips = (nodes: TestNode[]) => nodes.map((n) => n.node.chain.tip.hash);
const allEqual = (xs: string[]) => xs.every((x) => x === xs[0]);

describe('a network of nodes on loopback', () => {
  test('a block mined on one node reaches all five', async () => {
    const nodes = await startNodes(5, { scheduler });
    try {
      const res = await fetch(`${nodes[2]!.url}/mine`);
      const { block } = (await res.json()) as { block: { hash: string; height: number } };
      assert.equal(block.height, 1);
      // GET /mine answers after announcing, so every node has it now.
      assert.deepEqual(
        tips(nodes),
        nodes.map(() => block.hash),
      );
      for (const n of nodes) {
        const chain = (await (await fetch(`${n.url}/chain`)).json()) as { length: number };
        assert.equal(chain.length, 2);
      }
    } finally {
      await stopNodes(nodes);
    }
  });

  test('two nodes mining apart fork; the next block resolves the fork to the most work everywhere', async () => {
    const nodes = await startNodes(3, { scheduler, connect: false });
    try {
      const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
      await fetch(`${a.url}/mine`);
      await fetch(`${b.url}/mine`);
      await fetch(`${b.url}/mine`);
      assert.equal(a.node.chain.height, 1);
      assert.equal(b.node.chain.height, 2);
      assert.notEqual(a.node.chain.at(1)!.hash, b.node.chain.at(1)!.hash);
      connectAll(nodes);
      // a mines on its own (shorter) branch... no: /mine first catches up, so a adopts b's chain, then extends it.
      const res = (await (await fetch(`${a.url}/mine`)).json()) as {
        block: { height: number; hash: string };
      };
      assert.equal(res.block.height, 3);
      await eventually(() => allEqual(tips(nodes)));
      assert.equal(c.node.chain.tip.hash, res.block.hash);
      assert.equal(a.node.chain.at(1)!.hash, b.node.chain.at(1)!.hash);
      // a's old block 1 is now a valid fork in its tree.
      const aTips = a.node.chain.tips();
      assert.deepEqual(
        aTips.map((t) => t.status),
        ['active', 'valid-fork'],
      );
    } finally {
      await stopNodes(nodes);
    }
  });

  test('simultaneous mining on two connected nodes converges to one most-work tip', async () => {
    const nodes = await startNodes(4, { scheduler });
    try {
      const [a, b] = nodes as [TestNode, TestNode];
      for (let round = 0; round < 5; round++) {
        await Promise.all([fetch(`${a.url}/mine`), fetch(`${b.url}/mine`)]);
      }
      await eventually(() => allEqual(tips(nodes)));
      const work = nodes.map((n) => n.node.chain.tip.chainwork);
      assert.ok(work.every((w) => w === work[0]));
      const maxSeen = Math.max(...nodes.flatMap((n) => n.node.chain.tips().map((t) => t.height)));
      assert.equal(nodes[0]!.node.chain.height, maxSeen);
    } finally {
      await stopNodes(nodes);
    }
  });

  test('a block whose parent is missing is fetched by locator from the sender, not as a whole chain', async () => {
    const nodes = await startNodes(2, { scheduler, connect: false });
    try {
      const [a, b] = nodes as [TestNode, TestNode];
      for (let i = 0; i < 30; i++) await fetch(`${a.url}/mine`);
      const seen: string[] = [];
      a.hosted.app.server.on('request', (req: { method?: string; url?: string }) => {
        seen.push(`${req.method} ${req.url?.split('?')[0]}`);
      });
      // a pushes its next block to b, which knows nothing of a's chain yet.
      connectAll(nodes);
      await fetch(`${a.url}/mine`);
      await eventually(() => b.node.chain.tip.hash === a.node.chain.tip.hash);
      assert.equal(b.node.chain.height, 31);
      assert.ok(seen.includes('GET /blocks'), seen.join(', '));
      assert.ok(!seen.includes('GET /chain'), 'no full-chain download');
    } finally {
      await stopNodes(nodes);
    }
  });

  test('a node started late catches up by locator on GET /block/new', async () => {
    const first = await startNodes(2, { scheduler });
    const late = await startNodes(1, { scheduler, connect: false });
    const nodes = [...first, ...late];
    try {
      for (let i = 0; i < 25; i++) await fetch(`${first[i % 2]!.url}/mine`);
      connectAll(nodes);
      const res = (await (await fetch(`${late[0]!.url}/block/new`)).json()) as {
        message: string;
        blocksAdded: number;
        height: number;
      };
      assert.deepEqual([res.message, res.blocksAdded, res.height], ['Chain was replaced', 25, 25]);
      assert.ok(allEqual(tips(nodes)));
      const again = (await (await fetch(`${late[0]!.url}/block/new`)).json()) as { message: string };
      assert.equal(again.message, 'Our chain is authoritative');
    } finally {
      await stopNodes(nodes);
    }
  });

  test('a peer sending invalid blocks is dropped past the threshold; mutated blocks cost nothing', async () => {
    const nodes = await startNodes(2, { scheduler });
    try {
      const [a, b] = nodes as [TestNode, TestNode];
      const from = {
        'content-type': 'application/json',
        [NODE_ID_HEADER]: b.node.id,
        [NODE_ADDRESS_HEADER]: b.hosted.address,
      };
      const valid = mineOn(a.node.chain.tip, a.node.params);
      const post = (block: Block | object) =>
        fetch(`${a.url}/block/new`, {
          method: 'POST',
          headers: from,
          body: JSON.stringify('header' in block ? blockToJSON(block) : block),
        });
      // Mutated: a changed transaction under the same header. Score 0, and the genuine block is still accepted.
      const cb = valid.txs[0]!;
      const mutated = { ...valid, txs: [{ ...cb, lockTime: 9 }] };
      for (let i = 0; i < 3; i++) assert.equal((await post(mutated)).status, 422);
      assert.equal(a.node.peers.get(b.node.id)?.score, 0);
      assert.equal((await post(valid)).status, 200);
      assert.equal(a.node.chain.tip.hash, blockHash(valid));
      // high-hash scores 50: two strikes and b is out.
      const bad = (nonceFrom: number): Block => {
        const next = mineOn(a.node.chain.tip, a.node.params);
        let nonce = nonceFrom;
        while (blockHash({ ...next, header: { ...next.header, nonce } }) <= '7fffff'.padEnd(64, '0')) nonce++;
        return { ...next, header: { ...next.header, nonce } };
      };
      assert.equal((await post(bad(1))).status, 422);
      assert.equal(a.node.peers.get(b.node.id)?.score, 50);
      assert.equal((await post(bad(1000))).status, 422);
      assert.equal(a.node.peers.get(b.node.id), undefined);
      assert.ok(a.node.peers.isBanned(b.hosted.address));
      // a keeps serving and mining.
      assert.equal((await fetch(`${a.url}/mine`)).status, 200);
    } finally {
      await stopNodes(nodes);
    }
  });
});
