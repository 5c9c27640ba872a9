/**
 * `npm run bench -- network`: start-up time and memory per node for 6, 32 and 64 nodes, and the API's
 * latency while every node mines. Targets: 64 nodes up in ≤ 5 s at ≤ 25 MB RSS per node;
 * p99 of `GET /node/id` ≤ 5 ms while all nodes mine continuously.
 *
 * Latency is measured two ways over 6 nodes, with the pool idle and with every node mining: closed-loop (4
 * requests in flight, each sent when one answers: as fast as the machine allows, so the client's own work and
 * queueing on the 2 cores set the tail) and open-loop at a fixed 500 requests a second (what a request meets
 * when users and scripts probe the nodes, the case the target is about; a bare node:net client, so that its
 * own CPU and garbage collections stay out of the figure as far as they can on shared cores). Mining starts
 * from genesis, where the sim network's difficulty is low, so blocks come several times a second (blocks 12
 * to 23 four times faster still: the first retarget's window starts at the genesis time, months ago) until
 * retargeting (every 12 blocks, at most 4x) slows them to one per 5 s; and in those first seconds each
 * node's V8 compiles its block-handling code. So the first 4 s of mining are measured apart (open loop), and
 * the rest from 12 s after the start; the table counts the blocks found during each measurement.
 *
 * Each size runs in a fresh process (bench/network-child.ts), so memory is not shared between runs, and in
 * the configuration `npm run simulate` runs by default: chains in LevelDB, info logs to a file per node. One
 * more run of 64 nodes keeps chains in memory and logs nothing (as the tests run), for comparison. RSS per
 * node is (RSS after start-up − RSS before) / nodes, which also spreads the manager's fixed costs (the pool
 * threads, Node's thread pool, the code cache) over the nodes, a large share at 6 nodes; the marginal cost
 * of one more node (the slope between 32 and 64) is reported beside it. The latency load comes from this
 * process, a different one from the simulator's.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  clearProgress,
  freePortRun,
  httpLoad,
  rateLoad,
  machine,
  median,
  percentile,
  printTable,
  progress,
  round,
  writeResults,
} from './lib.ts';
import { httpJSON } from '../dist/net/http-client.js';

/** A control request to the simulator (node:http: `fetch` would load undici in this, the load's, process). */
const get = <T = unknown>(port: number, path: string): Promise<T> =>
  httpJSON<T>(`http://127.0.0.1:${port}${path}`, { timeoutMs: 60_000 });

const CHILD = fileURLToPath(new URL('./network-child.ts', import.meta.url));

interface StartResult {
  nodes: number;
  inMemory: boolean;
  startSeconds: number;
  rssBeforeMB: number;
  rssMB: number;
  perNodeMB: number;
  kernel: string;
}

async function startChild(
  nodes: number,
  inMemory = false,
): Promise<{ result: StartResult; base: number; done: Promise<number | null> }> {
  const base = await freePortRun(nodes + 1);
  const args = [CHILD, String(nodes), String(base), ...(inMemory ? ['--in-memory'] : [])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const done = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const result = await new Promise<StartResult>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as StartResult);
    });
    child.on('exit', (code) =>
      reject(new Error(`simulator with ${nodes} nodes exited (${code}) before starting`)),
    );
  });
  return { result, base, done };
}

async function shutdown(base: number, done: Promise<number | null>): Promise<void> {
  await get(base, '/shutdown/all').catch(() => undefined);
  await done;
}

