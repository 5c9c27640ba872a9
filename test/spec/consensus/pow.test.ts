import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  bitsToTarget,
  blockWork,
  ConsensusError,
  decodeBits,
  difficulty,
  networks,
  retargetBits,
  targetToBits,
} from '../../../src/consensus/index.ts';
import { publicVectors } from '../../helpers/vectors.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

const reason = (r: string) => (e: unknown) => e instanceof ConsensusError && e.reason === r;

describe('compact bits (Core arith_uint256 SetCompact/GetCompact)', () => {
  for (const c of publicVectors.compact) {
    if ('bits' in c) {
      test(`bitcoinjs target for ${c.bits}`, () => {
        const bits = Number(c.bits);
        const d = decodeBits(bits);
        assert.equal(d.target, BigInt(`0x${c.target}`));
        // bitcoinjs masks the sign bit; Core flags it, and so must we.
        assert.equal(d.negative, c.note !== undefined && c.note.includes('sign bit'));
        assert.equal(d.overflow, false);
      });
    }
  }
  const cases = publicVectors.compact.flatMap((c) => ('cases' in c ? c.cases : []));
  for (const c of cases) {
    if (c.bits !== undefined) {
      test(`SetCompact(${c.bits})`, () => {
        const d = decodeBits(Number(c.bits));
        if (c.target !== undefined) assert.equal(d.target, BigInt(c.target));
        assert.equal(d.negative, c.negative ?? false);
        assert.equal(d.overflow, c.overflow ?? false);
        if (c.reEncode !== undefined) assert.equal(targetToBits(d.target), Number(c.reEncode));
        if (c.reEncodeWithSign !== undefined) {
          // Core's GetCompact(fNegative=true) sets 0x00800000; our encoder never does, so compare magnitudes.
          assert.equal(targetToBits(d.target), Number(c.reEncodeWithSign) & ~0x00800000);
        }
      });
    } else if (c.value !== undefined && c.getCompact !== undefined) {
      test(`GetCompact(${c.value}) never sets the sign bit`, () => {
        const bits = targetToBits(BigInt(c.value!));
        assert.equal(bits, Number(c.getCompact));
        assert.equal(bits & 0x00800000, 0);
      });
    }
  }
  test('bitsToTarget throws bad-diffbits on negative and overflowing bits', () => {
    assert.throws(() => bitsToTarget(0x04923456), reason('bad-diffbits'));
    assert.throws(() => bitsToTarget(0xff123456), reason('bad-diffbits'));
    assert.throws(() => bitsToTarget(0x01fedcba), reason('bad-diffbits'));
    assert.equal(bitsToTarget(0x1d00ffff), 0xffffn << 208n);
  });
  test('targetToBits rejects values outside [0, 2^256)', () => {
    assert.throws(() => targetToBits(-1n), RangeError);
    assert.throws(() => targetToBits(1n << 256n), RangeError);
  });
  test('property: decode(targetToBits(t)) truncates t to the bytes the mantissa holds, never rounding up', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (t) => {
        const bits = targetToBits(t);
        const d = decodeBits(bits);
        assert.equal(d.negative, false);
        assert.equal(d.overflow, false);
        assert.ok(d.target <= t);
        const dropped = BigInt(8 * Math.max(0, (bits >>> 24) - 3));
        assert.equal(d.target, (t >> dropped) << dropped);
      }),
    );
  });
  test('property: bits round-trip: targetToBits(decode(bits)) == bits for canonical bits', () => {
    // Canonical: mantissa top bit clear, non-zero first byte, exponent in range.
    const canonical = fc
      .tuple(fc.integer({ min: 4, max: 32 }), fc.integer({ min: 0x010000, max: 0x7fffff }))
      .map(([size, mant]) => ((size << 24) | mant) >>> 0);
    fc.assert(fc.property(canonical, (bits) => assert.equal(targetToBits(decodeBits(bits).target), bits)));
  });
});

