import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  type Block,
  blockHash,
  type BlockJSON,
  blockToJSON,
  decodeBlock,
  networks,
} from '../../../src/consensus/index.ts';
import { buildServer } from '../../../src/node/http/server.ts';
import { createNode, type ChainsimNode } from '../../../src/node/node.ts';
import { mineOn, solve } from '../../helpers/chain.ts';
import { silent, testScheduler } from '../../helpers/nodes.ts';
import { freePortRun } from '../../helpers/ports.ts';

const params = networks.regtest;
const scheduler = testScheduler();
// The node's own address and its peers' are free ports: registering peers sends them hellos, which must not
// reach a simulation the user runs on the default ones.
const base = await freePortRun(4);
const addr = (i: number): string => `127.0.0.1:${base + i}`;

async function setup(
  opts: { token?: string; onShutdown?: () => void } = {},
): Promise<{ node: ChainsimNode; app: FastifyInstance }> {
  const node = createNode({ params, pow: scheduler.addClient({ name: 'n' }), logger: silent });
  node.address = addr(0);
  const app = await buildServer({ node, ...opts });
  return { node, app };
}

/** Everything a rejected request must leave unchanged. */
function snapshot(node: ChainsimNode) {
  return {
    tip: node.chain.tip.hash,
    size: node.chain.tree.size,
    peers: JSON.stringify(node.peers.toRecord()),
  };
}

/** A valid chain of `n` blocks after genesis, built outside any node. */
function buildChain(n: number, spacing = 1): Block[] {
  const node = createNode({ params, pow: scheduler.addClient({ name: 'builder' }), logger: silent });
  const blocks: Block[] = [decodeBlock(params.genesisBlock)];
  for (let i = 0; i < n; i++) {
    const tip = node.chain.tip;
    const block = mineOn(tip, params, { time: tip.time + spacing });
    node.chain.acceptBlock(block, 2_000_000_000);
    blocks.push(block);
  }
  return blocks;
}

const json = (blocks: Block[]): BlockJSON[] => blocks.map((b, i) => blockToJSON(b, i));

after(() => scheduler.close());

describe('documented endpoints', () => {
  let node: ChainsimNode;
  let app: FastifyInstance;
  before(async () => ({ node, app } = await setup()));

  test('GET /node/id: id, address, peers, plus height, tip, chainwork, network, mining address, mempool', async () => {
    const res = await app.inject('/node/id');
    assert.equal(res.statusCode, 200);
    const body = res.json<Record<string, unknown>>();
    assert.match(body.node as string, /^[0-9a-f]{32}$/);
    assert.deepEqual(body, {
      node: node.id,
      address: addr(0),
      nodes: {},
      height: 0,
      tip: params.genesisHash,
      chainwork: '2'.padStart(64, '0'),
      network: 'regtest',
      miningAddress: node.miningAddress,
      mempool: { count: 0, bytes: 0 },
    });
    assert.match(node.miningAddress, /^bcrt1p[02-9ac-hj-np-z]{58}$/);
  });

  test('GET /chain: genesis first, with hash, height, header fields and transactions', async () => {
    const res = await app.inject('/chain');
    const body = res.json<{ chain: Array<Record<string, unknown>>; length: number }>();
    assert.equal(body.length, 1);
    const g = body.chain[0]!;
    assert.equal(g.hash, params.genesisHash);
    assert.equal(g.height, 0);
    for (const k of ['version', 'prevHash', 'merkleRoot', 'time', 'bits', 'nonce', 'transactions'])
      assert.ok(k in g, k);
    assert.equal(
      (g.transactions as Array<{ txid: string }>)[0]!.txid,
      '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
    );
  });

  test('GET /mine: 200 { message: "Mined", block } on the tip; the chain grows', async () => {
    const res = await app.inject('/mine');
    assert.equal(res.statusCode, 200);
    const body = res.json<{ message: string; block: BlockJSON & { hash: string; height: number } }>();
    assert.equal(body.message, 'Mined');
    assert.equal(body.block.height, 1);
    assert.equal(body.block.prevHash, params.genesisHash);
    assert.equal(node.chain.tip.hash, body.block.hash);
    const chain = (await app.inject('/chain')).json<{ length: number }>();
    assert.equal(chain.length, 2);
  });

  test('concurrent GET /mine calls queue: never two blocks at the same height', async () => {
    const start = node.chain.height;
    const answers = await Promise.all([1, 2, 3, 4].map(() => app.inject('/mine')));
    const heights = answers.map((r) => r.json<{ block: { height: number } }>().block.height).sort();
    assert.deepEqual(heights, [start + 1, start + 2, start + 3, start + 4]);
    assert.equal(node.chain.tips().length, 1);
  });

  test('GET /chain?from=&limit= pages the chain; length stays the whole length', async () => {
    const body = (await app.inject('/chain?from=1&limit=2')).json<{
      chain: Array<{ height: number }>;
      length: number;
    }>();
    assert.deepEqual(
      body.chain.map((b) => b.height),
      [1, 2],
    );
    assert.equal(body.length, node.chain.height + 1);
    assert.equal((await app.inject('/chain?from=-1')).statusCode, 400);
  });
});

