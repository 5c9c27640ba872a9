/**
 * Hostile peers and clients (the defects a hostile review of the first release found, one test each): every
 * refusal leaves the tip, the block tree, the peer table and the mempool as they were, and the node keeps serving.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Block, blockHash, blockToJSON, networks } from '../../../src/consensus/index.ts';
import { AdvertiseError, advertisedAddress } from '../../../src/net/address.ts';
import { MAX_PEERS } from '../../../src/net/peers.ts';
import { NODE_ADDRESS_HEADER, NODE_ID_HEADER, type RelayLimits } from '../../../src/net/relay.ts';
import { buildServer } from '../../../src/node/http/server.ts';
import {
  type ChainsimNode,
  createNode,
  MINE_CATCH_UP_MS,
  MINE_RELAY_WAIT_MS,
} from '../../../src/node/node.ts';
import { startNode } from '../../../src/node/start.ts';
import { buildManagerServer } from '../../../src/sim/http.ts';
import { createSimulation } from '../../../src/sim/manager.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { mineOn, missTarget } from '../../helpers/chain.ts';
import {
  connectAll,
  eventually,
  peerHeaders,
  silent,
  startNodes,
  stopNodes,
  testScheduler,
  type TestNode,
  testNode,
} from '../../helpers/nodes.ts';

const params = networks.regtest;
const scheduler = testScheduler();
const closers: Array<() => unknown> = [];
after(async () => {
  for (const close of closers.reverse()) await close();
  await scheduler.close();
});

function newNode(relayLimits?: Partial<RelayLimits>): ChainsimNode {
  const node = createNode({
    params,
    pow: scheduler.addClient({ name: 'n' }),
    logger: silent,
    ...(relayLimits ? { relayLimits } : {}),
  });
  closers.push(() => node.close());
  return node;
}

/** Everything a refusal must leave unchanged. */
function snapshot(node: ChainsimNode) {
  return {
    tip: node.chain.tip.hash,
    size: node.chain.tree.size,
    peers: JSON.stringify(node.peers.toRecord()),
    mempool: node.mempool.size,
  };
}

/** `n` valid blocks on the node's tip, accepted. */
function grow(node: ChainsimNode, n: number): void {
  for (let i = 0; i < n; i++) node.acceptBlock(mineOn(node.chain.tip, params));
}

