/**
 * `npm run bench -- hostile`: what hostile peers and clients cost a node (docs/peers.md): registering 100,000
 * peers, listing the tips of a 50,000-block tree, replacing a chain with it and refusing 100 MB of junk,
 * `GET /mine` with a peer that never answers, and a sync from a peer that keeps sending blocks the node has.
 * Prints a table and writes bench/results/hostile.json.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { blockToJSON, networks } from '../dist/consensus/index.js';
import { createInlineExecutor } from '../dist/mining/executors.js';
import { selectKernel } from '../dist/mining/kernels/index.js';
import { createPowScheduler } from '../dist/mining/scheduler.js';
import { buildServer } from '../dist/node/http/server.js';
import { createNode } from '../dist/node/node.js';
import { silentLogger } from '../dist/runtime/logger.js';
import { regtestBlockOn } from './regtest.ts';
import { clearProgress, machine, median, printTable, progress, round, writeResults } from './lib.ts';

const params = networks.regtest;
const kernel = selectKernel('auto').kernel;
const scheduler = createPowScheduler({ executor: createInlineExecutor(kernel) });
const logger = silentLogger();
const newNode = () => createNode({ params, pow: scheduler.addClient({ name: 'n' }), logger });
type BenchNode = ReturnType<typeof newNode>;
const hexId = (n: number) => n.toString(16).padStart(32, '0');

function grow(node: BenchNode, n: number, label: string, extra = 0n): void {
  for (let i = 0; i < n; i++) {
    node.acceptBlock(regtestBlockOn(node.chain.tip, extra + BigInt(i)));
    if (i % 1000 === 0) progress(`${label}: ${i}/${n}`);
  }
  clearProgress();
}

async function silentServer() {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.resume();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** 100,000 registrations, 1,000 a request (the most one takes), at addresses where nothing listens. */
async function registration() {
  const node = newNode();
  const app = await buildServer({ node });
  const closed = await silentServer();
  closed.close();
  const port = closed.address.split(':')[1];
  const times: number[] = [];
  const t0 = performance.now();
  for (let b = 0; b < 100; b++) {
    const n = 1000;
    const payload = {
      nodes: Array.from({ length: n }, (_, i) => hexId(b * n + i + 1)),
      addresses: Array.from({ length: n }, (_, i) => {
        const k = b * n + i;
        return `127.${Math.floor(k / 62_500) % 250}.${Math.floor(k / 250) % 250}.${2 + (k % 250)}:${port}`;
      }),
    };
    const s = performance.now();
    const r = await app.inject({ method: 'POST', url: '/nodes/register', payload });
    if (r.statusCode !== 201) throw new Error(`register answered ${r.statusCode}`);
    times.push(performance.now() - s);
  }
  const totalMs = performance.now() - t0;
  const idBytes = (await app.inject('/node/id')).body.length;
  await node.close();
  return {
    entries: 100_000,
    totalMs: round(totalMs),
    slowestRequestMs: round(Math.max(...times)),
    peers: node.peers.size,
    nodeIdBytes: idBytes,
  };
}

/** GET /tips on a 50,000-block chain with 10 side tips. */
async function tips() {
  const node = newNode();
  const app = await buildServer({ node });
  grow(node, 50_000, 'building a 50,000-block chain');
  for (let i = 0; i < 10; i++)
    node.acceptBlock(regtestBlockOn(node.chain.at(1000 + i * 4000)!, 1_000_000n + BigInt(i)));
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < 20; i++) {
    const s = performance.now();
    const r = await app.inject('/tips');
    times.push(performance.now() - s);
    count = r.json<{ tips: unknown[] }>().tips.length;
  }
  return {
    node,
    result: {
      blocks: node.chain.tree.size,
      tips: count,
      medianMs: round(median(times)),
      maxMs: round(Math.max(...times)),
    },
  };
}

/** A body streamed in chunks as the route reads it (generated lazily: a 100 MB string is never built). */
function streamed(chunks: () => Generator<string>): Readable {
  return Readable.from(chunks(), { objectMode: false });
}

/**
 * `POST /chain/replace` with a whole chain (the 50,000 blocks of `from`'s active chain) and with 100 MB of
 * `[{},{},...]`: how long each takes and the longest event-loop stall meanwhile (the client generating the body runs
 * in the same process, so its work counts too).
 */
