import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createInlineExecutor, MIN_SLICE, RANGE_SLICES, scanTask } from '../../../src/mining/executors.ts';
import { type Kernel, selectKernel, targetToInternalBytes } from '../../../src/mining/kernels/index.ts';
import { createPoolExecutor } from '../../../src/mining/pool.ts';
import { createPowScheduler, type MineOutcome } from '../../../src/mining/scheduler.ts';
import { seededRandom, testSeed } from '../../helpers/seed.ts';

const kernel = selectKernel('auto').kernel;
/** The headers' merkle roots come from it; the races' outcomes depend on thread timing too. */
const seed = testSeed();
const random = seededRandom(seed);

function header(seed: number): Uint8Array {
  const h = new Uint8Array(80);
  new DataView(h.buffer).setUint32(0, seed, true);
  new DataView(h.buffer).setUint32(40, Math.floor(random() * 2 ** 32), true);
  return h;
}

/** Chi-square statistic of observed counts against expected proportions. */
function chiSquare(observed: number[], shares: number[]): number {
  const n = observed.reduce((a, b) => a + b, 0);
  const total = shares.reduce((a, b) => a + b, 0);
  return observed.reduce((sum, o, i) => {
    const e = (n * shares[i]!) / total;
    return sum + (o - e) ** 2 / e;
  }, 0);
}

describe('PoW scheduler', () => {
  test('blocks won follow hash-power shares 40/30/10/10/5/5 (chi-square, 400 races)', async () => {
    const shares = [40, 30, 10, 10, 5, 5];
    // Ranges of 500 nonces against ~20,000 expected hashes per block: about 40 ranges per race.
    const scheduler = createPowScheduler({
      executor: createInlineExecutor(kernel),
      minRange: 100,
      maxRange: 500,
    });
    const clients = shares.map((share, i) => scheduler.addClient({ name: `node${i}`, share }));
    const target = targetToInternalBytes((1n << 256n) / 20_000n);
    const wins = shares.map(() => 0);
    const rounds = 400;
    for (let round = 0; round < rounds; round++) {
      const ac = new AbortController();
      const races = clients.map((c, i) =>
        c.mine({ header: header(round * 16 + i), target }, ac.signal).then((o: MineOutcome) => {
          if (o.found && !ac.signal.aborted) {
            wins[i]!++;
            ac.abort();
          }
          return o;
        }),
      );
      await Promise.all(races);
    }
    assert.equal(
      wins.reduce((a, b) => a + b, 0),
      rounds,
    );
    // 5 degrees of freedom: P(chi2 > 25.7) = 0.0001 when the shares hold.
    const chi2 = chiSquare(wins, shares);
    assert.ok(
      chi2 < 25.7,
      `seed ${seed}: wins ${wins.join('/')} for shares ${shares.join('/')}: chi2 ${chi2.toFixed(1)}`,
    );
    // And the hashes each client was given follow the shares closely (stride scheduling is exact up to one range).
    const hashes = scheduler.stats().clients.map((c) => c.hashes);
    const total = hashes.reduce((a, b) => a + b, 0);
    hashes.forEach((h, i) =>
      assert.ok(Math.abs(h / total - shares[i]! / 100) < 0.02, `seed ${seed}: client ${i}: ${h / total}`),
    );
    await scheduler.close();
  });

  test('a nonce space that runs out resolves as exhausted with every hash counted', async () => {
    const scheduler = createPowScheduler({ executor: createInlineExecutor(kernel) });
    const c = scheduler.addClient({ name: 'a' });
    const out = await c.mine({ header: header(1), target: new Uint8Array(32), startNonce: 2 ** 32 - 5000 });
    assert.deepEqual(out, { found: false, reason: 'exhausted', hashes: 5000 });
    await scheduler.close();
  });

  test('the easiest target is met by the first nonce', async () => {
    const scheduler = createPowScheduler({ executor: createInlineExecutor(kernel) });
    const out = await scheduler
      .addClient({ name: 'a' })
      .mine({ header: header(2), target: new Uint8Array(32).fill(0xff), startNonce: 7 });
    assert.deepEqual(out, { found: true, nonce: 7, hashes: out.hashes });
    await scheduler.close();
  });

  test('cancelling stops the job; the next job still runs; shares must not be negative', async () => {
    const scheduler = createPowScheduler({ executor: createInlineExecutor(kernel) });
    const c = scheduler.addClient({ name: 'a' });
    const ac = new AbortController();
    const pending = c.mine({ header: header(3), target: new Uint8Array(32) }, ac.signal);
    setTimeout(() => ac.abort(), 20);
    const out = await pending;
    assert.equal(out.found, false);
    assert.equal(!out.found && out.reason, 'cancelled');
    const next = await c.mine({ header: header(4), target: new Uint8Array(32).fill(0xff) });
    assert.equal(next.found, true);
    assert.throws(() => scheduler.addClient({ name: 'b', share: -1 }), RangeError);
    assert.throws(() => scheduler.addClient({ name: 'b2', share: Number.NaN }), RangeError);
    assert.throws(() => c.setShare(-1), RangeError);
    await scheduler.close();
  });

  test('the Piscina pool finds the same nonce as the kernel inline, at lowered priority (or says why not)', async () => {
    const warnings: string[] = [];
    const executor = await createPoolExecutor({
      kernel: kernel.name,
      threads: 2,
      onWarning: (m) => warnings.push(m),
    });
    try {
      // With the optional @napi-rs/nice installed (npm ci does) the threads run at nice 19; without it the pool
      // must say so once instead of staying silent.
      if (executor.niceness === 19) assert.deepEqual(warnings, []);
      else assert.match(warnings.join('\n'), /nice/);
      // On Linux with util-linux's chrt (Debian always has it) the threads are in the SCHED_IDLE class.
      if (process.platform === 'linux' && existsSync('/usr/bin/chrt')) assert.equal(executor.idleClass, true);
      const h = header(5);
      const target = targetToInternalBytes((1n << 256n) / 3000n);
      const expected = kernel.scan(h, target, 0, 1_000_000);
      const r = await executor.run({ header: h, target, startNonce: 0, count: 1_000_000 });
      assert.equal(r.nonce, expected.nonce);
      assert.equal(r.hashes, expected.hashes);
    } finally {
      await executor.close();
    }
  });
});

