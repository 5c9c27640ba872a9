/** The model's decisions: bandwidth queues, links, outsiders, loss, updates, seeds and the settings it is made of. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NO_LINK_EFFECTS,
  createNetworkModel,
  makeSettings,
  newlyReachable,
  parseBandwidth,
  parseLatency,
  settingsFor,
} from '../../../../src/net/model/index.ts';
import type {
  Decision,
  LinkSettings,
  NetworkSettings,
  TopologySpec,
} from '../../../../src/net/model/index.ts';
import { testSeed } from '../../../helpers/seed.ts';
import { refuses, simNodes } from './helpers.ts';

const seed = testSeed();

function settings(
  n: number,
  defaults: Partial<LinkSettings> = {},
  topology: TopologySpec = { kind: 'full' },
  partition: number[][] | null = null,
): NetworkSettings {
  return makeSettings({ seed, nodes: simNodes(n).nodes, topology, defaults, partition });
}

function delay(d: Decision): number {
  assert.ok(d.pass, `blocked: ${JSON.stringify(d)}`);
  return d.delayMs;
}

test('bandwidth: 1 MB over 1 MB/s takes 1000 ms plus latency, and the next one queues behind it', () => {
  const model = createNetworkModel(
    settings(3, { latency: parseLatency('50ms'), bandwidth: parseBandwidth('1MB/s') }),
    1,
  );
  assert.equal(delay(model.decide(0, 1, 'block', 1_000_000, 0)), 1050);
  assert.equal(delay(model.decide(0, 1, 'block', 1_000_000, 0)), 2050, 'the second transfer ends at 2000 ms');
  // Half-way through the second transfer, a third waits for it: starts at 2000, ends at 3000.
  assert.equal(delay(model.decide(0, 1, 'tx', 1_000_000, 1500)), 1550);
  // The other direction, and another link, are free.
  assert.equal(delay(model.decide(1, 0, 'block', 1_000_000, 0)), 1050);
  assert.equal(delay(model.decide(0, 2, 'block', 1_000_000, 0)), 1050);
  // Once the queue has drained, a transfer starts at once.
  assert.equal(delay(model.decide(0, 1, 'block', 500_000, 10_000)), 550);
});

test('a big block is slower than an empty one; without a bandwidth size does not matter', () => {
  const limited = createNetworkModel(settings(2, { bandwidth: parseBandwidth('100kB/s') }), 1);
  const empty = delay(limited.decide(0, 1, 'block', 250, 0));
  const big = delay(limited.decide(1, 0, 'block', 1_000_000, 0));
  assert.equal(empty, 2.5);
  assert.equal(big, 10_000);
  const unlimited = createNetworkModel(settings(2, { latency: parseLatency('20ms') }), 1);
  assert.equal(delay(unlimited.decide(0, 1, 'block', 4_000_000, 0)), 20);
  assert.equal(delay(unlimited.decide(0, 1, 'block', 4_000_000, 0)), 20, 'no queue without a bandwidth');
});

test('no link effects: every message passes at once, as one shared decision', () => {
  const model = createNetworkModel(settings(4), 1);
  const first = model.decide(0, 1, 'block', 1_000_000, 123);
  assert.deepEqual(first, { pass: true, delayMs: 0 });
  assert.equal(model.decide(2, 3, 'tx', 10, 5), first);
  assert.ok(Object.isFrozen(first));
});

test('no edge: no-link; a peer outside the simulation: passes at once', () => {
  const model = createNetworkModel(settings(4, { latency: parseLatency('30ms') }, { kind: 'line' }), 1);
  assert.deepEqual(model.decide(0, 2, 'block', 100, 0), { pass: false, reason: 'no-link' });
  assert.deepEqual(model.decide(3, 0, 'request', 100, 0), { pass: false, reason: 'no-link' });
  assert.equal(delay(model.decide(1, 2, 'hello', 100, 0)), 30);
  assert.deepEqual(model.decide(0, 9, 'block', 100, 0), { pass: true, delayMs: 0 });
  assert.deepEqual(model.decide(-1, 0, 'block', 100, 0), { pass: true, delayMs: 0 });
  assert.deepEqual(model.neighbours(1), [0, 2]);
  assert.deepEqual(model.neighbours(9), []);
  assert.equal(model.reachable(0, 1), true);
  assert.equal(model.reachable(0, 2), false);
  assert.equal(model.indexOf('127.0.0.1:5002'), 2);
  assert.equal(model.indexOf('127.0.0.1:6000'), undefined);
});

test('loss applies to block and tx pushes only, at its rate (binomial bound)', () => {
  const model = createNetworkModel(settings(2, { loss: 0.1 }), 1);
  const trials = 20_000;
  let lost = 0;
  for (let i = 0; i < trials; i++) {
    const d = model.decide(0, 1, i % 2 === 0 ? 'block' : 'tx', 100, i);
    if (!d.pass) {
      assert.equal(d.reason, 'lost');
      lost++;
    }
  }
  // Mean 2000, sd sqrt(20000 x 0.1 x 0.9) = 42.4: six standard deviations either side.
  const sd = Math.sqrt(trials * 0.1 * 0.9);
  assert.ok(Math.abs(lost - trials * 0.1) < 6 * sd, `lost ${lost} of ${trials} at 10% (seed ${seed})`);
  const always = createNetworkModel(settings(2, { loss: 1 }), 1);
  for (const kind of ['request', 'answer', 'hello'] as const)
    assert.equal(always.decide(0, 1, kind, 100, 0).pass, true);
  assert.deepEqual(always.decide(0, 1, 'block', 100, 0), { pass: false, reason: 'lost' });
});

test('the same seed and stream give the same draws; another stream or seed others', () => {
  const s = settings(3, { latency: parseLatency('pareto:100ms'), loss: 0.2, jitterMs: 5 });
  const draws = (m: ReturnType<typeof createNetworkModel>): Decision[] =>
    Array.from({ length: 50 }, (_, i) => m.decide(i % 3, (i + 1) % 3, 'block', 1000, i));
  assert.deepEqual(draws(createNetworkModel(s, 1)), draws(createNetworkModel(s, 1)));
  assert.notDeepEqual(draws(createNetworkModel(s, 1)), draws(createNetworkModel(s, 2)));
  const other = makeSettings({ ...s, seed: seed + 1, topology: s.topology });
  assert.notDeepEqual(draws(createNetworkModel(s, 1)), draws(createNetworkModel(other, 1)));
  // Settings survive JSON (the manager sends them to every worker), and so do the draws made from them.
  const copied = JSON.parse(JSON.stringify(s)) as NetworkSettings;
  assert.deepEqual(draws(createNetworkModel(copied, 1)), draws(createNetworkModel(s, 1)));
});

test('update(): a heal makes pairs reachable again, and newlyReachable lists exactly them', () => {
  const cut = settings(6, { bandwidth: 1000 }, { kind: 'ring' }, [
    [0, 1, 2],
    [3, 4],
  ]);
  const healed: NetworkSettings = { ...cut, partition: null };
  const model = createNetworkModel(cut, 1);
  // Ring edges: 0-1 1-2 2-3 3-4 4-5 0-5; 5 is alone; 2-3, 4-5 and 0-5 cross.
  assert.deepEqual(model.decide(2, 3, 'block', 10, 0), { pass: false, reason: 'partitioned' });
  assert.deepEqual(model.decide(5, 0, 'request', 10, 0), { pass: false, reason: 'partitioned' });
  assert.equal(delay(model.decide(0, 1, 'block', 2000, 0)), 2000, 'within a group the link works');
  assert.deepEqual(newlyReachable(cut, healed), [
    [0, 5],
    [2, 3],
    [4, 5],
  ]);
  assert.deepEqual(newlyReachable(healed, cut), []);
  assert.deepEqual(newlyReachable(cut, cut), []);
  model.update(healed);
  assert.equal(model.settings, healed);
  for (const [a, b] of [
    [2, 3],
    [5, 0],
    [4, 5],
  ] as const) {
    assert.equal(model.reachable(a, b), true);
    assert.equal(model.decide(a, b, 'block', 10, 0).pass, true);
  }
  // The queue of a link that remained is kept: 0 -> 1 is busy until 2000 ms.
  assert.equal(delay(model.decide(0, 1, 'block', 1000, 0)), 3000);
  // A new partition cuts again; links that are new in the settings are newly reachable too.
  model.update(cut);
  assert.equal(model.decide(2, 3, 'block', 10, 0).pass, false);
  const full = makeSettings({ seed, nodes: cut.nodes, topology: { kind: 'full' }, defaults: cut.defaults });
  assert.equal(newlyReachable(healed, full).length, 15 - 6);
});

test('settings: defaults over no effects, overrides per link, checked', () => {
  const { nodes } = simNodes(4);
  const s = makeSettings({
    seed,
    nodes,
    topology: { kind: 'ring' },
    defaults: { latency: parseLatency('10ms') },
    links: [
      { a: 1, b: 0, bandwidth: 5000 },
      { a: 0, b: 1, loss: 0.5 },
    ],
  });
  assert.deepEqual(s.defaults, { ...NO_LINK_EFFECTS, latency: { kind: 'fixed', ms: 10 } });
  assert.deepEqual(s.links, [{ a: 0, b: 1, bandwidth: 5000, loss: 0.5 }]);
  assert.deepEqual(settingsFor(s, 1, 0), {
    latency: { kind: 'fixed', ms: 10 },
    bandwidth: 5000,
    loss: 0.5,
    jitterMs: 0,
  });
  assert.equal(settingsFor(s, 2, 3), s.defaults);
  const model = createNetworkModel(s, 1);
  assert.equal(delay(model.decide(2, 3, 'tx', 5000, 0)), 10);
  assert.equal(delay(model.decide(0, 1, 'request', 5000, 0)), 1010);
  refuses(
    () => makeSettings({ seed, nodes, topology: { kind: 'ring' }, links: [{ a: 0, b: 2, loss: 0.1 }] }),
    /no link between 127.0.0.1:5000 and 127.0.0.1:5002/,
    'conflict',
  );
  refuses(
    () => makeSettings({ seed, nodes, topology: { kind: 'ring' }, links: [{ a: 0, b: 9 }] }),
    /a link names node 9, but the nodes are 0 to 3/,
  );
  refuses(
    () => makeSettings({ seed, nodes, topology: { kind: 'ring' }, links: [{ a: 1, b: 1 }] }),
    /to itself/,
  );
  refuses(
    () => makeSettings({ seed, nodes, topology: { kind: 'ring' }, defaults: { loss: 2 } }),
    /the default link settings: loss must be a probability/,
  );
  refuses(
    () =>
      makeSettings({
        seed,
        nodes,
        topology: { kind: 'ring' },
        defaults: { latency: { kind: 'fixed', ms: -1 } },
      }),
    /ms >= 0/,
  );
  refuses(
    () => makeSettings({ seed: 1.5, nodes, topology: { kind: 'ring' } }),
    /seed must be a whole number/,
  );
  refuses(
    () => makeSettings({ seed, nodes, topology: { kind: 'ring' }, partition: [[0, 1], [1]] }),
    /node 127.0.0.1:5001 is in groups 1 and 2/,
  );
  refuses(
    () => makeSettings({ seed, nodes, topology: { kind: 'file', path: 'e.txt' } }),
    /the topology file "e.txt" was not read/,
  );
  refuses(
    () => makeSettings({ seed, nodes, topology: { kind: 'file', path: 'e.txt' }, fileEdges: [[0, 4]] }),
    /names node 4, but the nodes are 0 to 3/,
  );
});
