import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPowScheduler, type RangeExecutor } from '../../../src/mining/scheduler.ts';

test('the hash rate drops to 0 within a second of mining stopping, and counts while mining', async () => {
  let clock = 0;
  // Each range takes 10 ms of the fake clock and finds nothing.
  const executor: RangeExecutor = {
    threads: 1,
    async run(task) {
      await new Promise((r) => setImmediate(r));
      clock += 10;
      return { nonce: null, hashes: task.count, elapsedMs: 10 };
    },
    async close() {},
  };
  const scheduler = createPowScheduler({ executor, now: () => clock, minRange: 1000, maxRange: 1000 });
  const client = scheduler.addClient({ name: 'a' });
  const ac = new AbortController();
  const job = client.mine({ header: new Uint8Array(80), target: new Uint8Array(32) }, ac.signal);
  while (clock < 3000) await new Promise((r) => setImmediate(r));
  // 1000 hashes per 10 ms.
  assert.ok(Math.abs(client.hashRate() - 100_000) < 5000, `rate while mining: ${client.hashRate()}`);
  ac.abort();
  await job;
  const stoppedAt = clock;
  assert.ok(client.hashRate() > 0, 'the rate just after stopping still shows the last moment');
  clock = stoppedAt + 1000;
  assert.equal(client.hashRate(), 0);
  assert.equal(scheduler.stats().clients[0]!.hashRate, 0);
  await scheduler.close();
});
