/** `--sweep` specs: ranges, steps (no 0.30000000000000004), lists, and the refusals. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/cli/output.ts';
import { spread } from '../../../src/cli/simulate-sweep.ts';
import { parseSweep, sweepPoint } from '../../../src/cli/sweep-spec.ts';
import type { VirtualArgs } from '../../../src/cli/simulate-virtual.ts';

const refuses = (spec: string, message: RegExp): void =>
  assert.throws(
    () => parseSweep(spec),
    (e: unknown) => e instanceof UsageError && message.test(e.message),
    spec,
  );

test('ranges, from:to:step and lists', () => {
  assert.deepEqual(parseSweep('seed=1..4'), { key: 'seed', values: [1, 2, 3, 4] });
  assert.deepEqual(parseSweep('interval=0.1:0.5:0.1').values, [0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.deepEqual(parseSweep('duration=600:1800:600').values, [600, 1200, 1800]);
  assert.deepEqual(parseSweep('nodes=100,1000, 10000').values, [100, 1000, 10000]);
  assert.deepEqual(parseSweep('blocks=7').values, [7]);
});

test('bad specs say what a sweep looks like', () => {
  refuses('seed', /KEY=VALUES, like seed=1\.\.8/);
  refuses('alpha=0.1:0.4:0.1', /unknown key "alpha"; it can vary seed, nodes, interval, blocks, duration/);
  refuses('seed=5..1', /the range is empty/);
  refuses('seed=1..20000', /20000 points, more than 10,000/);
  refuses('interval=1:2', /three numbers/);
  refuses('interval=1:2:0', /the step must be more than 0/);
  refuses('seed=1.5..3', /whole numbers/);
  refuses('nodes=10,x', /"x" is not a number/);
  refuses('interval=1..3', /ranges are for whole numbers/);
});

test('a point is the base run with the swept option replaced', () => {
  const base = {
    nodes: 10,
    modelName: null,
    network: 'bitcoin',
    shares: null,
    model: { seed: 9, topology: { kind: 'full' }, partition: null },
    results: null,
    blocks: 5,
    virtualSeconds: undefined,
    intervalMs: undefined,
  } as unknown as VirtualArgs;
  assert.equal(sweepPoint(base, 'seed', 3).model.seed, 3);
  assert.equal(sweepPoint(base, 'seed', 3).model.topology, base.model.topology);
  assert.equal(sweepPoint(base, 'interval', 300).intervalMs, 300_000);
  assert.equal(sweepPoint(base, 'duration', 60).virtualSeconds, 60);
  assert.equal(sweepPoint(base, 'nodes', 20).nodes, 20);
  assert.throws(() => sweepPoint({ ...base, shares: [50, 50] }, 'nodes', 2), /--hash-power/);
  assert.throws(() => sweepPoint(base, 'nodes', 0), /nodes must be 1 or more/);
});

test('spread: mean, sample sd, min and max of the values there are', () => {
  assert.deepEqual(spread([2, 4, 4, 4, 5, 5, 7, 9]), { mean: 5, sd: Math.sqrt(32 / 7), min: 2, max: 9 });
  assert.deepEqual(spread([null, 3]), { mean: 3, sd: 0, min: 3, max: 3 });
  assert.deepEqual(spread([null]), { mean: null, sd: null, min: null, max: null });
});
