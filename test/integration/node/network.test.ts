import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  blockHash,
  blockToJSON,
  type Block,
  decodeBlock,
  encodeBlock,
} from '../../../src/consensus/index.ts';
import { mineOn, missTarget } from '../../helpers/chain.ts';
import {
  connectAll,
  eventually,
  peerHeaders,
  startNodes,
  stopNodes,
  TestLink,
  testScheduler,
  type TestNode,
} from '../../helpers/nodes.ts';

const scheduler = testScheduler();
after(() => scheduler.close());

const tips = (nodes: TestNode[]) => nodes.map((n) => n.node.chain.tip.hash);
const allEqual = (xs: string[]) => xs.every((x) => x === xs[0]);

/** Block pushes each node's HTTP server receives, from now on. */
function watchBlockPosts(nodes: TestNode[]): number[] {
  const posts = nodes.map(() => 0);
  nodes.forEach((n, i) =>
    n.hosted.app.server.on('request', (req: { method?: string; url?: string }) => {
      if (req.method === 'POST' && req.url === '/block/new') posts[i]!++;
    }),
  );
  return posts;
}

/** A block on `parent` whose header misses the target (high-hash, ban score 50). */
function highHash(parent: TestNode): Block {
  return missTarget(parent.node.chain.tip, parent.node.params);
}

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
      await connectAll(nodes);
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

  test('linked nodes push blocks to each other through the link, serialised; a peer off it gets POST /block/new', async () => {
    const link = new TestLink();
    const linked = await startNodes(2, { scheduler, link, connect: false });
    const outside = await startNodes(1, { scheduler, connect: false });
    const nodes = [...linked, ...outside];
    try {
      const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
      await connectAll(nodes);
      const posts = watchBlockPosts(nodes);
      const { block } = (await (await fetch(`${a.url}/mine`)).json()) as { block: { hash: string } };
      await eventually(() => allEqual(tips(nodes)));
      assert.equal(c.node.chain.tip.hash, block.hash);
      assert.equal(link.pushes.length, 1);
      const [push] = link.pushes;
      assert.equal(push!.kind, 'block');
      assert.deepEqual(push!.to, [b.hosted.address]);
      assert.equal(blockHash(decodeBlock(push!.bytes)), block.hash);
      assert.deepEqual([...push!.seenBy].sort(), [a.node.id, b.node.id, c.node.id].sort());
      // b heard it through the link only; c over HTTP; nobody relayed it again.
      assert.deepEqual(posts, [0, 0, 1]);
      // b's own block goes back to a through the link, to c over HTTP.
      await fetch(`${b.url}/mine`);
      await eventually(() => allEqual(tips(nodes)) && a.node.chain.height === 2);
      assert.deepEqual(
        link.pushes.map((p) => [p.from, p.to]),
        [
          [a.hosted.address, [b.hosted.address]],
          [b.hosted.address, [a.hosted.address]],
        ],
      );
      assert.deepEqual(posts, [0, 0, 2]);
    } finally {
      await stopNodes(nodes);
    }
  });

  test('an invalid block through the link costs the sender its ban score and changes nothing; bad bytes are dropped', async () => {
    const link = new TestLink();
    const nodes = await startNodes(2, { scheduler, link });
    try {
      const [a, b] = nodes as [TestNode, TestNode];
      const from = { id: a.node.id, address: a.hosted.address };
      const tip = b.node.chain.tip.hash;
      await b.node.receivePushed('block', encodeBlock(highHash(b)), from);
      assert.equal(b.node.chain.tip.hash, tip);
      assert.equal(b.node.peers.get(a.node.id)?.score, 50);
      await b.node.receivePushed('block', new Uint8Array([1, 2, 3]), from);
      await b.node.receivePushed('tx', new Uint8Array([4, 5]), from);
      assert.equal(b.node.chain.tip.hash, tip);
      assert.equal(b.node.mempool.size, 0);
      assert.equal(b.node.peers.get(a.node.id)?.score, 50);
      // A valid block through the link is accepted as over HTTP.
      const valid = mineOn(b.node.chain.tip, b.node.params);
      await b.node.receivePushed('block', encodeBlock(valid), from);
      assert.equal(b.node.chain.tip.hash, blockHash(valid));
      assert.equal((await fetch(`${b.url}/node/id`)).status, 200);
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
      await connectAll(nodes);
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
      await connectAll(nodes);
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
      // As b itself pushes to a: its id and the secret a gave it.
      const from = { 'content-type': 'application/json', ...peerHeaders(b, a) };
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
      assert.equal((await post(highHash(a))).status, 422);
      assert.equal(a.node.peers.get(b.node.id)?.score, 50);
      assert.equal((await post(highHash(a))).status, 422);
      assert.equal(a.node.peers.get(b.node.id), undefined);
      assert.ok(a.node.peers.isBanned(b.hosted.address));
      // a keeps serving and mining.
      assert.equal((await fetch(`${a.url}/mine`)).status, 200);
    } finally {
      await stopNodes(nodes);
    }
  });
});
