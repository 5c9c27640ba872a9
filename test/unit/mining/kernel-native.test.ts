/**
 * The native (SHA-NI) kernel against node:crypto. When the addon is not available here (not built, CPU
 * without SHA extensions), the kernel tests are reported as skipped with the reason; the availability
 * reasons themselves are tested on every machine.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeBits } from '../../../src/consensus/index.ts';
import {
  createNativeKernel,
  nativeAvailability,
  nativeAvailabilityOf,
} from '../../../src/mining/kernels/native.ts';
import { type ScanResult, targetToInternalBytes } from '../../../src/mining/kernels/types.ts';
import { hexToBytes, writeU32LE } from '../../../src/util/bytes.ts';
import { publicVectors } from '../../helpers/vectors.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

const availability = nativeAvailability();
const skip: string | false = availability.available
  ? false
  : `native kernel unavailable: ${availability.reason}`;

const MAX_TARGET = (1n << 256n) - 1n;

/** hash256 of the header with `nonce` at bytes 76..79 (little-endian), by node:crypto. */
function refHash(header: Uint8Array, nonce: number): Uint8Array {
  const h = Uint8Array.from(header);
  writeU32LE(h, 76, nonce);
  return createHash('sha256').update(createHash('sha256').update(h).digest()).digest();
}

/** A 32-byte little-endian integer. */
function leToBigInt(bytes: Uint8Array): bigint {
  let x = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}

/** The Kernel contract, one nonce at a time with node:crypto. */
function refScan(header: Uint8Array, target: bigint, startNonce: number, count: number): ScanResult {
  for (let i = 0; i < count; i++) {
    if (leToBigInt(refHash(header, startNonce + i)) <= target)
      return { nonce: startNonce + i, hashes: i + 1 };
  }
  return { nonce: null, hashes: count };
}

const header80 = fc.uint8Array({ minLength: 80, maxLength: 80 });
/** Targets from "every hash" down to "about one nonce in 2^13", so short ranges both hit and miss. */
const targets = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX_TARGET }),
  fc.bigInt({ min: 0n, max: (1n << 253n) - 1n }),
  fc.bigInt({ min: 0n, max: (1n << 243n) - 1n }),
);

describe('native kernel availability', () => {
  test('nativeAvailability() is either available or a clear one-line reason', () => {
    if (availability.available) {
      assert.equal(createNativeKernel().name, 'native');
    } else {
      assert.match(
        availability.reason,
        /^(not built \(no compiler at install time\?\)|CPU lacks SHA|failed to load)/,
      );
      assert.doesNotMatch(availability.reason, /\n/);
      assert.throws(() => createNativeKernel(), {
        message: `native kernel unavailable: ${availability.reason}`,
      });
    }
  });

  describe('each reason, on a stand-in package directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainsim-native-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('not installed', () => {
      const a = nativeAvailabilityOf(undefined);
      assert.equal(a.available, false);
      assert.match(
        !a.available ? a.reason : '',
        /^not built \(no compiler at install time\?\): .*not installed/,
      );
    });
    test('installed but never built', () => {
      const a = nativeAvailabilityOf(dir);
      assert.match(
        !a.available ? a.reason : '',
        /^not built \(no compiler at install time\?\): .* is missing/,
      );
    });
    test('the build failed: the recorded cause is quoted', () => {
      mkdirSync(join(dir, 'build'), { recursive: true });
      writeFileSync(
        join(dir, 'build', 'BUILD-FAILED.txt'),
        'node-gyp rebuild failed: not found: make\n\nlog...\n',
      );
      const a = nativeAvailabilityOf(dir);
      assert.match(
        !a.available ? a.reason : '',
        /^not built \(no compiler at install time\?\): node-gyp rebuild failed: not found: make \(log: .*BUILD-FAILED\.txt\); .*npm rebuild chainsim-native/,
      );
    });
    test('a file that is not an addon: the load error', () => {
      mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
      writeFileSync(join(dir, 'build', 'Release', 'chainsim_native.node'), 'not an ELF file');
      const a = nativeAvailabilityOf(dir);
      assert.match(!a.available ? a.reason : '', /^failed to load .*chainsim_native\.node: /);
    });
  });
});