describe('stop flag: ranges in flight end early when their job settles', () => {
  const flag = (): Int32Array => new Int32Array(new SharedArrayBuffer(4));
  const impossible = new Uint8Array(32);
  test('scanTask scans in slices and stops at the first slice boundary after the flag is raised', () => {
    const stop = flag();
    const calls: number[] = [];
    // A kernel that raises the flag during its second slice, as the scheduler would from another thread.
    const spy: Kernel = {
      name: kernel.name,
      scan(h, t, start, count) {
        calls.push(count);
        if (calls.length === 2) Atomics.store(stop, 0, 1);
        return kernel.scan(h, t, start, count);
      },
    };
    const count = RANGE_SLICES * 4096;
    const r = scanTask(spy, { header: header(6), target: impossible, startNonce: 0, count, stop });
    assert.deepEqual(calls, [4096, 4096]);
    assert.equal(r.stopped, true);
    assert.equal(r.hashes, 8192);
    assert.equal(r.nonce, null);
  });
  test('scanTask without a raised flag equals one kernel call: same nonce (the lowest), same hashes', () => {
    const h = header(7);
    const target = targetToInternalBytes((1n << 256n) / 30_000n);
    const count = RANGE_SLICES * MIN_SLICE * 8;
    const whole = kernel.scan(h, target, 1000, count);
    const sliced = scanTask(kernel, { header: h, target, startNonce: 1000, count, stop: flag() });
    assert.equal(sliced.nonce, whole.nonce);
    assert.equal(sliced.hashes, whole.hashes);
    assert.equal(sliced.stopped, undefined);
  });
  test('a flag raised before the range starts costs no hashes', () => {
    const stop = flag();
    Atomics.store(stop, 0, 1);
    const r = scanTask(kernel, {
      header: header(8),
      target: impossible,
      startNonce: 0,
      count: 1 << 20,
      stop,
    });
    assert.deepEqual({ hashes: r.hashes, stopped: r.stopped }, { hashes: 0, stopped: true });
  });
  test(
    'through the Piscina pool, cancelling a job stops its huge range in flight (shared memory reaches the thread)',
    { timeout: 120_000 },
    async () => {
      // One range of 2^30 nonces: minutes of work for any kernel. Settling at all shows the range stopped early.
      const executor = await createPoolExecutor({ kernel: kernel.name, threads: 1 });
      const scheduler = createPowScheduler({ executor, minRange: 2 ** 30, maxRange: 2 ** 30 });
      try {
        const ac = new AbortController();
        const pending = scheduler
          .addClient({ name: 'a' })
          .mine({ header: header(9), target: impossible }, ac.signal);
        setTimeout(() => ac.abort(), 100);
        const out = await pending;
        assert.equal(!out.found && out.reason, 'cancelled');
        assert.ok(out.hashes > 0 && out.hashes < 2 ** 30, `hashes ${out.hashes}`);
      } finally {
        await scheduler.close();
      }
    },
  );
});
