import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createJsKernel } from '../../../src/mining/kernels/js.ts';
import { type Kernel, type ScanResult, targetToInternalBytes } from '../../../src/mining/kernels/types.ts';
import { createWasmKernel } from '../../../src/mining/kernels/wasm.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

const MAX_NONCE = 0xffffffff;

function withNonce(header: Uint8Array, nonce: number): Uint8Array {
  const h = Uint8Array.from(header);
  new DataView(h.buffer).setUint32(76, nonce, true);
  return h;
}

/** SHA-256d by node:crypto, as a 256-bit little-endian integer. */
function hashInt(header: Uint8Array, nonce: number): bigint {
  const once = createHash('sha256').update(withNonce(header, nonce)).digest();
  const twice = createHash('sha256').update(once).digest();
  return BigInt(`0x${Buffer.from(twice).reverse().toString('hex')}`);
}

/** The contract, computed the slow obvious way with node:crypto. */
function referenceScan(header: Uint8Array, target: bigint, start: number, count: number): ScanResult {
  for (let i = 0; i < count; i++) {
    if (hashInt(header, start + i) <= target) return { nonce: start + i, hashes: i + 1 };
  }
  return { nonce: null, hashes: count };
}

/** A target letting through about one hash in 2^bits. */
function targetOneIn(bits: number): bigint {
  return (1n << BigInt(256 - bits)) - 1n;
}

const kernels: Kernel[] = [createJsKernel(), createWasmKernel()];

const headerArb = fc.uint8Array({ minLength: 80, maxLength: 80 });
const rangeArb = fc
  .tuple(fc.integer({ min: 0, max: MAX_NONCE }), fc.integer({ min: 0, max: 40 }))
  .map(([start, count]) => ({ start: Math.min(start, 2 ** 32 - count), count }));

