/** Partitions: how they are written and checked, and that nothing crosses one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  checkPartition,
  createNetworkModel,
  makeSettings,
  parseLatency,
  parsePartition,
  reachableIn,
} from '../../../../src/net/model/index.ts';
import type { MessageKind } from '../../../../src/net/model/index.ts';
import { seedProperties } from '../../../helpers/seed.ts';
import { refuses, simNodes } from './helpers.ts';

seedProperties();

const KINDS: readonly MessageKind[] = ['block', 'tx', 'request', 'answer', 'hello'];

test('a partition is groups of ports and port ranges, as node indices', () => {
  const { ports } = simNodes(12);
  assert.deepEqual(parsePartition('5000-5005/5006-5011', ports), [
    [0, 1, 2, 3, 4, 5],
    [6, 7, 8, 9, 10, 11],
  ]);
  assert.deepEqual(parsePartition('5000,5001/5002', ports), [[0, 1], [2]]);
  assert.deepEqual(parsePartition(' 5003 , 5000-5001 / 5011 ', ports), [[3, 0, 1], [11]]);
  assert.deepEqual(parsePartition('5000-5011', ports), [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]);
});

test('a bad partition names the node or group', () => {
  const { ports } = simNodes(12);
  refuses(
    () => parsePartition('5000-5005/5004-5011', ports),
    /node 5004 is in groups 1 and 2; node 5005 is in groups 1 and 2/,
  );
  refuses(() => parsePartition('5000,5000/5001', ports), /node 5000 is listed twice in group 1/);
  refuses(
    () => parsePartition('5000/5020', ports),
    /partition group 2: unknown node 5020 \(the nodes are ports 5000-5011\)/,
  );
  refuses(() => parsePartition('5000-5020', ports), /unknown node 5012/);
  refuses(() => parsePartition('5000//5001', ports), /partition group 2: is empty/);
  refuses(() => parsePartition('5005-5000', ports), /the range 5005-5000 runs backwards/);
  refuses(() => parsePartition('', ports), /groups of ports separated by '\/', like 5000-5005\/5006-5011/);
  refuses(() => parsePartition('a/b', ports), /expected a node's port, got "a"/);
  refuses(() => checkPartition([[0, 1], []], 4), /group 2 is empty/);
  refuses(() => checkPartition([[0, 7]], 4), /node 7 is not in the simulation \(nodes 0 to 3\)/);
  refuses(() => checkPartition([[0, 1.5]], 4), /node 1.5 is not in the simulation/);
  refuses(() => checkPartition([], 4), /at least one group/);
  refuses(
    () =>
      checkPartition(
        [
          [0, 1],
          [1, 2],
        ],
        4,
        (i) => `port ${5000 + i}`,
      ),
    /node port 5001 is in groups 1 and 2/,
  );
  assert.deepEqual(checkPartition([[3, 1], [0]], 4), [[1, 3], [0]]);
});

test('a partition lets nothing through: random groups, random pairs across them, every kind', () => {
  const arbitrary = fc.integer({ min: 2, max: 16 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      // Each node's group, -1 for none (a node in no group is alone).
      groupOf: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: n, maxLength: n }),
      seed: fc.integer(),
      random: fc.boolean(),
      pairs: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { minLength: 1, maxLength: 30 }),
    }),
  );
  fc.assert(
    fc.property(arbitrary, ({ n, groupOf, seed, random, pairs }) => {
      const groups = [0, 1, 2, 3]
        .map((g) => groupOf.flatMap((x, i) => (x === g ? [i] : [])))
        .filter((g) => g.length > 0);
      fc.pre(groups.length > 0);
      const settings = makeSettings({
        seed,
        nodes: simNodes(n).nodes,
        topology: random ? { kind: 'random', k: 2 } : { kind: 'full' },
        // Link effects do not open a partition, nor does loss hide it.
        defaults: { latency: parseLatency('uniform:1ms-5ms'), bandwidth: 1000, loss: 0.5, jitterMs: 1 },
        partition: groups,
      });
      const model = createNetworkModel(settings, 1);
      for (const [a, b] of pairs) {
        const together = groupOf[a] !== -1 && groupOf[a] === groupOf[b];
        if (a === b || together) continue;
        assert.equal(model.reachable(a, b), false);
        assert.equal(reachableIn(settings, a, b), false);
        for (const kind of KINDS)
          for (const [from, to] of [
            [a, b],
            [b, a],
          ] as const) {
            const d = model.decide(from, to, kind, 1000, 0);
            assert.equal(d.pass, false, `${kind} from ${from} to ${to} crossed the partition`);
            assert.ok(!d.pass && (d.reason === 'partitioned' || d.reason === 'no-link'), JSON.stringify(d));
            if (model.neighbours(from).includes(to))
              assert.deepEqual(d, { pass: false, reason: 'partitioned' });
          }
      }
      // And within a group, every edge still carries requests (never lost).
      for (const [a, b] of settings.edges)
        if (groupOf[a] !== -1 && groupOf[a] === groupOf[b])
          assert.equal(model.decide(a, b, 'request', 10, 0).pass, true);
    }),
  );
});