/** An HTTP server on loopback that answers with `handler` and records every request line. */
async function fakePeer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url?.split('?')[0]}`);
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  };
  closers.push(close);
  return { address: `127.0.0.1:${port}`, requests, close };
}

/** Connections open at once to a group of silent servers together, and the most there ever were. */
interface OpenCount {
  now: number;
  most: number;
}

/**
 * A TCP server that accepts connections and never answers (counts them: at once, and the most at once, alone
 * and in `open` with the others of its group).
 */
async function silentServer(open: OpenCount = { now: 0, most: 0 }) {
  const sockets = new Set<Socket>();
  let most = 0;
  const server = createTcpServer((s) => {
    sockets.add(s);
    most = Math.max(most, sockets.size);
    open.most = Math.max(open.most, ++open.now);
    s.on('close', () => open.now--);
    // Read (and drop) what comes, so a close by the client is seen; never answer.
    s.resume();
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const close = () => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(r));
  };
  closers.push(close);
  return { address: `127.0.0.1:${port}`, most: () => most, close };
}

const id = (n: number) => n.toString(16).padStart(32, '0');
const errorCode = (body: string) => (JSON.parse(body) as { error?: { code?: string } }).error?.code;

/** A POST /block/new through inject, as a peer or a client with the given headers. */
const postBlock = (app: Awaited<ReturnType<typeof buildServer>>, body: unknown, headers = {}) =>
  app.inject({ method: 'POST', url: '/block/new', payload: body as object, headers });

describe('hostile blocks', () => {
  test('a coinbase value written as v + 2^64 is bad-encoding and remembered nowhere: the genuine block (same bytes) is accepted from a peer, which stays in good standing', async () => {
    const nodes = await startNodes(2, { scheduler });
    try {
      const [a, b] = nodes as [TestNode, TestNode];
      const block = mineOn(b.node.chain.tip, params);
      const json = blockToJSON(block);
      const cb = json.transactions[0]!;
      const forged = {
        ...json,
        transactions: [
          {
            ...cb,
            outputs: [{ ...cb.outputs[0]!, value: (BigInt(cb.outputs[0]!.value) + 2n ** 64n).toString() }],
          },
        ],
      };
      const before = snapshot(b.node);
      const res = await fetch(`${b.url}/block/new`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(forged),
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'bad-encoding');
      assert.deepEqual(snapshot(b.node), before);
      assert.equal(b.node.chain.tree.isKnownInvalid(blockHash(block)), false);
      // a relays the genuine block: accepted, and a is not charged anything.
      const ok = await fetch(`${b.url}/block/new`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...peerHeaders(a, b) },
        body: JSON.stringify(json),
      });
      assert.equal(ok.status, 200, await ok.clone().text());
      assert.equal(b.node.chain.tip.hash, blockHash(block));
      assert.equal(b.node.peers.get(a.node.id)?.score, 0);
    } finally {
      await stopNodes(nodes);
    }
  });

  test('a stale fork is not stored: a pushed block whose chain has less work than the tip is ignored', async () => {
    const node = newNode();
    const app = await buildServer({ node });
    grow(node, 5);
    const before = snapshot(node);
    const side = mineOn(node.chain.genesis, params, { extraNonce: 77n });
    const res = await postBlock(app, blockToJSON(side));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      message: 'Block not stored: its chain has less work than our tip',
      accepted: false,
      stored: false,
      hash: blockHash(side),
      height: 1,
    });
    assert.deepEqual(snapshot(node), before);
    // A competitor at the tip's own height (equal work) is stored: it may still become best.
    const rival = mineOn(node.chain.at(4)!, params, { extraNonce: 78n });
    const r2 = await postBlock(app, blockToJSON(rival));
    assert.equal(r2.json<{ accepted: boolean }>().accepted, true);
    assert.equal(node.chain.tree.size, before.size + 1);
    assert.equal(node.chain.tip.hash, before.tip);
    assert.deepEqual(
      node.chain
        .tips()
        .map((t) => t.status)
        .sort(),
      ['active', 'valid-fork'],
    );
  });

  test("each sender's unrequested new blocks are rate-limited: past the burst, 429 rate-limited and nothing stored", async () => {
    const node = newNode({ blocksPerSecond: 1, blockBurst: 3 });
    const app = await buildServer({ node });
    for (let i = 0; i < 3; i++) {
      const r = await postBlock(app, blockToJSON(mineOn(node.chain.tip, params)));
      assert.equal(r.statusCode, 200, r.body);
    }
    const before = snapshot(node);
    const r = await postBlock(app, blockToJSON(mineOn(node.chain.tip, params)));
    assert.equal(r.statusCode, 429, r.body);
    assert.equal(errorCode(r.body), 'rate-limited');
    assert.deepEqual(snapshot(node), before);
    // A block it already has costs nothing.
    const known = node.chain.getBlock(node.chain.tip.hash)!;
    assert.equal((await postBlock(app, blockToJSON(known))).statusCode, 200);
  });
});

describe('the sender does not choose where a node syncs from', () => {
  test('an unknown parent with a named address that is not a registered peer: nothing is fetched from it', async () => {
    const evil = await fakePeer((_req, res) => res.end('{"blocks": []}'));
    const node = newNode();
    const app = await buildServer({ node });
    const other = newNode();
    grow(other, 3);
    const orphan = other.chain.getBlock(other.chain.tip.hash)!;
    const before = snapshot(node);
    const r = await postBlock(app, blockToJSON(orphan), {
      [NODE_ID_HEADER]: id(1),
      [NODE_ADDRESS_HEADER]: evil.address,
    });
    assert.equal(r.statusCode, 422, r.body);
    assert.equal(errorCode(r.body), 'prev-blk-not-found');
    assert.deepEqual(evil.requests, []);
    assert.deepEqual(snapshot(node), before);
  });

  test("a registered peer's answer never reaches the client: its text stays out of our errors", async () => {
    const peer = await fakePeer((_req, res) => {
      res.statusCode = 500;
      res.end('TOP-SECRET internal page of another service');
    });
    const node = newNode();
    const app = await buildServer({ node });
    await node.registerPeers([{ id: id(2), address: peer.address }]);
    const other = newNode();
    grow(other, 2);
    const r = await postBlock(app, blockToJSON(other.chain.getBlock(other.chain.tip.hash)!), {
      [NODE_ID_HEADER]: id(2),
      [NODE_ADDRESS_HEADER]: peer.address,
    });
    assert.ok(peer.requests.includes('GET /blocks'), peer.requests.join(', '));
    assert.ok(r.statusCode >= 400 && r.statusCode < 600 && r.statusCode !== 500, `${r.statusCode} ${r.body}`);
    assert.ok(!r.body.includes('TOP-SECRET'), r.body);
    assert.ok(errorCode(r.body));
  });

  test('an endless answer is cut at the byte cap; the node keeps serving', async () => {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const peer = await fakePeer((req, res) => {
      if (!req.url?.startsWith('/blocks')) return void res.end('{}');
      res.write('{"blocks": [');
      const more = (): void => {
        while (written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end(']}');
      };
      res.on('close', () => undefined);
      more();
    });
    const node = newNode({ syncAnswerBytes: 1024 * 1024 });
    const app = await buildServer({ node });
    await node.registerPeers([{ id: id(3), address: peer.address }]);
    const other = newNode();
    grow(other, 2);
    const before = snapshot(node);
    const r = await postBlock(app, blockToJSON(other.chain.getBlock(other.chain.tip.hash)!), {
      [NODE_ID_HEADER]: id(3),
      [NODE_ADDRESS_HEADER]: peer.address,
    });
    assert.ok(r.statusCode === 422 || r.statusCode === 502, `${r.statusCode} ${r.body}`);
    assert.ok(written < 24 * 1024 * 1024, `the node read ${written} bytes of a 64 MiB answer`);
    assert.deepEqual(snapshot(node), before);
    assert.equal((await app.inject('/node/id')).statusCode, 200);
  });

  test('a peer that keeps sending blocks we have is asked once more at most, not forever', async () => {
    const node = newNode({ syncBatch: 5 });
    const app = await buildServer({ node });
    grow(node, 8);
    const known = node.chain.range(1, 5).map((e) => blockToJSON(node.chain.getBlock(e.hash)!, e.height));
    // A full batch of what it is asked for, every time: blocks the node has, over and over.
    const peer = await fakePeer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (!req.url?.startsWith('/blocks')) return void res.end('{}');
      const limit = Number(new URL(req.url, 'http://x').searchParams.get('limit') ?? 500);
      res.end(JSON.stringify({ blocks: Array.from({ length: limit }, (_, i) => known[i % known.length]) }));
    });
    await node.registerPeers([{ id: id(4), address: peer.address }]);
    const other = newNode();
    grow(other, 12);
    const started = Date.now();
    const r = await Promise.race([
      postBlock(app, blockToJSON(other.chain.getBlock(other.chain.tip.hash)!), {
        [NODE_ID_HEADER]: id(4),
        [NODE_ADDRESS_HEADER]: peer.address,
      }),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 8000)),
    ]);
    assert.ok(r, `no answer after ${Date.now() - started} ms: the sync loops`);
    assert.equal(r.statusCode, 422, r.body);
    const rounds = peer.requests.filter((x) => x === 'GET /blocks').length;
    assert.ok(rounds <= 2, `${rounds} sync requests`);
  });

  test('a peer that never answers is given up after the deadline: 502 peer-unavailable, in our JSON shape', async () => {
    const silentPeer = await silentServer();
    const node = newNode({ syncRequestMs: 300, pushSyncMs: 1000 });
    const app = await buildServer({ node });
    await node.registerPeers([{ id: id(5), address: silentPeer.address }]);
    const other = newNode();
    grow(other, 2);
    const before = snapshot(node);
    const started = Date.now();
    const r = await Promise.race([
      postBlock(app, blockToJSON(other.chain.getBlock(other.chain.tip.hash)!), {
        [NODE_ID_HEADER]: id(5),
        [NODE_ADDRESS_HEADER]: silentPeer.address,
      }),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 8000)),
    ]);
    assert.ok(r, `no answer after ${Date.now() - started} ms`);
    assert.equal(r.statusCode, 502, r.body);
    assert.equal(errorCode(r.body), 'peer-unavailable');
    assert.deepEqual(snapshot(node), before);
  });
});

describe('peers that do not answer', () => {
  test('one unresponsive registered peer does not stop mining: /mine answers within its deadline, continuous mining goes on', async () => {
    const silentPeer = await silentServer();
    const node = newNode();
    const app = await buildServer({ node });
    await node.registerPeers([{ id: id(6), address: silentPeer.address }]);
    for (let i = 0; i < 2; i++) {
      const started = Date.now();
      const r = await app.inject('/mine');
      assert.equal(r.statusCode, 200, r.body);
      const took = Date.now() - started;
      assert.ok(took < MINE_CATCH_UP_MS + MINE_RELAY_WAIT_MS + 3000, `GET /mine took ${took} ms`);
    }
    const height = node.chain.height;
    node.startMining();
    try {
      // A /mine waiting on its catch-up meanwhile must not hold the continuous miner.
      const pending = app.inject('/mine');
      await eventually(() => node.chain.height >= height + 5, 5000);
      assert.equal((await pending).statusCode, 200);
    } finally {
      node.stopMining();
    }
  });

  test('a node holds few connections to its peers: at most 64 sockets in all, 4 per peer, even while it mines', async () => {
    const open = { now: 0, most: 0 };
    const servers = await Promise.all(Array.from({ length: 30 }, () => silentServer(open)));
    const node = newNode();
    const app = await buildServer({ node });
    await node.registerPeers(servers.map((s, i) => ({ id: id(100 + i), address: s.address })));
    // The node's own count of its sockets, sampled while it mines and pushes every block to 30 silent peers.
    const seen = { total: 0, mostToOnePeer: 0 };
    const sample = setInterval(() => {
      const now = node.peerSockets();
      seen.total = Math.max(seen.total, now.total);
      seen.mostToOnePeer = Math.max(seen.mostToOnePeer, now.mostToOnePeer);
    }, 5);
    try {
      for (let i = 0; i < 2; i++) assert.equal((await app.inject('/mine')).statusCode, 200);
      const height = node.chain.height;
      node.startMining();
      await eventually(() => node.chain.height >= height + 20, 10_000);
      node.stopMining();
    } finally {
      clearInterval(sample);
    }
    assert.ok(seen.total <= 64, `${seen.total} sockets at once to 30 silent peers`);
    assert.ok(seen.mostToOnePeer <= 4, `${seen.mostToOnePeer} sockets at once to one peer`);
    // The servers' view agrees, give or take the sockets they have not seen closing yet.
    assert.ok(open.most <= 64 + 40, `the silent peers saw ${open.most} connections at once`);
  });
});

describe('forged ids and the peer table', () => {
  test('a forged sender id costs the named peer nothing; only its own authenticated pushes are charged', async () => {
    const nodes = await startNodes(2, { scheduler });
    try {
      const [a, b] = nodes as [TestNode, TestNode];
      const bad = (): Block => missTarget(a.node.chain.tip, params);
      const post = (headers: Record<string, string>) =>
        fetch(`${a.url}/block/new`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(blockToJSON(bad())),
        });
      for (let i = 0; i < 3; i++) {
        const r = await post({ [NODE_ID_HEADER]: b.node.id, [NODE_ADDRESS_HEADER]: b.hosted.address });
        assert.equal(r.status, 422);
      }
      assert.equal(a.node.peers.get(b.node.id)?.score, 0);
      // A wrong secret is no better than none.
      await post({ ...peerHeaders(b, a), 'x-chainsim-peer-secret': 'ff'.repeat(16) });
      assert.equal(a.node.peers.get(b.node.id)?.score, 0);
      // b itself, with the secret a gave it: charged.
      await post(peerHeaders(b, a));
      assert.equal(a.node.peers.get(b.node.id)?.score, 50);
    } finally {
      await stopNodes(nodes);
    }
  });

  test('the peer table is bounded: 125 peers, the rest refused with a reason; never the node itself under another name', async () => {
    const node = newNode();
    node.address = '127.0.0.1:5999';
    node.bound = { host: '127.0.0.1', port: 5999 };
    const app = await buildServer({ node });
    // Addresses where nothing listens: the hellos the node sends them fail at once.
    const closed = await silentServer();
    await closed.close();
    const port = Number(closed.address.split(':')[1]);
    const entries = (from: number, n: number) => ({
      nodes: Array.from({ length: n }, (_, i) => id(from + i)),
      // Distinct loopback addresses (all of 127/8 is this machine), each with the closed port.
      addresses: Array.from(
        { length: n },
        (_, i) =>
          `127.${Math.floor((from + i) / 62_500) % 250}.${Math.floor((from + i) / 250) % 250}.${2 + ((from + i) % 250)}:${port}`,
      ),
    });
    const r = await app.inject({ method: 'POST', url: '/nodes/register', payload: entries(1000, 300) });
    assert.equal(r.statusCode, 201, r.body);
    const body = r.json<{ total_nodes: string[]; refused: Array<{ reason: string }> }>();
    assert.equal(body.total_nodes.length, MAX_PEERS);
    assert.equal(body.refused.length, 300 - MAX_PEERS);
    assert.ok(body.refused.every((x) => x.reason === 'peer-table-full'));
    // Batches up to the per-request limit are taken in linear time; the table stays bounded.
    for (let b = 0; b < 20; b++) {
      const more = await app.inject({
        method: 'POST',
        url: '/nodes/register',
        payload: entries(10_000 + b * 1000, 1000),
      });
      assert.equal(more.statusCode, 201);
    }
    const tooMany = await app.inject({
      method: 'POST',
      url: '/nodes/register',
      payload: entries(50_000, 1001),
    });
    assert.equal(tooMany.statusCode, 400);
    assert.equal(node.peers.size, MAX_PEERS);
    assert.ok((await app.inject('/node/id')).body.length < 16 * 1024);

    const fresh = newNode();
    fresh.address = '127.0.0.1:5999';
    fresh.bound = { host: '127.0.0.1', port: 5999 };
    const freshApp = await buildServer({ node: fresh });
    for (const address of ['localhost:5999', '127.0.0.1:5999', '127.1.2.3:5999']) {
      const s = await freshApp.inject({
        method: 'POST',
        url: '/nodes/register',
        payload: { nodes: [id(7)], addresses: [address] },
      });
      assert.equal(s.statusCode, 201);
      assert.equal(fresh.peers.size, 0, `${address} registered as a peer of itself`);
    }
  });
});

describe('beyond loopback, control needs the token', () => {
  test('on a node: /mine, /nodes/register, GET /block/new, mining control and /shutdown need it; peers may still push', async () => {
    const node = newNode();
    const app = await buildServer({ node, token: 'sesame' });
    const routes: Array<{ method: 'GET' | 'POST'; url: string; payload?: object }> = [
      { method: 'GET', url: '/mine' },
      { method: 'GET', url: '/block/new' },
      { method: 'POST', url: '/nodes/register', payload: { nodes: [id(8)], addresses: ['127.0.0.1:1'] } },
      { method: 'GET', url: '/mining/start' },
      { method: 'GET', url: '/mining/stop' },
      { method: 'POST', url: '/chain/replace', payload: [] },
    ];
    const before = snapshot(node);
    for (const r of routes) {
      for (const authorization of [undefined, 'Bearer wrong', 'sesame', 'Bearer sesam']) {
        const res = await app.inject({ ...r, ...(authorization ? { headers: { authorization } } : {}) });
        assert.equal(res.statusCode, 401, `${r.method} ${r.url} with ${authorization}`);
        assert.equal(errorCode(res.body), 'unauthorized');
      }
    }
    assert.deepEqual(snapshot(node), before);
    assert.equal(node.isMiningContinuously, false);
    const ok = await app.inject({ url: '/mine', headers: { authorization: 'Bearer sesame' } });
    assert.equal(ok.statusCode, 200);
    // Blocks are the open protocol: validated, not guarded.
    const r = await postBlock(app, blockToJSON(mineOn(node.chain.tip, params)));
    assert.equal(r.statusCode, 200, r.body);
  });

  test('on the manager: /start/mining, /mining/start, /mining/stop, restarts and /shutdown/all need it', async () => {
    const sim = createSimulation({
      nodes: 2,
      port: 0,
      basePort: 1,
      host: '127.0.0.1',
      network: 'regtest',
      kernel: 'js',
      logDir: null,
      logLevel: 'silent',
      logger: silentLogger(),
      dataDir: null,
      token: 'sesame',
    });
    let shutdowns = 0;
    const app = await buildManagerServer({ sim, onShutdown: () => shutdowns++ });
    try {
      const routes: Array<{ method: 'GET' | 'POST'; url: string }> = [
        { method: 'GET', url: '/start/mining' },
        { method: 'GET', url: '/mining/start' },
        { method: 'GET', url: '/mining/stop' },
        { method: 'POST', url: '/nodes/1/restart' },
        { method: 'GET', url: '/shutdown/all' },
      ];
      for (const r of routes) {
        const res = await app.inject({ ...r, headers: { authorization: 'Bearer nope' } });
        assert.equal(res.statusCode, 401, `${r.method} ${r.url}`);
        assert.equal(errorCode(res.body), 'unauthorized');
      }
      assert.equal(shutdowns, 0);
      assert.equal(sim.continuous, false);
      // Reading stays open; with the token, the route runs (here: 503, the nodes are not started).
      assert.equal((await app.inject('/nodes')).statusCode, 200);
      const withToken = await app.inject({
        url: '/mining/start',
        headers: { authorization: 'Bearer sesame' },
      });
      assert.equal(withToken.statusCode, 503);
    } finally {
      await app.close();
    }
  });

  test('a node bound to 0.0.0.0 advertises a reachable address, or the one given with --advertise', () => {
    let wildcard: string | undefined;
    try {
      wildcard = advertisedAddress('0.0.0.0', 5000);
    } catch (err) {
      assert.ok(err instanceof AdvertiseError);
      assert.match(err.message, /--advertise/);
    }
    if (wildcard !== undefined) {
      assert.notEqual(wildcard.split(':')[0], '0.0.0.0');
      assert.match(wildcard, /^\d+\.\d+\.\d+\.\d+:5000$/);
    }
    assert.equal(advertisedAddress('0.0.0.0', 5000, 'node7.example'), 'node7.example:5000');
    assert.equal(advertisedAddress('0.0.0.0', 5000, '10.231.0.2:6000'), '10.231.0.2:6000');
    assert.equal(advertisedAddress('localhost', 5001), '127.0.0.1:5001');
  });
});

describe('malformed requests answer 4xx in the JSON error shape', () => {
  test('deep nesting in /nodes/register is 400, not 500', async () => {
    const node = newNode();
    const app = await buildServer({ node });
    const deep = `${'['.repeat(20_000)}"127.0.0.1:1"${']'.repeat(20_000)}`;
    for (const payload of [
      `{"nodes": {"${id(9)}": ${deep}}}`,
      `{"nodes": [${deep}], "addresses": ["127.0.0.1:1"]}`,
      `{"nodes": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`,
    ]) {
      const r = await app.inject({
        method: 'POST',
        url: '/nodes/register',
        payload,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.statusCode, 400, r.body.slice(0, 200));
      assert.ok(errorCode(r.body));
    }
    assert.equal(node.peers.size, 0);
  });

  test('request headers over the limit: 431 with {error: {code, message}}', async () => {
    const nodes = await startNodes(1, { scheduler, connect: false });
    try {
      const { port } = nodes[0]!.hosted;
      const answer = await new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => {
          s.write(`GET /node/id HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
        });
        let text = '';
        s.on('data', (d) => (text += d.toString()));
        s.on('end', () => resolve(text));
        s.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 431 /);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as {
        error: { code: string; message: string };
      };
      assert.equal(body.error.code, 'headers-too-large');
      assert.ok(body.error.message);
      // The node goes on serving.
      assert.equal((await fetch(`${nodes[0]!.url}/node/id`)).status, 200);
    } finally {
      await stopNodes(nodes);
    }
  });
});

