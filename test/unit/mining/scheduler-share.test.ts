/**
 * A hash-power share of 0 (POST /nodes/:port/hash-power): the client gets no ranges until its share rises, and
 * then it rejoins without a burst of credit. A fake executor counts the ranges each client is given.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPowScheduler, type RangeExecutor, type RangeTask } from '../../../src/mining/scheduler.ts';

/** Never finds a nonce; each range answers on the next turn. Counts ranges by header byte 0 (the client). */
function countingExecutor(): RangeExecutor & { readonly ranges: number[] } {
  const ranges = [0, 0];
  return {
    threads: 1,
    ranges,
    run: async (task: RangeTask) => {
      ranges[task.header[0]!]!++;
      await new Promise((r) => setImmediate(r));
      return { nonce: null, hashes: task.count, elapsedMs: 1 };
    },
    close: async () => {},
  };
}

const job = (client: number) => {
  const header = new Uint8Array(80);
  header[0] = client;
  return { header, target: new Uint8Array(32) };
};

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

test('a share of 0 gets no ranges; raised again, it gets its share without catching up on the past', async () => {
  const executor = countingExecutor();
  const scheduler = createPowScheduler({ executor, minRange: 256, maxRange: 256 });
  const a = scheduler.addClient({ name: 'a', share: 50 });
  const b = scheduler.addClient({ name: 'b', share: 0 });
  const ac = new AbortController();
  const jobs = [a.mine(job(0), ac.signal), b.mine(job(1), ac.signal)];
  await turns(200);
  assert.equal(executor.ranges[1], 0, 'share 0: no ranges');
  assert.ok(executor.ranges[0]! > 50, `a mined alone: ${executor.ranges[0]}`);
  const before = [...executor.ranges];
  b.setShare(50);
  await turns(200);
  const gotA = executor.ranges[0]! - before[0]!;
  const gotB = executor.ranges[1] - before[1]!;
  // Equal shares from now on: within a few ranges of each other, not b first for all the time it waited.
  assert.ok(Math.abs(gotA - gotB) <= 3, `after the raise: a ${gotA}, b ${gotB}`);
  assert.throws(() => b.setShare(-1), RangeError);
  ac.abort();
  await Promise.all(jobs);
  await scheduler.close();
});