describe('native kernel (SHA-NI) against node:crypto', () => {
  const kernel = () => createNativeKernel();

  test('random headers, targets and ranges (differential)', { skip }, () => {
    const k = kernel();
    fc.assert(
      fc.property(
        header80,
        targets,
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (header, target, count, start) => {
          const startNonce = Math.min(start, 2 ** 32 - count);
          assert.deepEqual(
            k.scan(header, targetToInternalBytes(target), startNonce, count),
            refScan(header, target, startNonce, count),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a target met exactly: hash == target matches, target - 1 does not', { skip }, () => {
    const k = kernel();
    fc.assert(
      fc.property(
        header80,
        fc.integer({ min: 0, max: 2 ** 32 - 8 }),
        fc.integer({ min: 0, max: 7 }),
        (header, start, offset) => {
          const nonce = start + offset;
          const hash = leToBigInt(refHash(header, nonce));
          // The most significant word of hash and target is equal, so the full comparison decides.
          assert.deepEqual(k.scan(header, targetToInternalBytes(hash), nonce, 1), { nonce, hashes: 1 });
          assert.deepEqual(k.scan(header, targetToInternalBytes(hash - 1n), nonce, 1), {
            nonce: null,
            hashes: 1,
          });
          // Within a range the answer is still the lowest qualifying nonce, which may come before it.
          for (const t of [hash, hash - 1n]) {
            assert.deepEqual(
              k.scan(header, targetToInternalBytes(t), start, 8),
              refScan(header, t, start, 8),
            );
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  test('no match: target 0 over a range returns null and hashes = count', { skip }, () => {
    const k = kernel();
    const header = Uint8Array.from({ length: 80 }, (_, i) => i * 7);
    for (const [start, count] of [
      [0, 1],
      [12345, 1000],
      [2 ** 31 - 3, 100_001],
      [2 ** 32 - 500, 500],
    ] as const) {
      assert.deepEqual(k.scan(header, new Uint8Array(32), start, count), { nonce: null, hashes: count });
    }
  });

  test('range lengths 0..7 (both lanes, odd tails)', { skip }, () => {
    const k = kernel();
    const header = Uint8Array.from({ length: 80 }, (_, i) => (i * 13 + 5) & 0xff);
    for (const target of [0n, 1n << 254n, 1n << 255n, (1n << 256n) / 3n, MAX_TARGET]) {
      for (const start of [0, 1, 1000, 2 ** 31]) {
        for (let count = 0; count <= 7; count++) {
          assert.deepEqual(
            k.scan(header, targetToInternalBytes(target), start, count),
            refScan(header, target, start, count),
            `target ${target.toString(16)} start ${start} count ${count}`,
          );
        }
      }
    }
  });

  test('startNonce near 2^32 - 1: the last nonces are scanned and the range ends at 2^32', { skip }, () => {
    const k = kernel();
    const header = Uint8Array.from({ length: 80 }, (_, i) => 255 - i);
    for (const target of [0n, 1n << 254n, 1n << 255n, MAX_TARGET]) {
      for (let count = 1; count <= 7; count++) {
        const start = 2 ** 32 - count;
        assert.deepEqual(
          k.scan(header, targetToInternalBytes(target), start, count),
          refScan(header, target, start, count),
        );
      }
    }
    // The very last nonce alone, found by the last lane and by the target it meets exactly.
    const last = 2 ** 32 - 1;
    const exact = leToBigInt(refHash(header, last));
    assert.deepEqual(
      k.scan(header, targetToInternalBytes(exact), last - 6, 7),
      refScan(header, exact, last - 6, 7),
    );
    assert.deepEqual(k.scan(header, targetToInternalBytes(exact), last, 1), { nonce: last, hashes: 1 });
    assert.throws(() => k.scan(header, new Uint8Array(32), last, 2), RangeError);
  });

  test('the easiest target returns startNonce with hashes 1', { skip }, () => {
    const k = kernel();
    const easiest = new Uint8Array(32).fill(0xff);
    for (const start of [0, 1, 2, 77, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1]) {
      const header = Uint8Array.from({ length: 80 }, (_, i) => (start + i) & 0xff);
      assert.deepEqual(k.scan(header, easiest, start, 2 ** 32 - start), { nonce: start, hashes: 1 });
    }
  });

  test(
    'Bitcoin mainnet headers: the mined nonce meets its own bits, first in a range ending at it',
    { skip },
    () => {
      const k = kernel();
      for (const v of publicVectors.headers.slice(0, 40)) {
        const header = hexToBytes(v.header);
        const target = targetToInternalBytes(decodeBits(Number.parseInt(v.bits, 16)).target);
        assert.deepEqual(
          k.scan(header, target, v.nonce, 1),
          { nonce: v.nonce, hashes: 1 },
          `height ${v.height}`,
        );
        const start = Math.max(0, v.nonce - 2000);
        assert.deepEqual(k.scan(header, target, start, v.nonce - start + 1), {
          nonce: v.nonce,
          hashes: v.nonce - start + 1,
        });
      }
    },
  );

  test('bad arguments are rejected before the addon sees them', { skip }, () => {
    const k = kernel();
    const h = new Uint8Array(80);
    const t = new Uint8Array(32);
    assert.throws(() => k.scan(new Uint8Array(79), t, 0, 1), TypeError);
    assert.throws(() => k.scan(h, new Uint8Array(31), 0, 1), TypeError);
    assert.throws(() => k.scan(h, t, -1, 1), RangeError);
    assert.throws(() => k.scan(h, t, 0.5, 1), RangeError);
    assert.throws(() => k.scan(h, t, 0, 2 ** 32 + 1), RangeError);
  });

  test('the addon itself rejects bad arguments (it does not rely on the wrapper)', { skip }, () => {
    const req = createRequire(import.meta.url);
    const addon = req('chainsim-native/build/Release/chainsim_native.node') as {
      scan(...args: unknown[]): number;
    };
    const h = new Uint8Array(80);
    const t = new Uint8Array(32);
    assert.equal(addon.scan(h, t.fill(0xff), 7, 1), 7);
    assert.throws(() => addon.scan(h, t), TypeError);
    assert.throws(() => addon.scan(new Uint8Array(79), t, 0, 1), TypeError);
    assert.throws(() => addon.scan(new Uint16Array(40), t, 0, 1), TypeError);
    assert.throws(() => addon.scan(h, [0], 0, 1), TypeError);
    assert.throws(() => addon.scan(h, t, 2 ** 32, 0), RangeError);
    assert.throws(() => addon.scan(h, t, 1.5, 1), RangeError);
    assert.throws(() => addon.scan(h, t, Number.NaN, 1), RangeError);
    assert.throws(() => addon.scan(h, t, 2 ** 32 - 1, 2), RangeError);
    assert.throws(() => addon.scan(h, t, 0, -1), RangeError);
  });
});
