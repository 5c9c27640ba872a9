/**
 * Acknowledged means stored (node/node.ts, the durable tip): while a block's batch is being written, nothing
 * reports it; once the write is done, everything does. A store whose writes the test holds makes the window
 * as wide as it likes, so these checks do not depend on when a kill lands (the crash test in
 * test/store/persistence.test.ts checks the same over real kills).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { BlockEntry } from '../../../src/chain/block-tree.ts';
import { createChain } from '../../../src/chain/chain.ts';
import { blockHash, blockToJSON, decodeBlock, networks } from '../../../src/consensus/index.ts';
import { type HostedNode, hostNode } from '../../../src/node/host.ts';
import type { ChainsimNode } from '../../../src/node/node.ts';
import { openNode } from '../../../src/node/open.ts';
import { type ChainStore, createMemoryStore } from '../../../src/store/store.ts';
import { createLineLogger, silentLogger } from '../../../src/runtime/logger.ts';
import { mineOn } from '../../helpers/chain.ts';
import { eventually, TestLink, testScheduler } from '../../helpers/nodes.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';

const params = networks.regtest;
const scheduler = testScheduler();
after(() => scheduler.close());

/** A store whose writes wait while it is held; `release()` lets the waiting ones through. */
interface HeldStore {
  readonly store: ChainStore;
  /** Writes that have reached the store and wait. */
  readonly waiting: number;
  hold(): void;
  /** Lets the writes waiting now through; later ones wait too unless `keepHolding` is false. */
  release(keepHolding?: boolean): void;
}