async function replace(from: BenchNode) {
  const measure = async (body: Readable) => {
    const node = newNode();
    const app = await buildServer({ node });
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const s = performance.now();
    const r = await app.inject({
      method: 'POST',
      url: '/chain/replace',
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    const ms = performance.now() - s;
    delay.disable();
    await node.close();
    return {
      status: r.statusCode,
      ms: round(ms),
      longestStallMs: round(delay.max / 1e6),
      height: node.tip.height,
    };
  };
  const entries = from.chain.range(0);
  const chain = await measure(
    streamed(function* () {
      yield '[';
      for (let i = 0; i < entries.length; i += 200) {
        const part = entries
          .slice(i, i + 200)
          .map((e) => JSON.stringify(blockToJSON(from.chain.getBlock(e.hash)!, e.height)));
        yield `${i > 0 ? ',' : ''}${part.join(',')}`;
      }
      yield ']';
    }),
  );
  const garbage = await measure(
    streamed(function* () {
      const chunk = '{},'.repeat(21_845);
      yield '[';
      for (let n = 0; n < (100 * 1024 * 1024) / chunk.length; n++) yield chunk;
      yield '{}]';
    }),
  );
  return { chain: { blocks: entries.length - 1, ...chain }, garbage100MB: garbage };
}

/** GET /mine on a node whose one peer accepts connections and never answers. */
async function mineWithSilentPeer() {
  const peer = await silentServer();
  const node = newNode();
  const app = await buildServer({ node });
  await node.registerPeers([{ id: hexId(1), address: peer.address }]);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = performance.now();
    const r = await app.inject('/mine');
    if (r.statusCode !== 200) throw new Error(`/mine answered ${r.statusCode}`);
    times.push(performance.now() - s);
    progress(`GET /mine with a silent peer: ${i + 1}/5`);
  }
  clearProgress();
  const height = node.chain.height;
  node.startMining();
  const s = performance.now();
  while (node.chain.height < height + 20 && performance.now() - s < 20_000)
    await new Promise((r) => setTimeout(r, 10));
  const continuousMs = performance.now() - s;
  node.stopMining();
  await node.close();
  peer.close();
  return {
    mineMedianMs: round(median(times)),
    mineMaxMs: round(Math.max(...times)),
    twentyContinuousBlocksMs: round(continuousMs),
  };
}

/** A push with an unknown parent from a peer whose /blocks keeps answering 500 blocks the node already has. */
async function repeatingPeer() {
  const node = newNode();
  const app = await buildServer({ node });
  grow(node, 600, 'building a 600-block chain');
  const known = JSON.stringify({
    blocks: node.chain.range(1, 500).map((e) => blockToJSON(node.chain.getBlock(e.hash)!, e.height)),
  });
  let requests = 0;
  const server = createHttpServer((req, res) => {
    if (req.url?.startsWith('/blocks')) requests++;
    res.setHeader('content-type', 'application/json');
    res.end(req.url?.startsWith('/blocks') ? known : '{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await node.registerPeers([
    { id: hexId(2), address: `127.0.0.1:${(server.address() as { port: number }).port}` },
  ]);
  const other = newNode();
  grow(other, 3, 'a foreign chain', 1_000_000n);
  const s = performance.now();
  const r = await app.inject({
    method: 'POST',
    url: '/block/new',
    payload: blockToJSON(other.chain.getBlock(other.chain.tip.hash)!),
    headers: { 'x-chainsim-node-id': hexId(2) },
  });
  const ms = performance.now() - s;
  server.closeAllConnections();
  server.close();
  await node.close();
  return { status: r.statusCode, syncRequests: requests, answeredMs: round(ms) };
}

export async function run(): Promise<void> {
  const reg = await registration();
  const { node: chainNode, result: t } = await tips();
  progress('POST /chain/replace: a 50,000-block chain, then 100 MB of [{},...]');
  const rep50k = await replace(chainNode);
  clearProgress();
  await chainNode.close();
  const mine = await mineWithSilentPeer();
  const rep = await repeatingPeer();
  await scheduler.close();
  printTable(
    'hostile peers and clients (docs/peers.md)',
    ['what', 'measured'],
    [
      [
        'register 100,000 peers (100 requests of 1,000)',
        `${reg.totalMs} ms in all, slowest request ${reg.slowestRequestMs} ms; ${reg.peers} kept; /node/id ${reg.nodeIdBytes} bytes`,
      ],
      [`GET /tips, ${t.blocks} blocks, ${t.tips} tips`, `median ${t.medianMs} ms, max ${t.maxMs} ms`],
      [
        `POST /chain/replace, a valid ${rep50k.chain.blocks}-block chain`,
        `${rep50k.chain.status} in ${rep50k.chain.ms} ms (height ${rep50k.chain.height}), longest stall ${rep50k.chain.longestStallMs} ms`,
      ],
      [
        'POST /chain/replace, 100 MB of [{},{},...]',
        `${rep50k.garbage100MB.status} in ${rep50k.garbage100MB.ms} ms, longest stall ${rep50k.garbage100MB.longestStallMs} ms`,
      ],
      ['GET /mine, one silent peer', `median ${mine.mineMedianMs} ms, max ${mine.mineMaxMs} ms`],
      ['20 continuous blocks, one silent peer', `${mine.twentyContinuousBlocksMs} ms`],
      [
        'push from a peer repeating known blocks',
        `${rep.status} after ${rep.answeredMs} ms, ${rep.syncRequests} sync request(s)`,
      ],
    ],
  );
  const file = writeResults('hostile', {
    machine: machine(),
    registration: reg,
    tips: t,
    replace: rep50k,
    mine,
    repeatingPeer: rep,
  });
  console.log(`results: ${file}`);
}
