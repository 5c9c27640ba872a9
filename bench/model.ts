/**
 * `npm run bench -- model`: what the network model costs per delivered message. Target (issue 15): under 20 µs
 * with the model active at latency 0.
 *
 * One node with 8 peers (the full mesh of 9 nodes, what `random:8` builds up to 9) announces a block again and
 * again through the relay's real announce (dist/net/announce.js) to a link whose push only counts its targets, so
 * what is measured is the relay's own work: without a model (the baseline), with the model at latency 0 (a
 * decision per target, then one push: the fast path, no timer), and with a fixed latency of 1 ms (a decision per
 * target and a job in the delay queue each, CPU time, since the wall time is mostly the millisecond waited). The
 * gated HTTP client (a request and its answer, each decided) is measured the same way against a client that
 * answers at once. Figures are the median of 7 rounds; overhead = modelled - baseline, per message.
 */
import pino from 'pino';
import { decodeBlock, networks } from '../dist/consensus/index.js';
import { announceBlock } from '../dist/net/announce.js';
import { DelayQueue } from '../dist/net/delay-queue.js';
import { Gate } from '../dist/net/gate.js';
import { createNetworkModel, makeSettings } from '../dist/net/model/index.js';
import type { NetworkSettings } from '../dist/net/model/types.js';
import type { PeerClient } from '../dist/net/peer-client.js';
import { PeerSet } from '../dist/net/peers.js';
import { RELAY_LIMITS, type RelayContext, type RelayNode } from '../dist/net/protocol.js';
import { machine, median, printTable, round, writeResults } from './lib.ts';

const NODES = 9;
const ANNOUNCES = 20_000;
const DELAYED_ANNOUNCES = 2_000;
const REQUESTS = 50_000;
const ROUNDS = 7;

const addresses = Array.from({ length: NODES }, (_, i) => `127.0.0.1:${7000 + i}`);
const ids = addresses.map((_, i) => i.toString(16).padStart(32, '0'));
const block = decodeBlock(networks.regtest.genesisBlock);

const answerAtOnce: PeerClient = {
  request: <T>() => Promise.resolve({ ok: true } as T),
  openSockets: () => ({ total: 0, mostToOnePeer: 0 }),
  close: () => undefined,
};

function settings(latencyMs: number): NetworkSettings {
  return makeSettings({
    seed: 1,
    nodes: addresses,
    topology: { kind: 'random', k: 8 },
    defaults: { latency: { kind: 'fixed', ms: latencyMs } },
  });
}

/** Node 0's relay context; `model` null: no gate (the baseline). */
function context(model: NetworkSettings | null): { ctx: RelayContext; delivered: () => number } {
  let delivered = 0;
  const peers = new PeerSet({ selfId: ids[0]!, isSelf: (a) => a === addresses[0] });
  peers.register(addresses.slice(1).map((address, i) => ({ id: ids[i + 1]!, address })));
  const gate = model
    ? new Gate(answerAtOnce, {
        model: createNetworkModel(model, 1),
        self: () => addresses[0]!,
        now: () => performance.now(),
        queue: new DelayQueue(),
      })
    : null;
  const ctx: RelayContext = {
    node: { id: ids[0]!, log: pino({ level: 'silent' }), address: () => addresses[0]! } as RelayNode,
    peers,
    client: gate ? gate.client : answerAtOnce,
    link: {
      reaches: () => true,
      push: (push) => {
        delivered += push.to.length;
        return Promise.resolve();
      },
    },
    gate,
    limits: RELAY_LIMITS,
    nowMs: Date.now,
    track: () => undefined,
  };
  return { ctx, delivered: () => delivered };
}

/** µs of wall time per delivered message, announcing one after another. */
async function announceWall(model: NetworkSettings | null): Promise<number> {
  const { ctx, delivered } = context(model);
  const t0 = performance.now();
  for (let i = 0; i < ANNOUNCES; i++) await announceBlock(ctx, block);
  return ((performance.now() - t0) * 1000) / delivered();
}

/** µs of CPU time per delivered message, all announces queued at once and awaited together. */
async function announceCpu(model: NetworkSettings | null): Promise<number> {
  const { ctx, delivered } = context(model);
  const c0 = process.cpuUsage();
  const runs: Promise<void>[] = [];
  for (let i = 0; i < DELAYED_ANNOUNCES; i++) runs.push(announceBlock(ctx, block));
  await Promise.all(runs);
  const c = process.cpuUsage(c0);
  if (delivered() !== DELAYED_ANNOUNCES * (NODES - 1)) throw new Error(`delivered ${delivered()}`);
  return (c.user + c.system) / delivered();
}

/** µs per request through the gated client (request and answer decided) or straight to the client. */
async function requestWall(model: NetworkSettings | null): Promise<number> {
  const client = model
    ? new Gate(answerAtOnce, {
        model: createNetworkModel(model, 1),
        self: () => addresses[0]!,
        now: () => performance.now(),
        queue: new DelayQueue(),
      }).client
    : answerAtOnce;
  const t0 = performance.now();
  for (let i = 0; i < REQUESTS; i++) await client.request(addresses[1 + (i % (NODES - 1))]!, '/node/id');
  return ((performance.now() - t0) * 1000) / REQUESTS;
}

async function medianOf(f: () => Promise<number>): Promise<number> {
  await f(); // warm-up
  const xs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) xs.push(await f());
  return median(xs);
}

export async function run(): Promise<void> {
  const zero = settings(0);
  const oneMs = settings(1);
  const base = await medianOf(() => announceWall(null));
  const fast = await medianOf(() => announceWall(zero));
  const baseCpu = await medianOf(() => announceCpu(null));
  const delayedCpu = await medianOf(() => announceCpu(oneMs));
  const reqBase = await medianOf(() => requestWall(null));
  const reqGated = await medianOf(() => requestWall(zero));
  const results = {
    machine: machine(),
    nodes: NODES,
    targetUsPerMessage: 20,
    announce: {
      messagesPerRound: ANNOUNCES * (NODES - 1),
      baselineUsPerMessage: round(base, 3),
      latency0UsPerMessage: round(fast, 3),
      latency0OverheadUs: round(fast - base, 3),
    },
    announceDelayed: {
      messagesPerRound: DELAYED_ANNOUNCES * (NODES - 1),
      latencyMs: 1,
      baselineCpuUsPerMessage: round(baseCpu, 3),
      delayedCpuUsPerMessage: round(delayedCpu, 3),
      delayedOverheadCpuUs: round(delayedCpu - baseCpu, 3),
    },
    gatedRequest: {
      requestsPerRound: REQUESTS,
      baselineUsPerRequest: round(reqBase, 3),
      latency0UsPerRequest: round(reqGated, 3),
      latency0OverheadUs: round(reqGated - reqBase, 3),
    },
  };
  printTable(
    `network model overhead per delivered message (target < 20 µs; load ${results.machine.loadavg[0]})`,
    ['path', 'without model', 'with model', 'overhead'],
    [
      ['port push, latency 0 (fast path), µs wall', round(base, 2), round(fast, 2), round(fast - base, 2)],
      [
        'port push, latency 1 ms (delay queue), µs CPU',
        round(baseCpu, 2),
        round(delayedCpu, 2),
        round(delayedCpu - baseCpu, 2),
      ],
      [
        'HTTP request + answer, latency 0, µs wall',
        round(reqBase, 2),
        round(reqGated, 2),
        round(reqGated - reqBase, 2),
      ],
    ],
  );
  console.log(`wrote ${writeResults('model', results)}`);
}
