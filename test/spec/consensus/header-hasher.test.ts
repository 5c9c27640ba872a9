import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  checkProofOfWork,
  checkProofOfWorkAgainst,
  ConsensusError,
  createHeaderHasher,
  decodeHeader,
  decodeHeaderAt,
  type DisplayHash,
  displayFromInternal,
  displayFromInternalAt,
  hash256,
  networks,
  powTargetFromBits,
  blockWork,
} from '../../../src/consensus/index.ts';
import { bytesToHex, hexToBytes, reverseBytes } from '../../../src/util/bytes.ts';
import { publicVectors, readVector } from '../../helpers/vectors.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

const sha256d = (data: Uint8Array): string =>
  createHash('sha256').update(createHash('sha256').update(data).digest()).digest('hex');

describe('allocation-free header hasher (differential against node:crypto)', () => {
  test('real mainnet headers hash to their published hashes', () => {
    const hasher = createHeaderHasher();
    const out = new Uint8Array(32);
    for (const v of publicVectors.headers) {
      hasher.hashInto(hexToBytes(v.header), 0, out);
      assert.equal(displayFromInternal(out), v.hash);
    }
  });
  test('random headers at random offsets, one hasher reused: equals sha256(sha256(header))', () => {
    const hasher = createHeaderHasher();
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 80, maxLength: 80 }),
        fc.nat(40),
        fc.nat(8),
        (header, offset, outOffset) => {
          const data = new Uint8Array(offset + 80 + 7);
          data.set(header, offset);
          const out = new Uint8Array(outOffset + 32);
          hasher.hashInto(data, offset, out, outOffset);
          assert.equal(bytesToHex(out.subarray(outOffset)), sha256d(header));
        },
      ),
      { numRuns: 500 },
    );
  });
  test('rejects a range that holds no 80-byte header, or no room for the digest', () => {
    const hasher = createHeaderHasher();
    assert.throws(() => hasher.hashInto(new Uint8Array(79), 0, new Uint8Array(32)), RangeError);
    assert.throws(() => hasher.hashInto(new Uint8Array(160), 81, new Uint8Array(32)), RangeError);
    assert.throws(() => hasher.hashInto(new Uint8Array(80), 0, new Uint8Array(31)), RangeError);
  });
});

describe('display hex at an offset', () => {
  test('equals the reversed hex of the 32 bytes there', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 64 }), fc.nat(32), (bytes, at) => {
        const offset = Math.min(at, bytes.length - 32);
        assert.equal(
          displayFromInternalAt(bytes, offset),
          bytesToHex(reverseBytes(bytes.subarray(offset, offset + 32))),
        );
      }),
    );
  });
  test('rejects an offset without 32 bytes after it', () => {
    assert.throws(() => displayFromInternalAt(new Uint8Array(40), 9), RangeError);
    assert.throws(() => displayFromInternalAt(new Uint8Array(40), -1), RangeError);
  });
});

describe('decodeHeaderAt', () => {
  test('equals decodeHeader on the 439 real consecutive headers, given the parent', () => {
    const file = new Uint8Array(readVector('bitcoin-mainnet-headers-0-438.bin'));
    for (let off = 80; off < file.length; off += 80) {
      const internal = hash256(file.subarray(off - 80, off));
      const parent = { display: displayFromInternal(internal), internal };
      const at = decodeHeaderAt(file, off, parent);
      assert.deepEqual(at, decodeHeader(file.subarray(off, off + 80)));
      assert.equal(at.prevHash, parent.display);
    }
  });
  test('property: equals decodeHeader for any bytes and any (possibly unrelated) parent', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 80, maxLength: 80 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.boolean(),
        (header, other, linked) => {
          const internal = linked ? header.slice(4, 36) : other;
          const parent = { display: displayFromInternal(internal), internal };
          assert.deepEqual(decodeHeaderAt(header, 0, parent), decodeHeader(header));
          assert.deepEqual(decodeHeaderAt(header, 0), decodeHeader(header));
        },
      ),
    );
  });
  test('a range without 80 bytes is bad-encoding', () => {
    assert.throws(
      () => decodeHeaderAt(new Uint8Array(100), 21),
      (e: unknown) => e instanceof ConsensusError && e.reason === 'bad-encoding',
    );
  });
});

describe('checkProofOfWorkAgainst a resolved target agrees with checkProofOfWork', () => {
  const outcome = (f: () => void): string => {
    try {
      f();
      return 'ok';
    } catch (e) {
      if (e instanceof ConsensusError) return `${e.reason}: ${e.message}`;
      throw e;
    }
  };
  const bitsArb = fc.oneof(
    fc.constantFrom(0x1d00ffff, 0x207fffff, 0x1b0404cb, 0x1d00d86a, 0, 0x01003456, 0x04923456, 0xff123456),
    fc.integer({ min: 0, max: 0xffffffff }),
    // Sane-looking targets: exponent 3..32, mantissa below the sign bit.
    fc
      .tuple(fc.integer({ min: 3, max: 32 }), fc.integer({ min: 1, max: 0x7fffff }))
      .map(([e, m]) => e * 2 ** 24 + m),
  );
  /** Hashes near a target are where an off-by-one would show, so derive many from the target itself. */
  const hashNear = (bits: number, delta: bigint): DisplayHash => {
    const t = BigInt(`0x${powTargetFromBits(bits, networks.regtest).hex}`) + delta;
    const clamped = t < 0n ? 0n : t >= 1n << 256n ? (1n << 256n) - 1n : t;
    return clamped.toString(16).padStart(64, '0') as DisplayHash;
  };
  test('property: same verdict and message for random and boundary hashes, on every network', () => {
    fc.assert(
      fc.property(
        bitsArb,
        fc.oneof(
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b) as DisplayHash),
          fc.bigInt({ min: -2n, max: 2n }), // an offset from the target, resolved below
        ),
        fc.constantFrom(...Object.values(networks)),
        (bits, h, params) => {
          const hash = typeof h === 'bigint' ? hashNear(bits, h) : h;
          const target = powTargetFromBits(bits, params);
          assert.equal(target.hex.length, 64);
          assert.equal(target.work, blockWork(bits));
          assert.equal(
            outcome(() => checkProofOfWorkAgainst(hash, target)),
            outcome(() => checkProofOfWork(hash, bits, params)),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
  test('a hash exactly at the target passes, one above fails high-hash', () => {
    const target = powTargetFromBits(0x1d00ffff, networks.bitcoin);
    assert.doesNotThrow(() => checkProofOfWorkAgainst(target.hex as DisplayHash, target));
    const above = (BigInt(`0x${target.hex}`) + 1n).toString(16).padStart(64, '0') as DisplayHash;
    assert.throws(
      () => checkProofOfWorkAgainst(above, target),
      (e: unknown) => e instanceof ConsensusError && e.reason === 'high-hash',
    );
  });
});
