/** `--sweep` specs: ranges, grids with a floating step, lists, their product, and every refusal (a UsageError). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/cli/output.ts';
import { checkSweep, spreadOf } from '../../../src/cli/simulate-sweep.ts';
import { parseSweepSpec, sweepPoints } from '../../../src/cli/sweep-spec.ts';

test('seed=1..8 is the inclusive integer range', () => {
  assert.deepEqual(parseSweepSpec('seed=1..8'), { key: 'seed', values: [1, 2, 3, 4, 5, 6, 7, 8] });
  assert.deepEqual(parseSweepSpec('seed=3..3').values, [3]);
});

test('a grid a:b:step is inclusive and rounds a floating step to the digits it is written with', () => {
  assert.deepEqual(parseSweepSpec('interval=0.1:0.3:0.1').values, [0.1, 0.2, 0.3]);
  assert.deepEqual(parseSweepSpec('duration=0.1:1:0.3').values, [0.1, 0.4, 0.7, 1]);
  assert.deepEqual(parseSweepSpec('nodes=100:500:200').values, [100, 300, 500]);
  assert.deepEqual(parseSweepSpec('nodes=100:550:200').values, [100, 300, 500]);
});

test('a list name=1,2,5 keeps its order', () => {
  assert.deepEqual(parseSweepSpec('blocks=5,1,2'), { key: 'blocks', values: [5, 1, 2] });
  assert.deepEqual(parseSweepSpec('interval=600').values, [600]);
});

test('several specs make the product, the first varying slowest', () => {
  const { points } = sweepPoints(['seed=1..2', 'nodes=10,20']);
  assert.deepEqual(points, [
    [
      ['seed', 1],
      ['nodes', 10],
    ],
    [
      ['seed', 1],
      ['nodes', 20],
    ],
    [
      ['seed', 2],
      ['nodes', 10],
    ],
    [
      ['seed', 2],
      ['nodes', 20],
    ],
  ]);
});

test('bad specs are refused with the reason', () => {
  const refused = (specs: string[], message: RegExp): void =>
    assert.throws(
      () => sweepPoints(specs),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
  refused(['foo=1..2'], /unknown key "foo"; a sweep varies seed, nodes, interval, blocks, duration/);
  refused(['seed'], /expected name=a\.\.b/);
  refused(['seed=5..1'], /empty range/);
  refused(['nodes=10:5:1'], /empty range/);
  refused(['interval=1:2:0'], /step must be more than 0/);
  refused(['seed=1..10001'], /10,001 points, more than 10,000/);
  refused(['interval=0.0001:2:0.0001'], /20,000 points, more than 10,000/);
  refused(['seed=1..200', 'nodes=1..100'], /20,000 points, more than 10,000/);
  refused(['seed=1.5..3'], /whole numbers/);
  refused(['nodes=1,x'], /"x" is not a number/);
  refused(['nodes=0,5'], /nodes takes whole numbers from 1, got 0/);
  refused(['blocks=1.5,2'], /blocks takes whole numbers/);
  refused(['interval=-1,2'], /interval must be more than 0/);
  refused(['seed=1,1'], /1 is listed twice/);
  refused(['seed=1..2', 'seed=3..4'], /seed is swept twice/);
  refused(['nodes=1:2'], /three numbers/);
  refused([], /needs a spec/);
});

test('the spread: mean, sample sd, min, max over the points that have the metric', () => {
  assert.deepEqual(spreadOf([2, 4, null, 6]), { mean: 4, sd: 2, min: 2, max: 6 });
  assert.deepEqual(spreadOf([3]), { mean: 3, sd: 0, min: 3, max: 3 });
  assert.deepEqual(spreadOf([null]), { mean: null, sd: null, min: null, max: null });
});

test("a sweep's points are the base options with the swept flag replaced, and one seed for all without --seed", () => {
  const raw = { nodes: 8, blocks: 5, sweep: ['nodes=4,6', 'interval=60,120'], jobs: 9 };
  const plan = checkSweep(raw, new Set(['nodes', 'blocks', 'sweep', 'jobs']));
  assert.equal(plan.points.length, 4);
  assert.equal(plan.jobs, 4, 'no more threads than points');
  assert.deepEqual(
    plan.points.map((p) => [p.args.nodes, p.args.intervalMs, p.args.blocks]),
    [
      [4, 60_000, 5],
      [4, 120_000, 5],
      [6, 60_000, 5],
      [6, 120_000, 5],
    ],
  );
  const seeds = new Set(plan.points.map((p) => p.args.model.seed));
  assert.equal(seeds.size, 1, `seeds ${[...seeds].join(', ')}`);
  assert.match(plan.id, /^sweep-[0-9a-f]{10}$/);
  const seeded = checkSweep(
    { ...raw, seed: 7, sweep: 'seed=1..3' },
    new Set(['nodes', 'blocks', 'seed', 'sweep']),
  );
  assert.deepEqual(
    seeded.points.map((p) => p.args.model.seed),
    [1, 2, 3],
  );
});