for (const kernel of kernels) {
  describe(`${kernel.name} kernel against node:crypto`, () => {
    test('random headers, ranges and targets of varied difficulty', () => {
      fc.assert(
        fc.property(headerArb, rangeArb, fc.integer({ min: 0, max: 8 }), (header, { start, count }, bits) => {
          const target = targetOneIn(bits);
          const got = kernel.scan(header, targetToInternalBytes(target), start, count);
          assert.deepEqual(got, referenceScan(header, target, start, count));
        }),
        { numRuns: 300 },
      );
    });

    test('a hash exactly equal to the target meets it; target = hash - 1 does not', () => {
      fc.assert(
        fc.property(headerArb, rangeArb, fc.nat(), (header, { start, count }, pick) => {
          fc.pre(count > 0);
          const nonce = start + (pick % count);
          const h = hashInt(header, nonce);
          for (const target of [h, h - 1n]) {
            const got = kernel.scan(header, targetToInternalBytes(target), start, count);
            assert.deepEqual(got, referenceScan(header, target, start, count));
          }
          // Only `nonce` is scanned: hash == target meets, hash - 1 fails.
          const t = targetToInternalBytes(h);
          assert.deepEqual(kernel.scan(header, t, nonce, 1), { nonce, hashes: 1 });
          assert.deepEqual(kernel.scan(header, targetToInternalBytes(h - 1n), nonce, 1), {
            nonce: null,
            hashes: 1,
          });
        }),
        { numRuns: 100 },
      );
    });

    test('the lowest matching nonce wins when several in one group of four match', () => {
      const header = new Uint8Array(80).fill(7);
      // Set the target to the largest hash among 8 nonces: every one of them matches, so the first must win.
      let max = 0n;
      for (let n = 1000; n < 1008; n++) max = hashInt(header, n) > max ? hashInt(header, n) : max;
      for (let start = 1000; start < 1004; start++) {
        assert.deepEqual(kernel.scan(header, targetToInternalBytes(max), start, 8 - (start - 1000)), {
          nonce: start,
          hashes: 1,
        });
      }
      // The second-smallest hash: exactly two nonces match; the lower one is returned.
      const sorted = Array.from({ length: 8 }, (_, i) => ({
        n: 1000 + i,
        h: hashInt(header, 1000 + i),
      })).sort((a, b) => (a.h < b.h ? -1 : 1));
      const target = sorted[1]!.h;
      const lowest = Math.min(sorted[0]!.n, sorted[1]!.n);
      assert.deepEqual(kernel.scan(header, targetToInternalBytes(target), 1000, 8), {
        nonce: lowest,
        hashes: lowest - 1000 + 1,
      });
    });

    test('a range where nothing matches hashes every nonce', () => {
      const header = new Uint8Array(80).fill(1);
      const target = new Uint8Array(32); // 0: no hash here is 0
      assert.deepEqual(kernel.scan(header, target, 5, 1000), { nonce: null, hashes: 1000 });
    });

    test('ranges of length 0, 1, 2, 3, 5, 7 with the match at each position, or none', () => {
      const header = Uint8Array.from({ length: 80 }, (_, i) => i * 13);
      for (const count of [0, 1, 2, 3, 5, 7]) {
        for (const start of [0, 12345, Math.min(MAX_NONCE, MAX_NONCE + 1 - count)]) {
          assert.deepEqual(kernel.scan(header, new Uint8Array(32), start, count), {
            nonce: null,
            hashes: count,
          });
          for (let i = 0; i < count; i++) {
            const target = hashInt(header, start + i);
            const got = kernel.scan(header, targetToInternalBytes(target), start, count);
            assert.deepEqual(
              got,
              referenceScan(header, target, start, count),
              `count ${count} start ${start}`,
            );
            // A nonce just past the range never leaks in, even when the last group of four reaches it.
            if (start + count <= MAX_NONCE) {
              const past = hashInt(header, start + count);
              const got2 = kernel.scan(header, targetToInternalBytes(past), start, count);
              assert.deepEqual(got2, referenceScan(header, past, start, count));
            }
          }
        }
      }
    });

    test('ranges ending exactly at 2^32 - 1', () => {
      const header = Uint8Array.from({ length: 80 }, (_, i) => 255 - i);
      for (const count of [1, 2, 3, 4, 5, 9, 64]) {
        const start = MAX_NONCE + 1 - count;
        const all = targetToInternalBytes((1n << 256n) - 1n);
        assert.deepEqual(kernel.scan(header, all, start, count), { nonce: start, hashes: 1 });
        const last = hashInt(header, MAX_NONCE);
        assert.deepEqual(
          kernel.scan(header, targetToInternalBytes(last), start, count),
          referenceScan(header, last, start, count),
        );
        assert.deepEqual(kernel.scan(header, new Uint8Array(32), start, count), {
          nonce: null,
          hashes: count,
        });
      }
      assert.deepEqual(kernel.scan(header, new Uint8Array(32).fill(0xff), MAX_NONCE, 1), {
        nonce: MAX_NONCE,
        hashes: 1,
      });
    });

    test('the whole nonce space, count 2^32, in one call', () => {
      const header = Uint8Array.from({ length: 80 }, (_, i) => i);
      const all = new Uint8Array(32).fill(0xff);
      assert.deepEqual(kernel.scan(header, all, 0, 2 ** 32), { nonce: 0, hashes: 1 });
      const target = hashInt(header, 2); // met by nonce 2, and maybe by 0 or 1
      assert.deepEqual(
        kernel.scan(header, targetToInternalBytes(target), 0, 2 ** 32),
        referenceScan(header, target, 0, 3),
      );
    });

    test('the easiest target (all 0xff) returns startNonce after one hash', () => {
      fc.assert(
        fc.property(headerArb, rangeArb, (header, { start, count }) => {
          fc.pre(count > 0);
          assert.deepEqual(kernel.scan(header, new Uint8Array(32).fill(0xff), start, count), {
            nonce: start,
            hashes: 1,
          });
        }),
      );
    });

    test('the real genesis header: nonce 2083236893 meets its bits target', () => {
      const genesis = Buffer.from(
        '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f61' +
          '7fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
        'hex',
      );
      const target = targetToInternalBytes(0xffffn << 208n); // bits 0x1d00ffff
      const start = 2083236893 - 6;
      assert.deepEqual(kernel.scan(genesis, target, start, 100), { nonce: 2083236893, hashes: 7 });
    });

    test('rejects bad arguments', () => {
      const h = new Uint8Array(80);
      const t = new Uint8Array(32);
      assert.throws(() => kernel.scan(new Uint8Array(79), t, 0, 1), TypeError);
      assert.throws(() => kernel.scan(h, new Uint8Array(31), 0, 1), TypeError);
      assert.throws(() => kernel.scan(h, t, -1, 1), RangeError);
      assert.throws(() => kernel.scan(h, t, MAX_NONCE, 2), RangeError);
    });
  });
}

describe('js and wasm-simd agree', () => {
  const [js, wasm] = kernels as [Kernel, Kernel];
  test('on random headers, ranges and targets', () => {
    fc.assert(
      fc.property(
        headerArb,
        fc.integer({ min: 0, max: MAX_NONCE }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 12 }),
        (header, start0, count, bits) => {
          const start = Math.min(start0, 2 ** 32 - count);
          const target = targetToInternalBytes(targetOneIn(bits));
          assert.deepEqual(wasm.scan(header, target, start, count), js.scan(header, target, start, count));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('wasm-simd loader', () => {
  test('a missing module says to run npm run build', () => {
    const wasmUrl = new URL('./no-such-dir/pow.wasm', import.meta.url);
    assert.throws(() => createWasmKernel({ wasmUrl }), /cannot load .*pow\.wasm.*npm run build/);
  });

  test('a file that is not wasm says the same', () => {
    const wasmUrl = new URL(import.meta.url); // this test file: not a wasm module
    assert.throws(() => createWasmKernel({ wasmUrl }), /npm run build/);
  });
});