function heldStore(inner: ChainStore): HeldStore {
  let held = false;
  const waiting: Array<() => void> = [];
  const store: ChainStore = {
    location: inner.location,
    open: (network) => inner.open(network),
    close: () => inner.close(),
    getMeta: (name) => inner.getMeta(name),
    putMeta: (name, value) => inner.putMeta(name, value),
    write: async (journal) => {
      if (held) await new Promise<void>((resolve) => waiting.push(resolve));
      await inner.write(journal);
    },
    load: () => inner.load(),
    blocks: () => inner.blocks(),
    clearChainState: () => inner.clearChainState(),
    deleteBlock: (hash) => inner.deleteBlock(hash),
    repair: () => inner.repair(),
  };
  return {
    store,
    get waiting() {
      return waiting.length;
    },
    hold: () => (held = true),
    release: (keepHolding = false) => {
      held = keepHolding;
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

interface Setup {
  /** The node under test, over a held store, logging into `lines`. */
  readonly a: ChainsimNode;
  /** Its peer on the link (a plain in-memory node). */
  readonly b: ChainsimNode;
  readonly held: HeldStore;
  /** a's log messages. */
  readonly lines: string[];
  /** a's durable-tip events (onTip), as heights. */
  readonly events: number[];
  readonly link: TestLink;
  readonly hosted: HostedNode[];
}

async function setup(): Promise<Setup> {
  const held = heldStore(createMemoryStore());
  const lines: string[] = [];
  const link = new TestLink();
  const a: ChainsimNode = await openNode({
    params,
    pow: scheduler.addClient({ name: 'a' }),
    logger: createLineLogger({
      level: 'info',
      write: (line) => lines.push((JSON.parse(line) as { msg: string }).msg),
    }),
    store: held.store,
    link: link.for(() => a),
  });
  const b: ChainsimNode = await openNode({
    params,
    pow: scheduler.addClient({ name: 'b' }),
    logger: silentLogger(),
    store: createMemoryStore(),
    link: link.for(() => b),
  });
  const hosted = [await hostNode({ node: a, port: 0 }), await hostNode({ node: b, port: 0 })];
  link.join(a);
  link.join(b);
  await a.registerPeers([{ id: b.id, address: b.address }]);
  await b.registerPeers([{ id: a.id, address: a.address }]);
  const events: number[] = [];
  a.onTip((tip) => events.push(tip.height));
  return { a, b, held, lines, events, link, hosted };
}

async function teardown(s: Setup): Promise<void> {
  s.held.release();
  await Promise.all(s.hosted.map((h) => h.close()));
}

async function get<T>(s: Setup, url: string): Promise<T> {
  const res = await s.hosted[0]!.app.inject({ method: 'GET', url });
  assert.equal(res.statusCode, 200, `GET ${url}: ${res.body}`);
  return res.json<T>();
}

/**
 * Every report of a's tip says `tip`: GET /node/id, GET /chain, GET /block/new, GET /blocks, the onTip events
 * and the `new tip` log lines (one per height since genesis), and the blocks a relayed (all of a's tips after
 * genesis, once each).
 */
async function assertReports(s: Setup, tip: BlockEntry, when: string): Promise<void> {
  const genesis = params.genesisHash;
  const id = await get<{ height: number; tip: string }>(s, '/node/id');
  assert.deepEqual(
    { height: id.height, tip: id.tip },
    { height: tip.height, tip: tip.hash },
    `${when}: GET /node/id`,
  );
  const chain = await get<{ chain: Array<{ hash: string }>; length: number }>(s, '/chain');
  assert.deepEqual(
    { length: chain.length, last: chain.chain.at(-1)?.hash },
    { length: tip.height + 1, last: tip.hash },
    `${when}: GET /chain`,
  );
  const synced = await get<{ height: number; tip: string }>(s, '/block/new');
  assert.deepEqual(
    { height: synced.height, tip: synced.tip },
    { height: tip.height, tip: tip.hash },
    `${when}: GET /block/new`,
  );
  const blocks = await get<{ blocks: Array<{ hash: string }> }>(s, `/blocks?locator=${genesis}`);
  assert.equal(blocks.blocks.at(-1)?.hash ?? genesis, tip.hash, `${when}: GET /blocks`);
  assert.equal(s.a.tip, tip, `${when}: node.tip`);
  const heights = Array.from({ length: tip.height }, (_, i) => i + 1);
  assert.deepEqual(s.events, heights, `${when}: onTip events`);
  assert.deepEqual(
    s.lines.filter((l) => /^(new tip|reorg)/.test(l)),
    heights.map((h) => `new tip ${h} ${s.a.chain.at(h)!.hash.slice(0, 16)}`),
    `${when}: log lines`,
  );
  assert.deepEqual(
    s.link.pushes.filter((p) => p.kind === 'block' && p.from === s.a.address).length,
    tip.height,
    `${when}: blocks relayed`,
  );
}

describe('the durable tip: a block is reported only once its batch is written', () => {
  test('a mined block: while its write is held, every report still shows the old tip; after it, the new one', async () => {
    const s = await setup();
    try {
      const genesis = s.a.chain.tip;
      s.held.hold();
      const mined = s.a.mine();
      await eventually(() => s.held.waiting === 1, 5000);
      // The chain moved in memory (the miner builds on it at once); nothing says so yet.
      assert.equal(s.a.chain.height, 1);
      await assertReports(s, genesis, 'write held');
      assert.equal(s.b.chain.height, 0, 'the peer heard nothing yet');

      s.held.release();
      const { block } = await mined;
      const tip = s.a.chain.get(blockHash(block))!;
      assert.equal(tip.height, 1);
      await assertReports(s, tip, 'write done');
      await eventually(() => s.b.chain.tip.hash === tip.hash, 5000);
    } finally {
      await teardown(s);
    }
  });

  test('a received block: while its write is held, the push has no answer and every report shows the old tip', async () => {
    const s = await setup();
    try {
      const genesis = s.a.chain.tip;
      const block = mineOn(genesis, params);
      s.held.hold();
      const answer = s.hosted[0]!.app.inject({
        method: 'POST',
        url: '/block/new',
        payload: blockToJSON(block),
      });
      let answered = false;
      void answer.then(() => (answered = true));
      await eventually(() => s.held.waiting === 1, 5000);
      assert.equal(s.a.chain.height, 1);
      await assertReports(s, genesis, 'write held');
      assert.equal(answered, false, 'POST /block/new answered before its block was stored');

      s.held.release();
      const res = await answer;
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), {
        message: 'Block accepted',
        accepted: true,
        hash: blockHash(block),
        height: 1,
      });
      await assertReports(s, s.a.chain.get(blockHash(block))!, 'write done');
    } finally {
      await teardown(s);
    }
  });

  test('a block mined on a received one while that is written: the received block is relayed, the mined one only once stored', async () => {
    const s = await setup();
    try {
      const x = mineOn(s.a.chain.tip, params);
      s.held.hold();
      const answer = s.hosted[0]!.app.inject({ method: 'POST', url: '/block/new', payload: blockToJSON(x) });
      await eventually(() => s.held.waiting === 1, 5000);
      // The miner builds on x at once; its block waits behind x's write.
      const mined = s.a.mine();
      await eventually(() => s.a.chain.height === 2, 5000);
      const relayed = () =>
        s.link.pushes.filter((p) => p.from === s.a.address).map((p) => blockHash(decodeBlock(p.bytes)));

      s.held.release(true);
      assert.equal((await answer).statusCode, 200);
      assert.equal(s.a.tip.hash, blockHash(x));
      assert.deepEqual(relayed(), [blockHash(x)], 'relayed once x was stored: x alone');

      s.held.release();
      const { block: y } = await mined;
      assert.deepEqual(relayed(), [blockHash(x), blockHash(y)]);
      assert.equal(s.a.tip.hash, blockHash(y));
    } finally {
      await teardown(s);
    }
  });

  test('POST /chain/replace answers the stored tip, not a block mined on the replacement while it was written', async () => {
    const s = await setup();
    try {
      const scratch = createChain({ params, verifySchnorr: fastVerifySchnorr });
      const blocks = [decodeBlock(params.genesisBlock)];
      for (let i = 0; i < 3; i++) {
        const block = mineOn(scratch.tip, params);
        scratch.acceptBlock(block, 2_000_000_000);
        blocks.push(block);
      }
      s.held.hold();
      const answer = s.hosted[0]!.app.inject({
        method: 'POST',
        url: '/chain/replace',
        payload: blocks.map((b, i) => blockToJSON(b, i)),
      });
      await eventually(() => s.held.waiting === 1, 5000);
      const mined = s.a.mine();
      await eventually(() => s.a.chain.height === 4, 5000);

      s.held.release(true);
      const res = await answer;
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(res.json(), { message: 'Chain replaced', length: 4, tip: scratch.tip.hash });

      s.held.release();
      assert.equal((await mined).height, 4);
    } finally {
      await teardown(s);
    }
  });
});
