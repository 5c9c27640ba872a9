/** The seeds of randomised tests: a failure names the seed, and the seed given back replays the same run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { seededRandom, seedProperties, testSeed } from '../../helpers/seed.ts';

function withSeed<T>(value: string, run: () => T): T {
  const before = process.env.CHAINSIM_SEED;
  process.env.CHAINSIM_SEED = value;
  try {
    return run();
  } finally {
    if (before === undefined) delete process.env.CHAINSIM_SEED;
    else process.env.CHAINSIM_SEED = before;
  }
}

/** The message a property that fails on most inputs throws. */
function failure(): string {
  try {
    fc.assert(fc.property(fc.nat(), (n) => n % 7 === 0));
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('the property did not fail');
}

test('CHAINSIM_SEED is the seed; anything but an integer is refused', () => {
  assert.equal(
    withSeed('42', () => testSeed()),
    42,
  );
  assert.throws(() => withSeed('4.5', () => testSeed()), /CHAINSIM_SEED must be an integer, got 4.5/);
  const a = seededRandom(7);
  const b = seededRandom(7);
  assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
});

test("a failing property names the seed and how to replay it, and the seed replays fast-check's run", () => {
  const first = withSeed('123456', () => {
    assert.equal(seedProperties(), 123456);
    return failure();
  });
  assert.match(first, /seed: 123456/);
  assert.match(first, /CHAINSIM_SEED=123456 replays it/);
  const again = withSeed('123456', () => (seedProperties(), failure()));
  assert.equal(again, first);
});
