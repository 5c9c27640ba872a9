import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  createBlockLedger,
  eligiblePorts,
  type LedgerOptions,
  mostWorkTip,
  percentiles,
} from '../../../src/results/ledger.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

const PORTS = [5000, 5001, 5002, 5003, 5004, 5005];
const GENESIS = '00'.repeat(32);

/** A ledger over six up nodes with no partition (unless told otherwise) and settable tips. */
function ledger(o: Partial<LedgerOptions> & { tips?: Map<number, string> } = {}) {
  const tips = o.tips ?? new Map(PORTS.map((p) => [p, GENESIS]));
  return {
    tips,
    l: createBlockLedger({
      eligible: o.eligible ?? (() => PORTS),
      upTips: o.upTips ?? (() => [...tips.values()]),
      ...(o.observe ? { observe: o.observe } : {}),
    }),
  };
}

const h = (name: string): string => name.padEnd(64, '0');
const stored = (hash: string, prev: string, height: number, at: number, mined = false) => ({
  hash: h(hash),
  prev: prev === GENESIS ? GENESIS : h(prev),
  height,
  time: Math.floor(at / 1000),
  at,
  mined,
});

describe('the block ledger', () => {
  test('a two-branch race: the losing branch is stale, one fork, the rate is stale over mined', () => {
    const { l } = ledger();
    // a1 <- a2 (by 5000) and b1 (by 5003) race at height 1; a wins.
    l.onBlock(5000, stored('a1', GENESIS, 1, 1000, true));
    l.onBlock(5003, stored('b1', GENESIS, 1, 1010, true));
    l.onBlock(5000, stored('a2', 'a1', 2, 2000, true));
    const m = l.metrics(h('a2'), new Map(PORTS.map((p) => [p, 1])));
    assert.equal(m.blocksMined, 3);
    assert.equal(m.blocksOnBestChain, 2);
    assert.equal(m.staleBlocks, 1);
    assert.equal(m.staleRate, 1 / 3);
    assert.equal(m.forks, 1);
    assert.deepEqual(
      m.revenue.filter((r) => r.blocksMined > 0).map((r) => [r.node, r.blocksOnBestChain, r.staleBlocks]),
      [
        [5000, 2, 0],
        [5003, 0, 1],
      ],
    );
    const rows = l.rows(h('a2'));
    assert.deepEqual(
      rows.map((r) => [r.hash.slice(0, 2), r.bestChain]),
      [
        ['a1', true],
        ['b1', false],
        ['a2', true],
      ],
    );
    // Had b's branch won instead, a's blocks would be the stale ones.
    l.onBlock(5003, stored('b2', 'b1', 2, 2100, true));
    l.onBlock(5003, stored('b3', 'b2', 3, 2200, true));
    assert.equal(l.metrics(h('b3'), new Map()).staleBlocks, 2);
  });

  test('blocks nobody mined in this run count for nothing, but their chain is walked', () => {
    const { l } = ledger();
    l.onBlock(5001, stored('old', GENESIS, 1, 500));
    l.onBlock(5000, stored('new', 'old', 2, 1000, true));
    const m = l.metrics(h('new'), new Map());
    assert.equal(m.blocksMined, 1);
    assert.equal(m.blocksOnBestChain, 1);
    assert.deepEqual(
      l.rows(h('new')).map((r) => r.hash),
      [h('new')],
    );
    assert.equal(l.runBlocksBelow(h('new')), 1);
    // A tip the ledger never saw (loaded from disk) has none of this run's blocks below it.
    assert.equal(l.metrics(h('disk'), new Map()).blocksOnBestChain, 0);
  });

  test('blocksMined is counted per miner and never reset', () => {
    const { l } = ledger();
    l.onBlock(5002, stored('x1', GENESIS, 1, 1000, true));
    // The same block reported again (a restarted node storing it anew) is not mined twice.
    l.onBlock(5002, stored('x1', GENESIS, 1, 3000, true));
    l.onBlock(5002, stored('x2', 'x1', 2, 4000, true));
    assert.equal(l.minedBy(5002), 2);
    assert.equal(l.minedTotal(), 2);
    assert.equal(l.minedBy(5000), 0);
  });

  test('t50/t90/t100: the time from mined until that fraction of the eligible nodes had it', () => {
    const seen: Array<[string, number]> = [];
    const { l } = ledger({ observe: (level, ms) => seen.push([level, ms]) });
    l.onBlock(5000, stored('p', GENESIS, 1, 1000, true));
    // 6 eligible nodes: 50% is 3 nodes, 90% and 100% all 6.
    l.onBlock(5001, stored('p', GENESIS, 1, 1010));
    l.onBlock(5002, stored('p', GENESIS, 1, 1030));
    let b = l.block(h('p'))!;
    assert.equal(b.t50Ms, 30);
    assert.equal(b.t90Ms, null);
    l.onBlock(5003, stored('p', GENESIS, 1, 1050));
    l.onBlock(5004, stored('p', GENESIS, 1, 1080));
    assert.equal(l.block(h('p'))!.t100Ms, null);
    l.onBlock(5005, stored('p', GENESIS, 1, 1200));
    b = l.block(h('p'))!;
    assert.deepEqual([b.t50Ms, b.t90Ms, b.t100Ms], [30, 200, 200]);
    assert.equal(b.reached, null, 'per-node times are dropped once every eligible node has the block');
    assert.deepEqual(seen, [
      ['t50Ms', 30],
      ['t90Ms', 200],
      ['t100Ms', 200],
    ]);
    // A block no other node got yet has no t100.
    l.onBlock(5000, stored('q', 'p', 2, 2000, true));
    const rows = l.rows(h('q'));
    assert.deepEqual(
      rows.map((r) => [r.t50Ms, r.t100Ms]),
      [
        [30, 200],
        [null, null],
      ],
    );
  });

  test("reports that overtake the miner's own are counted once it arrives", () => {
    const { l } = ledger({ eligible: () => [5000, 5001] });
    l.onBlock(5001, stored('e', GENESIS, 1, 1005));
    assert.equal(l.minedTotal(), 0);
    l.onBlock(5000, stored('e', GENESIS, 1, 1000, true));
    const b = l.block(h('e'))!;
    assert.deepEqual([b.miner, b.t50Ms, b.t100Ms], [5000, 0, 5]);
  });

  test('under a partition a block reaches 100% once its group has it', () => {
    const partition = [
      [5000, 5001, 5002],
      [5003, 5004, 5005],
    ];
    const { l } = ledger({ eligible: (miner) => eligiblePorts(miner, PORTS, partition) });
    l.onBlock(5004, stored('g', GENESIS, 1, 1000, true));
    l.onBlock(5003, stored('g', GENESIS, 1, 1020));
    // A node of the other group storing it (a heal) does not count.
    l.onBlock(5000, stored('g', GENESIS, 1, 1030));
    assert.equal(l.block(h('g'))!.t100Ms, null);
    l.onBlock(5005, stored('g', GENESIS, 1, 1040));
    const b = l.block(h('g'))!;
    assert.deepEqual([b.t50Ms, b.t90Ms, b.t100Ms], [20, 40, 40]);
  });

  test("eligiblePorts: the up nodes of the miner's group; a node in no group is alone", () => {
    assert.deepEqual(eligiblePorts(5000, PORTS, null), PORTS);
    assert.deepEqual(eligiblePorts(5001, [5000, 5001, 5003], [[5000, 5001, 5002], [5003]]), [5000, 5001]);
    assert.deepEqual(eligiblePorts(5005, PORTS, [[5000, 5001]]), [5005]);
  });

  test('reorgs: count, deepest and the histogram of depths', () => {
    const { l } = ledger();
    const tip = (disconnected: number) => ({ hash: h('t'), height: 5, at: 1, disconnected });
    l.onTip(5000, tip(0));
    l.onTip(5000, tip(1));
    l.onTip(5001, tip(1));
    l.onTip(5002, tip(3));
    const m = l.metrics(null, new Map());
    assert.deepEqual(m.reorgs, { count: 3, maxDepth: 3, depths: { '1': 2, '3': 1 } });
  });

  test("revenue: each node's best-chain blocks over all of them, beside its hash-power share", () => {
    const { l } = ledger();
    let prev = GENESIS;
    const miners = [5000, 5000, 5000, 5001];
    miners.forEach((port, i) => {
      l.onBlock(port, stored(`r${i}`, prev === GENESIS ? GENESIS : prev, i + 1, 1000 * (i + 1), true));
      prev = `r${i}`;
    });
    const m = l.metrics(
      h('r3'),
      new Map([
        [5000, 60],
        [5001, 30],
        [5002, 10],
      ]),
    );
    assert.deepEqual(
      m.revenue.map((r) => [r.node, r.share, r.blocksOnBestChain, r.revenueShare]),
      [
        [5000, 0.6, 3, 0.75],
        [5001, 0.3, 1, 0.25],
        [5002, 0.1, 0, 0],
      ],
    );
  });

  test('time to agreement: from the heal until every up node reports the same tip', () => {
    const { l, tips } = ledger();
    tips.set(5003, h('other'));
    l.onNetwork('partition', 100);
    l.onNetwork('heal', 1000);
    assert.deepEqual(l.metrics(null, new Map()).timeToAgreementMs, [null]);
    l.onTip(5000, { hash: GENESIS, height: 0, at: 1100, disconnected: 0 });
    assert.deepEqual(l.metrics(null, new Map()).timeToAgreementMs, [null]);
    tips.set(5003, GENESIS);
    l.onTip(5003, { hash: GENESIS, height: 0, at: 1250, disconnected: 1 });
    // A heal while they already agree takes no time.
    l.onNetwork('heal', 5000);
    assert.deepEqual(l.metrics(null, new Map()).timeToAgreementMs, [250, 0]);
  });

  test('percentiles are nearest-rank over the blocks that reached the level', () => {
    assert.deepEqual(percentiles([]), { p50: null, p90: null, p99: null, max: null, count: 0 });
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual(percentiles([null, ...hundred.reverse()]), {
      p50: 50,
      p90: 90,
      p99: 99,
      max: 100,
      count: 100,
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(null), fc.nat(10_000)), { minLength: 1 }), (values) => {
        const p = percentiles(values);
        const v = values.filter((x) => x !== null);
        if (v.length === 0) return p.max === null;
        return p.p50! <= p.p90! && p.p90! <= p.p99! && p.p99! <= p.max! && p.max === Math.max(...v);
      }),
    );
  });

  test('t100 >= t90 >= t50 for any order of arrival', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(5000), { minLength: 6, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 }),
        (delays, order) => {
          const { l } = ledger();
          l.onBlock(5000, stored('z', GENESIS, 1, 1000, true));
          for (const i of [...order, 0, 1, 2, 3, 4, 5])
            l.onBlock(PORTS[i]!, stored('z', GENESIS, 1, 1000 + delays[i]!));
          const b = l.block(h('z'))!;
          return b.t50Ms! <= b.t90Ms! && b.t90Ms! <= b.t100Ms!;
        },
      ),
    );
  });

  test('mostWorkTip: most chainwork, then more holders, then greater height', () => {
    assert.equal(mostWorkTip([]), null);
    assert.equal(
      mostWorkTip([
        { tip: 'a', chainwork: '10', height: 3 },
        { tip: 'b', chainwork: 'ff', height: 2 },
      ]),
      'b',
    );
    assert.equal(
      mostWorkTip([
        { tip: 'a', chainwork: '10', height: 3 },
        { tip: 'b', chainwork: '10', height: 3 },
        { tip: 'b', chainwork: '10', height: 3 },
      ]),
      'b',
    );
  });
});