async function load(base: number, nodes: number, total: number, concurrency: number) {
  const { latencies, errors, seconds } = await httpLoad((i) => base + 1 + (i % nodes), total, concurrency);
  return {
    mode: `closed loop, ${concurrency} in flight`,
    requests: total,
    errors,
    p50Ms: round(median(latencies)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(Math.max(...latencies)),
    reqPerSecond: Math.round(total / seconds),
  };
}

const RATE = 500;
/** Mining is measured from here on; the first seconds are measured apart (see the header). */
const STEADY_AFTER_MS = 12_000;
const RATE_SECONDS = 4;

async function loadAtRate(base: number, nodes: number) {
  const { latencies, errors, sent } = await rateLoad((i) => base + 1 + (i % nodes), RATE, RATE_SECONDS);
  return {
    mode: `open loop, ${RATE} req/s`,
    requests: sent,
    errors,
    p50Ms: round(median(latencies)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(Math.max(...latencies)),
    reqPerSecond: RATE,
  };
}

type Latency = Awaited<ReturnType<typeof load>> & { blocks?: number };

async function height(base: number): Promise<number> {
  return (await get<{ height: number }>(base + 1, '/node/id')).height;
}

/** `measure`, with the number of blocks the network found meanwhile (each one is work for every node). */
async function withBlocks(base: number, measure: () => Promise<Latency>): Promise<Latency> {
  const before = await height(base);
  const l = await measure();
  return { ...l, blocks: (await height(base)) - before };
}

export async function run(): Promise<void> {
  const starts: StartResult[] = [];
  let latency: { idle: Latency[]; mining: Latency[] } | null = null;
  const sizes = [
    { nodes: 6, inMemory: false },
    { nodes: 32, inMemory: false },
    { nodes: 64, inMemory: false },
    { nodes: 64, inMemory: true },
  ];
  for (const { nodes, inMemory } of sizes) {
    progress(`starting ${nodes} nodes${inMemory ? ' (in memory, no logs)' : ''}`);
    const { result, base, done } = await startChild(nodes, inMemory);
    starts.push(result);
    if (nodes === 6 && !inMemory) {
      progress('latency with the pool idle');
      await load(base, nodes, 500, 4); // warm-up
      const idle = [await load(base, nodes, 3000, 4), await loadAtRate(base, nodes)];
      await get(base, '/mining/start');
      const started = performance.now();
      progress('latency in the first seconds of mining');
      const first = await withBlocks(base, () => loadAtRate(base, nodes));
      await new Promise((r) => setTimeout(r, Math.max(0, STEADY_AFTER_MS - (performance.now() - started))));
      progress('latency while every node mines');
      const mining = [
        { ...first, mode: `${first.mode}, first ${RATE_SECONDS} s of mining` },
        await withBlocks(base, () => load(base, nodes, 3000, 4)),
        await withBlocks(base, () => loadAtRate(base, nodes)),
      ];
      await get(base, '/mining/stop');
      latency = { idle, mining };
    }
    await shutdown(base, done);
  }
  clearProgress();
  const s32 = starts.find((s) => s.nodes === 32 && !s.inMemory)!;
  const s64 = starts.find((s) => s.nodes === 64 && !s.inMemory)!;
  const marginalMB = (s64.rssMB - s32.rssMB) / 32;
  const results = {
    targets: { start64Seconds: 5, rssPerNodeMB: 25, apiP99Ms: 5 },
    startup: starts.map((s) => ({
      ...s,
      startSeconds: round(s.startSeconds),
      rssMB: round(s.rssMB),
      perNodeMB: round(s.perNodeMB),
    })),
    marginalMBPerNode: round(marginalMB),
    latency,
    machine: machine(),
    date: new Date().toISOString(),
  };
  printTable(
    'start-up and memory (targets: 64 nodes <= 5 s, <= 25 MB RSS per node)',
    ['nodes', 'chains and logs', 'start s', 'RSS MB', 'MB per node'],
    results.startup.map((s) => [
      s.nodes,
      s.inMemory ? 'in memory, none' : 'LevelDB, files',
      s.startSeconds,
      s.rssMB,
      s.perNodeMB,
    ]),
  );
  console.log(`marginal memory per extra node (32 -> 64): ${round(marginalMB)} MB`);
  if (latency) {
    const row = (pool: string, l: Latency) => [
      pool,
      l.mode,
      l.requests,
      l.p50Ms,
      l.p99Ms,
      l.maxMs,
      l.reqPerSecond,
      l.blocks ?? '-',
    ];
    printTable(
      'GET /node/id over 6 nodes, LevelDB and log files (target: p99 <= 5 ms while mining)',
      ['pool', 'load', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'req/s', 'blocks'],
      [...latency.idle.map((l) => row('idle', l)), ...latency.mining.map((l) => row('all nodes mining', l))],
    );
  }
  console.log(`wrote ${writeResults('network', results)}`);
}
