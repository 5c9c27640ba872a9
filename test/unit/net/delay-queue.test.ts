import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DelayCancelledError, DelayQueue } from '../../../src/net/delay-queue.ts';
import { FakeTimers } from '../../helpers/model.ts';
import { testSeed } from '../../helpers/seed.ts';

describe('the delay queue', () => {
  test('a delay of 0 runs at once, without a timer', () => {
    const timers = new FakeTimers();
    const q = new DelayQueue(timers);
    const ran: number[] = [];
    q.schedule(0, () => ran.push(1));
    assert.deepEqual(ran, [1]);
    assert.equal(timers.setCount, 0);
  });

  test('jobs run in order of due time (then of scheduling), under one timer at a time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 40 }),
        async (delays) => {
          const timers = new FakeTimers();
          const q = new DelayQueue(timers);
          const ran: number[] = [];
          delays.forEach((d, i) => q.schedule(d, () => ran.push(i)));
          assert.ok(timers.active <= 1, 'one timer armed');
          await timers.advance(50);
          const expected = delays.map((d, i) => ({ d, i })).sort((a, b) => a.d - b.d || a.i - b.i);
          assert.deepEqual(
            ran,
            expected.map((e) => e.i),
          );
          assert.equal(q.size, 0);
        },
      ),
      { seed: testSeed(), numRuns: 50 },
    );
  });

  test('nothing runs before its due time', async () => {
    const timers = new FakeTimers();
    const q = new DelayQueue(timers);
    const ran: string[] = [];
    q.schedule(30, () => ran.push('b'));
    q.schedule(10, () => ran.push('a'));
    await timers.advance(9);
    assert.deepEqual(ran, []);
    await timers.advance(1);
    assert.deepEqual(ran, ['a']);
    await timers.advance(20);
    assert.deepEqual(ran, ['a', 'b']);
  });

  test('cancelAll drops what is queued, telling each waiter; later jobs are cancelled at once', async () => {
    const timers = new FakeTimers();
    const q = new DelayQueue(timers);
    const ran: string[] = [];
    const cancelled: string[] = [];
    q.schedule(
      10,
      () => ran.push('a'),
      () => cancelled.push('a'),
    );
    const waiting = q.wait(20);
    q.cancelAll();
    await assert.rejects(waiting, DelayCancelledError);
    q.schedule(
      5,
      () => ran.push('b'),
      () => cancelled.push('b'),
    );
    await timers.advance(100);
    assert.deepEqual(ran, []);
    assert.deepEqual(cancelled, ['a', 'b']);
    assert.equal(timers.active, 0);
  });
});
