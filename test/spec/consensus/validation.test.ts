import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type ChainView,
  checkHeaderContext,
  ConsensusError,
  decodeHeader,
  medianTimePast,
  networks,
  nextWorkRequired,
} from '../../../src/consensus/index.ts';
import { publicVectors } from '../../helpers/vectors.ts';
import { retargetParams } from '../../helpers/chain.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

const reason = (r: string) => (e: unknown) => e instanceof ConsensusError && e.reason === r;

/** A linear chain view with the given times and bits. */
function chainOf(times: number[], bits = 0x207fffff): ChainView {
  let view: ChainView | null = null;
  times.forEach((time, height) => {
    view = { height, time, bits, prev: view };
  });
  return view!;
}

describe('median time past', () => {
  test('is the median of the last 11 times, however they are ordered', () => {
    const view = chainOf([5, 1, 9, 3, 7, 11, 2, 8, 4, 10, 6, 100]);
    // Last 11: 1,9,3,7,11,2,8,4,10,6,100 -> sorted 1,2,3,4,6,7,8,9,10,11,100 -> median 7.
    assert.equal(medianTimePast(view, networks.bitcoin), 7);
  });
  test('uses what exists near genesis', () => {
    assert.equal(medianTimePast(chainOf([10]), networks.bitcoin), 10);
    assert.equal(medianTimePast(chainOf([10, 30, 20]), networks.bitcoin), 20);
  });
  test('property: equals the middle of the last 11 times sorted (the plain definition)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 30 }),
        (times) => {
          const last = times.slice(-11).sort((a, b) => a - b);
          assert.equal(medianTimePast(chainOf(times), networks.bitcoin), last[Math.floor(last.length / 2)]);
        },
      ),
    );
  });
});

describe('next work required', () => {
  test('keeps the parent bits between retargets and under noRetarget', () => {
    const view = chainOf([0, 1, 2], 0x1d00ffff);
    assert.equal(nextWorkRequired(view, networks.bitcoin), 0x1d00ffff);
    assert.equal(nextWorkRequired(chainOf([0, 1, 2, 3, 4, 5, 6]), networks.regtest), 0x207fffff);
  });
  test('off-by-one window: block h retargets over blocks h-interval .. h-1 (interval-1 gaps)', () => {
    // interval 4, spacing 10: T = 40. Blocks 0..3 at times 0, 5, 10, 15: window = time(3) - time(0) = 15.
    const start = 0x1f00ffff;
    const view = chainOf([0, 5, 10, 15], start);
    const bits = nextWorkRequired(view, retargetParams);
    // target * 15 / 40, truncated to compact precision.
    const expected = ((0xffffn << 224n) * 15n) / 40n;
    const d = BigInt(bits & 0x7fffff) << BigInt(8 * ((bits >>> 24) - 3));
    assert.ok(d <= expected && expected - d < 1n << 216n);
    // Had the window started at a hypothetical block -1 (interval gaps), the answer would differ.
    assert.notEqual(bits, nextWorkRequired(chainOf([0, 0, 5, 10, 15], start).prev!, retargetParams));
  });
  test('mainnet 32256: the window 30240..32255 gives the real 0x1d00d86a', () => {
    const first = publicVectors.headers.find((h) => h.height === 30240)!;
    const last = publicVectors.headers.find((h) => h.height === 32255)!;
    // A view whose height is 32255 and whose ancestor at 30240 has the real time; the rest are irrelevant.
    let view: ChainView = { height: 30240, time: first.time, bits: 0x1d00ffff, prev: null };
    for (let h = 30241; h <= 32255; h++) {
      view = {
        height: h,
        time: h === 32255 ? last.time : first.time + (h - 30240),
        bits: 0x1d00ffff,
        prev: view,
      };
    }
    assert.equal(nextWorkRequired(view, networks.bitcoin), 0x1d00d86a);
  });
});

describe('contextual header checks assert their reason codes', () => {
  const genesis = decodeHeader(publicVectors.headers[0]!.header);
  const block1 = decodeHeader(publicVectors.headers[1]!.header);
  const prev: ChainView = { height: 0, time: genesis.time, bits: genesis.bits, prev: null };
  const now = 1_800_000_000;
  test('the real block 1 passes', () => {
    checkHeaderContext(block1, prev, networks.bitcoin, now);
  });
  test('bad-diffbits when bits differ from the required next work', () => {
    assert.throws(
      () => checkHeaderContext({ ...block1, bits: 0x1c7fffff }, prev, networks.bitcoin, now),
      reason('bad-diffbits'),
    );
  });
  test('time-too-old when time is not above the median time past', () => {
    assert.throws(
      () => checkHeaderContext({ ...block1, time: genesis.time }, prev, networks.bitcoin, now),
      reason('time-too-old'),
    );
    checkHeaderContext({ ...block1, time: genesis.time + 1 }, prev, networks.bitcoin, now);
  });
  test('time-too-new beyond now + 2 h, but exactly 2 h ahead is fine', () => {
    const t = block1.time;
    checkHeaderContext(block1, prev, networks.bitcoin, t - 7200);
    assert.throws(() => checkHeaderContext(block1, prev, networks.bitcoin, t - 7201), reason('time-too-new'));
  });
});