describe('peers introduce themselves', () => {
  test('registered HTTP peers exchange secrets (hellos), so their pushes are authenticated; a restarted node is introduced again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainsim-hello-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    const [b] = (await startNodes(1, { scheduler, connect: false })) as [TestNode];
    const open = async (port: number): Promise<TestNode> =>
      testNode(
        await startNode({
          params,
          pow: scheduler.addClient({ name: 'c' }),
          logger: silent,
          store: { dataDir: dir },
          listen: { port },
        }),
      );
    let c = await open(0);
    try {
      await connectAll([b, c]);
      assert.ok(c.node.peers.get(b.node.id)?.credential);
      assert.ok(b.node.peers.get(c.node.id)?.credential);
      // c restarts on its port: it knows b from its store, but not b's secret; its hello asks for it again.
      const { port } = c.hosted;
      await c.close();
      c = await open(port);
      assert.equal(c.node.peers.get(b.node.id)?.credential ?? null, null);
      await eventually(() => Boolean(c.node.peers.get(b.node.id)?.credential));
      // Its pushes to b are authenticated again: an invalid one costs it its ban score.
      const res = await fetch(`${b.url}/block/new`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...peerHeaders(c, b) },
        body: JSON.stringify(blockToJSON(missTarget(b.node.chain.tip, params))),
      });
      assert.equal(res.status, 422);
      assert.equal(b.node.peers.get(c.node.id)?.score, 50);
    } finally {
      await stopNodes([b, c]);
    }
  });
});