describe('POST /block/new', () => {
  test('valid → accepted; known → 200 accepted:false; invalid → 4xx with reason; state unchanged', async () => {
    const { node, app } = await setup();
    const block = mineOn(node.chain.tip, params);
    const ok = await app.inject({ method: 'POST', url: '/block/new', payload: blockToJSON(block) });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), {
      message: 'Block accepted',
      accepted: true,
      hash: blockHash(block),
      height: 1,
    });
    const again = await app.inject({ method: 'POST', url: '/block/new', payload: blockToJSON(block) });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json<{ accepted: boolean }>().accepted, false);

    const before = snapshot(node);
    const next = mineOn(node.chain.tip, params);
    let nonce = next.header.nonce;
    do nonce++;
    while (blockHash({ ...next, header: { ...next.header, nonce } }) <= '7fffff'.padEnd(64, '0'));
    let res = await app.inject({
      method: 'POST',
      url: '/block/new',
      payload: { ...blockToJSON(next), nonce },
    });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'high-hash');
    assert.deepEqual(snapshot(node), before);
    res = await app.inject({ method: 'POST', url: '/block/new', payload: '{"nonce": ' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'bad-json');
    res = await app.inject({ method: 'POST', url: '/block/new', payload: { hello: 'world' } });
    assert.equal(res.statusCode, 400);
    const orphan = mineOn(mineOnEntry(node), params);
    res = await app.inject({ method: 'POST', url: '/block/new', payload: blockToJSON(orphan) });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'prev-blk-not-found');
    // The node keeps serving and the next valid block is still accepted.
    const valid = mineOn(node.chain.tip, params);
    assert.equal(
      (await app.inject({ method: 'POST', url: '/block/new', payload: blockToJSON(valid) })).json<{
        accepted: boolean;
      }>().accepted,
      true,
    );
  });
});

/** An entry one block beyond the node's tip that the node does not know. */
function mineOnEntry(node: ChainsimNode) {
  const block = mineOn(node.chain.tip, params);
  const scratch = createNode({ params, pow: scheduler.addClient({ name: 'x' }), logger: silent });
  for (const e of node.chain.range(1)) scratch.chain.acceptBlock(node.chain.getBlock(e.hash)!, 2_000_000_000);
  return scratch.chain.acceptBlock(block, 2_000_000_000).entry;
}

