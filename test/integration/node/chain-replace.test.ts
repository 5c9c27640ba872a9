/**
 * `POST /chain/replace` streams its body: it must never freeze the node, whatever it is sent. The answers
 * themselves (201, 409, 422 with reason and height, 400, 401) are checked in routes.test.ts.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import {
  type Block,
  blockHash,
  blockSubsidy,
  blockToJSON,
  decodeBlock,
  networks,
} from '../../../src/consensus/index.ts';
import { createChain } from '../../../src/chain/chain.ts';
import { hostNode, type HostedNode } from '../../../src/node/host.ts';
import { BODY_LIMIT, buildServer } from '../../../src/node/http/server.ts';
import { type ChainsimNode, createNode } from '../../../src/node/node.ts';
import { mineOn, PAYOUT } from '../../helpers/chain.ts';
import { silent, testScheduler } from '../../helpers/nodes.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';

const params = networks.regtest;
const scheduler = testScheduler();
after(() => scheduler.close());

/** A valid regtest chain of `n` blocks after genesis (the coinbase follows the halvings). */
function buildChain(n: number): Block[] {
  const chain = createChain({ params, verifySchnorr: fastVerifySchnorr });
  const blocks: Block[] = [decodeBlock(params.genesisBlock)];
  for (let i = 0; i < n; i++) {
    const tip = chain.tip;
    const payout = [{ value: blockSubsidy(tip.height + 1, params), script: PAYOUT.script }];
    const block = mineOn(tip, params, { time: tip.time + 1, payout });
    chain.acceptBlock(block, 2_000_000_000);
    blocks.push(block);
  }
  return blocks;
}

const chainText = (blocks: Block[], wrap = false): string => {
  const list = blocks.map((b, i) => blockToJSON(b, i));
  return JSON.stringify(wrap ? { chain: list } : list);
};

function newNode(): ChainsimNode {
  return createNode({ params, pow: scheduler.addClient({ name: 'n' }), logger: silent });
}

const snapshot = (node: ChainsimNode) => ({ tip: node.chain.tip.hash, size: node.chain.tree.size });

/** `prefix`, then `piece` over and over, lazily, until `total` bytes: a huge body never held whole. */
function endless(prefix: string, piece: string, total: number, suffix = ''): Readable {
  const head = Buffer.from(prefix);
  const body = Buffer.from(piece.repeat(Math.max(1, Math.floor((64 * 1024) / piece.length))));
  return Readable.from(
    (function* () {
      yield head;
      for (let sent = head.length; sent < total; sent += body.length) yield body;
      if (suffix) yield Buffer.from(suffix);
    })(),
  );
}

/** A text as a stream of 64 KiB chunks. */
const chunked = (text: string): Readable => {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 64 * 1024) parts.push(bytes.subarray(at, at + 64 * 1024));
  return Readable.from(parts);
};

interface Answer {
  status: number;
  body: { error?: { code: string; message: string; height?: number }; length?: number; tip?: string };
}

/**
 * POSTs a stream to `/chain/replace` over real HTTP (chunked unless a length is given). A node that refuses
 * early closes the connection, so writing the rest of the body then fails: that is expected, not an error.
 */
function postStream(port: number, body: Readable, length?: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/chain/replace',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(length ? { 'content-length': length } : {}) },
      },
      (res) => {
        answered = true;
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString();
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] });
          } catch {
            reject(new Error(`status ${res.statusCode}, not JSON: ${text.slice(0, 200)}`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.on('close', () => body.destroy());
    body.pipe(req);
  });
}

/**
 * What the node's other clients see meanwhile: GET /node/id one after another (each within `boundMs`, or
 * the test fails), and the longest event-loop stall of this process, which is also the node's.
 */
function watchNode(hosted: HostedNode, boundMs: number) {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let stopped = false;
  let worst = 0;
  let answers = 0;
  const run = (async () => {
    while (!stopped) {
      const start = performance.now();
      try {
        const res = await fetch(`http://${hosted.address}/node/id`, { signal: AbortSignal.timeout(120_000) });
        await res.json();
      } catch (err) {
        assert.fail(`GET /node/id failed after ${Math.round(performance.now() - start)} ms: ${String(err)}`);
      }
      const ms = performance.now() - start;
      assert.ok(ms < boundMs, `GET /node/id took ${Math.round(ms)} ms (bound ${boundMs} ms)`);
      worst = Math.max(worst, ms);
      answers++;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await run;
      delay.disable();
      return { worstNodeIdMs: Math.round(worst), answers, longestStallMs: Math.round(delay.max / 1e6) };
    },
  };
}

describe('POST /chain/replace streams: the node keeps answering', () => {
  let node: ChainsimNode;
  let hosted: HostedNode;
  before(async () => {
    node = newNode();
    hosted = await hostNode({ node, port: 0 });
    // The first request warms the HTTP client and server, so the stalls below are the replacement's.
    await (await fetch(`http://${hosted.address}/node/id`)).json();
  });
  after(() => hosted.close());

  test('100 MB of [{},{},...] is refused at once: 422 bad-encoding at height 0', async (t) => {
    const before = snapshot(node);
    const watch = watchNode(hosted, 2000);
    const start = performance.now();
    const res = await postStream(hosted.port, endless('[', '{},', 100 * 1024 * 1024, '{}]'));
    const ms = Math.round(performance.now() - start);
    const seen = await watch.stop();
    t.diagnostic(`refused in ${ms} ms; ${JSON.stringify(seen)}`);
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.equal(res.body.error?.code, 'bad-encoding');
    assert.equal(res.body.error?.height, 0);
    assert.ok(ms < 10_000, `refused after ${ms} ms`);
    assert.deepEqual(snapshot(node), before);
    assert.equal((await fetch(`http://${hosted.address}/node/id`)).status, 200);
  });

  test('a valid 5,000-block chain is adopted while GET /node/id keeps answering', async (t) => {
    const blocks = buildChain(5000);
    const text = chainText(blocks);
    const watch = watchNode(hosted, 500);
    const start = performance.now();
    const res = await postStream(hosted.port, chunked(text), Buffer.byteLength(text));
    const ms = Math.round(performance.now() - start);
    const seen = await watch.stop();
    t.diagnostic(`5,000 blocks (${text.length} bytes) adopted in ${ms} ms; ${JSON.stringify(seen)}`);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body, { message: 'Chain replaced', length: 5001, tip: blockHash(blocks[5000]!) });
    assert.equal(node.chain.tip.hash, blockHash(blocks[5000]!));
    // Bound 500 ms: checking 5,000 blocks in one go held the loop ~0.9 s.
    assert.ok(seen.longestStallMs < 500, `the event loop stalled ${seen.longestStallMs} ms`);
  });

  test('an element that cannot be a block ends the body at once: 422 bad-encoding at its height', async () => {
    const genesis = JSON.stringify(blockToJSON(decodeBlock(params.genesisBlock), 0));
    const before = snapshot(node);
    // Nesting without end (which would grow the parser's stack), and a block as JSON past the 4 MiB of any
    // block; both bodies would go on for 200 MB.
    for (const body of [
      endless(`[${genesis},`, '[', 200 * 1024 * 1024),
      endless(`{"chain": [${genesis}, {"version": "`, 'x', 200 * 1024 * 1024),
    ]) {
      const res = await postStream(hosted.port, body);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.error?.code, 'bad-encoding');
      assert.equal(res.body.error?.height, 1);
    }
    assert.deepEqual(snapshot(node), before);
  });
});