describe('work and chainwork', () => {
  test('work(0x1d00ffff) = 0x100010001', () => {
    const v = publicVectors.chainwork.find((c) => c.workOfBits_1d00ffff)!;
    assert.equal(blockWork(0x1d00ffff), BigInt(v.workOfBits_1d00ffff!));
  });
  test('chainwork counts genesis: 2017 blocks at 0x1d00ffff at height 2016', () => {
    const v = publicVectors.chainwork.find((c) => c.height === 2016)!;
    assert.equal(2017n * blockWork(0x1d00ffff), BigInt(v.chainwork!));
  });
  test('chainwork at 32256 = chainwork at 30240 + 2015 * work(0x1d00ffff) + work(0x1d00d86a)', () => {
    const at30240 = BigInt(publicVectors.chainwork.find((c) => c.height === 30240)!.chainwork!);
    const at32256 = BigInt(publicVectors.chainwork.find((c) => c.height === 32256)!.chainwork!);
    assert.equal(at30240 + 2015n * blockWork(0x1d00ffff) + blockWork(0x1d00d86a), at32256);
  });
  test('malformed bits carry no work (Core GetBlockProof)', () => {
    assert.equal(blockWork(0x04923456), 0n);
    assert.equal(blockWork(0xff123456), 0n);
    assert.equal(blockWork(0), 0n);
  });
});

describe('difficulty (Core GetDifficulty)', () => {
  for (const d of publicVectors.difficulty) {
    test(`bits ${d.bits}`, () => {
      assert.ok(Math.abs(difficulty(Number(d.bits)) - Number(d.difficulty)) < 1e-12);
    });
  }
});

describe('retarget (Core CalculateNextWorkRequired)', () => {
  for (const r of publicVectors.retarget) {
    test(r.name, () => {
      assert.equal(r.targetTimespan, networks.bitcoin.targetSpacing * networks.bitcoin.retargetInterval);
      const bits = retargetBits(
        { lastBits: Number(r.lastBits), firstTime: r.firstBlockTime, lastTime: r.lastBlockTime },
        networks.bitcoin,
      );
      assert.equal(`0x${bits.toString(16).padStart(8, '0')}`, r.expectedNewBits);
    });
  }
  test('lower clamp: a window 100x too fast raises difficulty by exactly 4', () => {
    const T = 1209600;
    const bits = retargetBits({ lastBits: 0x1c387f6f, firstTime: 0, lastTime: T / 100 }, networks.bitcoin);
    assert.equal(decodeBits(bits).target, targetOf(targetToBits(bitsToTarget(0x1c387f6f) / 4n)));
  });
  test('property: the new target stays within [T/4, 4T] of the old one and never above powLimit', () => {
    const params = networks.bitcoin;
    const T = params.targetSpacing * params.retargetInterval;
    const canonicalBits = fc
      .tuple(fc.integer({ min: 0x04, max: 0x1d }), fc.integer({ min: 0x008000, max: 0x7fffff }))
      .map(([size, mant]) => targetToBits(decodeBits(((size << 24) | mant) >>> 0).target))
      .filter((b) => decodeBits(b).target > 0n && decodeBits(b).target <= params.powLimit);
    fc.assert(
      fc.property(
        canonicalBits,
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
        (bits, first, span) => {
          const old = decodeBits(bits).target;
          const next = decodeBits(
            retargetBits({ lastBits: bits, firstTime: first, lastTime: first + span }, params),
          ).target;
          assert.ok(next <= params.powLimit, 'capped at powLimit');
          assert.ok(next <= (old * BigInt(4 * T)) / BigInt(T), 'at most 4x easier');
          // The compact encoding keeps at least 15 significant bits and truncates, so allow that below old/4.
          const quarter = old / 4n;
          assert.ok(next >= quarter - (quarter >> 15n) - 1n, 'at most 4x harder');
        },
      ),
    );
  });
});

function targetOf(bits: number): bigint {
  return decodeBits(bits).target;
}