describe('POST /chain/replace', () => {
  const chain = buildChain(6);

  test('adopts a valid chain with more work: array, {chain}, and the old double-encoded string', async () => {
    for (const payload of [
      json(chain),
      { chain: json(chain) },
      JSON.stringify(JSON.stringify(json(chain))),
    ]) {
      const { node, app } = await setup();
      const res = await app.inject({
        method: 'POST',
        url: '/chain/replace',
        payload,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(res.json(), { message: 'Chain replaced', length: 7, tip: blockHash(chain[6]!) });
      assert.equal(node.chain.tip.hash, blockHash(chain[6]!));
    }
  });

  const reject = async (payload: unknown, status: number, code: string, height?: number) => {
    const { node, app } = await setup();
    await app.inject('/mine');
    const before = snapshot(node);
    const res = await app.inject({
      method: 'POST',
      url: '/chain/replace',
      payload: payload as string,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, status, res.body);
    const err = res.json<{ error: { code: string; height?: number; message: string } }>().error;
    assert.equal(err.code, code, err.message);
    if (height !== undefined) assert.equal(err.height, height);
    assert.deepEqual(snapshot(node), before, 'state unchanged');
    // Still serving, still accepting.
    assert.equal((await app.inject('/mine')).statusCode, 200);
  };

  const altered = (height: number, edit: (b: BlockJSON) => BlockJSON): BlockJSON[] => {
    const blocks = json(chain);
    blocks[height] = edit(blocks[height]!);
    return blocks;
  };

  test('a tampered nonce → 422 high-hash at its height', async () => {
    // Find a nonce change that breaks the proof-of-work (regtest meets its target half the time).
    const b = chain[3]!;
    let nonce = b.header.nonce;
    do nonce++;
    while (blockHash({ ...b, header: { ...b.header, nonce } }) <= '7fffff'.padEnd(64, '0'));
    await reject(
      altered(3, (j) => ({ ...j, nonce })),
      422,
      'high-hash',
      3,
    );
  });
  test('a broken link → 422 prev-blk-not-found', async () => {
    await reject(
      altered(4, (j) => ({ ...j, prevHash: blockHash(chain[2]!) })),
      422,
      'prev-blk-not-found',
      4,
    );
  });
  test('a bad merkle root → 422 bad-txnmrklroot', async () => {
    const b = chain[2]!;
    const header = solve({ ...b.header, merkleRoot: 'ab'.repeat(32) as never }, params);
    const blocks = json(chain);
    blocks[2] = blockToJSON({ header, txs: b.txs }, 2);
    // Later blocks no longer link; the first failure is at height 2.
    await reject(blocks, 422, 'bad-txnmrklroot', 2);
  });
  test('a wrong genesis → 422 bad-genesis at height 0', async () => {
    await reject(
      [blockToJSON(decodeBlock(networks.sim.genesisBlock)), ...json(chain).slice(1)],
      422,
      'bad-genesis',
      0,
    );
  });
  test('wrong bits → 422 bad-diffbits', async () => {
    const b = chain[1]!;
    const header = solve({ ...b.header, bits: 0x2000ffff }, params);
    await reject([json(chain)[0]!, blockToJSON({ header, txs: b.txs }, 1)], 422, 'bad-diffbits', 1);
  });
  test('a too-old timestamp → 422 time-too-old', async () => {
    const b = chain[1]!;
    const header = solve({ ...b.header, time: decodeBlock(params.genesisBlock).header.time }, params);
    await reject([json(chain)[0]!, blockToJSON({ header, txs: b.txs }, 1)], 422, 'time-too-old', 1);
  });
  test('less work → 409', async () => {
    await reject(json(chain).slice(0, 1), 409, 'not-more-work');
  });
  test('malformed JSON → 400; not a list → 400; a malformed block → 422 bad-encoding', async () => {
    await reject('[{"hash": ', 400, 'bad-json');
    await reject({ blocks: [] }, 400, 'bad-request');
    await reject([json(chain)[0], { nonce: 'x' }], 422, 'bad-encoding', 1);
  });
});

describe('POST /nodes/register', () => {
  const id = (c: string) => c.repeat(32);

  test('registers peers, never itself; 201 with total_nodes; double-encoded bodies work', async () => {
    const { node, app } = await setup();
    const res = await app.inject({
      method: 'POST',
      url: '/nodes/register',
      payload: {
        nodes: [id('a'), node.id, id('b')],
        addresses: [addr(1), addr(0), addr(2)],
      },
    });
    assert.equal(res.statusCode, 201);
    assert.deepEqual(res.json(), {
      message: 'New nodes have been added',
      total_nodes: [addr(1), addr(2)],
    });
    const again = await app.inject({
      method: 'POST',
      url: '/nodes/register',
      payload: JSON.stringify(JSON.stringify({ nodes: [id('c')], addresses: [addr(3)] })),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(again.statusCode, 201);
    assert.equal(
      (await app.inject('/node/id')).json<{ nodes: Record<string, string> }>().nodes[id('c')],
      addr(3),
    );
  });

  test('a missing or malformed list → 400 "Error: Please supply a valid list of nodes", nothing changes', async () => {
    const { node, app } = await setup();
    for (const payload of [
      {},
      { nodes: [] },
      { nodes: ['zz'], addresses: ['127.0.0.1:1'] },
      { nodes: [id('a')], addresses: [] },
      { nodes: [id('a')], addresses: ['nohost'] },
    ]) {
      const before = snapshot(node);
      const res = await app.inject({ method: 'POST', url: '/nodes/register', payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(
        res.json<{ error: { message: string } }>().error.message,
        'Error: Please supply a valid list of nodes',
      );
      assert.deepEqual(snapshot(node), before);
    }
  });
});

describe('other routes and safety', () => {
  test('GET /shutdown answers first, then the shutdown hook runs', async () => {
    let called = false;
    const { app } = await setup({ onShutdown: () => (called = true) });
    const res = await app.inject('/shutdown');
    assert.deepEqual(res.json(), { message: 'Shutting down' });
    await new Promise((r) => setImmediate(r));
    assert.ok(called);
  });

  test('with a token, /shutdown and /chain/replace need it', async () => {
    let called = false;
    const { app } = await setup({ token: 'sekrit', onShutdown: () => (called = true) });
    const res = await app.inject('/shutdown');
    assert.equal(res.statusCode, 401);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'unauthorized');
    assert.equal((await app.inject({ method: 'POST', url: '/chain/replace', payload: [] })).statusCode, 401);
    assert.equal(
      (await app.inject({ url: '/shutdown', headers: { authorization: 'Bearer sekrit' } })).statusCode,
      200,
    );
    await new Promise((r) => setImmediate(r));
    assert.ok(called);
  });

  test('GET /blocks/:hash, GET /blocks?locator=, GET /tips', async () => {
    const { node, app } = await setup();
    for (let i = 0; i < 5; i++) await app.inject('/mine');
    const tip = node.chain.tip;
    const one = (await app.inject(`/blocks/${tip.hash}`)).json<{
      hash: string;
      height: number;
      confirmations: number;
    }>();
    assert.deepEqual([one.hash, one.height, one.confirmations], [tip.hash, 5, 1]);
    assert.equal((await app.inject(`/blocks/${'0'.repeat(64)}`)).statusCode, 404);
    assert.equal((await app.inject('/blocks/xyz')).statusCode, 400);
    const h2 = node.chain.at(2)!.hash;
    const after = (await app.inject(`/blocks?locator=${'f'.repeat(64)},${h2}&limit=2`)).json<{
      fork: { height: number };
      blocks: Array<{ height: number }>;
    }>();
    assert.equal(after.fork.height, 2);
    assert.deepEqual(
      after.blocks.map((b) => b.height),
      [3, 4],
    );
    assert.equal((await app.inject('/blocks?locator=nothex')).statusCode, 400);
    assert.deepEqual((await app.inject('/tips')).json(), {
      tips: [{ hash: tip.hash, height: 5, branchlen: 0, status: 'active' }],
    });
  });

  test('unknown routes answer JSON 404; /openapi.json describes every route', async () => {
    const { app } = await setup();
    const res = await app.inject('/nope');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'not-found');
    const doc = (await app.inject('/openapi.json')).json<{
      openapi: string;
      paths: Record<string, unknown>;
    }>();
    assert.match(doc.openapi, /^3\./);
    for (const p of [
      '/node/id',
      '/chain',
      '/mine',
      '/block/new',
      '/chain/replace',
      '/nodes/register',
      '/shutdown',
      '/blocks/{hash}',
      '/blocks',
      '/tips',
      '/transactions/new',
      '/mempool',
      '/tx/{txid}',
      '/tx/{txid}/proof',
      '/address/{addr}/balance',
      '/address/{addr}/utxos',
    ]) {
      assert.ok(p in doc.paths, p);
    }
  });

  test('bodies over the limit get 413 with a JSON error', async () => {
    const { app } = await setup();
    const res = await app.inject({
      method: 'POST',
      url: '/block/new',
      payload: `{"x":"${'a'.repeat(5 * 1024 * 1024)}"}`,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'payload-too-large');
  });
});