describe('POST /chain/replace through inject', () => {
  test('a body refused before its end, on an injected request (no socket): 422, and the process goes on', async () => {
    const node = newNode();
    const app = await buildServer({ node });
    const junk = Readable.from(
      (function* () {
        yield '[';
        // 24 MB: more than the 16 MiB a refused body is drained for, so the request is closed.
        for (let i = 0; i < 400; i++) yield '{},'.repeat(20_000);
        yield '{}]';
      })(),
    );
    const r = await app.inject({
      method: 'POST',
      url: '/chain/replace',
      payload: junk,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(r.statusCode, 422, r.body);
    // The rest of the body is drained and the request closed after the answer; the node still answers.
    await new Promise((done) => setTimeout(done, 50));
    assert.equal((await app.inject('/node/id')).statusCode, 200);
  });
});

describe('POST /chain/replace caps', () => {
  const blocks = buildChain(6);

  test('more blocks than the cap → 413 payload-too-large naming the cap; at the cap → adopted', async () => {
    const node = newNode();
    const app = await buildServer({ node, replaceLimits: { maxBlocks: 5 } });
    const before = snapshot(node);
    const over = await app.inject({
      method: 'POST',
      url: '/chain/replace',
      payload: chainText(blocks),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(over.statusCode, 413, over.body);
    const err = over.json<{ error: { code: string; message: string } }>().error;
    assert.equal(err.code, 'payload-too-large');
    assert.match(err.message, /at most 5 blocks/);
    assert.deepEqual(snapshot(node), before);
    const atCap = await app.inject({
      method: 'POST',
      url: '/chain/replace',
      payload: chainText(blocks.slice(0, 6)),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(atCap.statusCode, 201, atCap.body);
    assert.equal(node.chain.height, 5);
  });

  test('more bytes than the cap → 413 (declared, streamed, or double-encoded past 4 MiB)', async () => {
    const node = newNode();
    const before = snapshot(node);
    // A valid chain, padded: the bytes alone decide.
    const padded = `{"chain": ${chainText(blocks)}, "pad": "${'x'.repeat(BODY_LIMIT)}"}`;
    const app = await buildServer({ node, replaceLimits: { maxBytes: 64 * 1024 } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const declared = await app.inject({
        method: 'POST',
        url: '/chain/replace',
        payload: padded,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(declared.statusCode, 413, declared.body);
      assert.match(declared.json<{ error: { message: string } }>().error.message, /64 KiB/);

      const port = (app.server.address() as { port: number }).port;
      const streamed = await postStream(port, endless('{"pad": "', 'x', 80 * 1024 * 1024));
      assert.equal(streamed.status, 413, JSON.stringify(streamed.body));
      assert.equal(streamed.body.error?.code, 'payload-too-large');
      assert.match(streamed.body.error?.message ?? '', /64 KiB/);
    } finally {
      await app.close();
    }

    // The default caps; the double-encoded form is decoded whole, so it stops at BODY_LIMIT.
    const doubled = await (
      await buildServer({ node })
    ).inject({
      method: 'POST',
      url: '/chain/replace',
      payload: JSON.stringify(padded),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(doubled.statusCode, 413, doubled.body);
    assert.match(doubled.json<{ error: { message: string } }>().error.message, /double-encoded.*4 MiB/);
    assert.deepEqual(snapshot(node), before);
  });

  test('/openapi.json states the caps', async () => {
    const app = await buildServer({ node: newNode() });
    const doc = (await app.inject('/openapi.json')).json<{
      paths: Record<string, { post: { description: string } }>;
    }>();
    const text = doc.paths['/chain/replace']!.post.description;
    assert.match(text, /50000 blocks after genesis and 64 MiB/);
    assert.match(text, /double-encoded.*4 MiB/);
  });
});
