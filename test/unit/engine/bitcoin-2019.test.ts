/**
 * The engine over SimBlock's bitcoin-2019 network (inv/getdata/block, upload queues, compact blocks): blocks
 * reach half the network in well under 2 s, as measurements of Bitcoin report; a partition forks and the heal
 * converges; the same seed gives the same run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { networks } from '../../../src/consensus/index.ts';
import { type EngineOptions, runEngine } from '../../../src/engine/index.ts';
import { bitcoin2019Settings, buildBitcoin2019, makeSettings } from '../../../src/net/model/index.ts';

function options(
  nodes: number,
  seed: number,
  blocks: number,
  partition: number[][] | null = null,
): EngineOptions {
  const net = buildBitcoin2019(nodes, seed);
  const settings = bitcoin2019Settings(net, seed, partition);
  return {
    params: networks.bitcoin,
    settings,
    shares: Array.from(net.miningPower),
    stop: { blocks },
    network: { kind: 'bitcoin-2019', net },
  };
}

test('1,000 nodes: a block reaches half the network in well under 2 s, and every node ends on the tip', () => {
  const o = options(1000, 1, 30);
  const run = runEngine(o);
  const m = run.ledger.metrics(run.bestTip.hash, new Map());
  assert.equal(m.blocksMined, m.blocksOnBestChain + m.staleBlocks);
  const p = m.propagation;
  assert.equal(p.t100Ms.count, m.blocksMined, 'every block reached every node');
  assert.ok(p.t50Ms.p50! > 100 && p.t50Ms.p50! < 2000, `t50 p50 ${p.t50Ms.p50} ms`);
  assert.ok(p.t90Ms.p50! > p.t50Ms.p50! && p.t90Ms.p50! < 5000, `t90 p50 ${p.t90Ms.p50} ms`);
  assert.ok(p.t100Ms.p50! >= p.t90Ms.p50!);
  for (let i = 0; i < 1000; i++) assert.equal(run.views.bestOf(i), run.bestTip);
  // Blocks are 535 kB, sent one upload at a time: the bandwidths make a full-block hop take hundreds of ms.
  assert.ok(run.events > 30 * 1000 * 2, `${run.events} events`);
});

test('a partition splits the bitcoin-2019 network into two chains; the heal converges it', () => {
  const base = options(200, 4, 40);
  const half = Array.from({ length: 100 }, (_, i) => i);
  const again = { ...base.settings, fileEdges: base.settings.edges };
  const split = makeSettings({ ...again, partition: [half, half.map((i) => i + 100)] });
  const healed = makeSettings({ ...again, partition: null });
  const run = runEngine({
    ...base,
    changes: [
      { at: { ms: 3_600_000 }, change: { kind: 'network', settings: split } },
      { at: { ms: 4 * 3_600_000 }, change: { kind: 'network', settings: healed } },
    ],
  });
  const m = run.ledger.metrics(run.bestTip.hash, new Map());
  assert.ok(m.staleBlocks >= 3, `${m.staleBlocks} stale`);
  assert.ok(m.timeToAgreementMs[0] !== undefined && m.timeToAgreementMs[0] !== null);
  for (let i = 0; i < 200; i++) assert.equal(run.views.bestOf(i), run.bestTip);
});

test('the same seed gives the same bitcoin-2019 run, another seed another', () => {
  const rows = (seed: number) => {
    const run = runEngine(options(300, seed, 20));
    return { rows: run.ledger.rows(run.bestTip.hash), events: run.events };
  };
  assert.deepEqual(rows(2), rows(2));
  assert.notDeepEqual(rows(2).rows, rows(3).rows);
});
