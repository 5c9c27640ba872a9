/**
 * Compact targets, work and retargeting, exactly as Bitcoin Core does them:
 * arith_uint256.cpp SetCompact/GetCompact, chain.cpp GetBlockProof, pow.cpp CalculateNextWorkRequired and
 * CheckProofOfWork, rpc/blockchain.cpp GetDifficulty.
 */
import { assertU32 } from '../util/bytes.ts';
import { ConsensusError } from './errors.ts';
import { type DisplayHash, hashToBigInt } from './hash.ts';
import type { NetworkParams } from './params.ts';

const TWO_256 = 1n << 256n;
const MASK_256 = TWO_256 - 1n;

export interface DecodedBits {
  /** The magnitude, reduced to 256 bits as Core's arith_uint256 would hold it. */
  readonly target: bigint;
  /** The sign bit (0x00800000) was set on a non-zero mantissa. */
  readonly negative: boolean;
  /** The value does not fit in 256 bits. */
  readonly overflow: boolean;
}

/** Core's arith_uint256::SetCompact. */
export function decodeBits(bits: number): DecodedBits {
  assertU32(bits, 'bits');
  const size = bits >>> 24;
  let word = bits & 0x007fffff;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else {
    target = (BigInt(word) << BigInt(8 * (size - 3))) & MASK_256;
  }
  const negative = word !== 0 && (bits & 0x00800000) !== 0;
  const overflow = word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return { target, negative, overflow };
}

/** The target `bits` encodes; throws `bad-diffbits` when it is negative or overflows. */
export function bitsToTarget(bits: number): bigint {
  const { target, negative, overflow } = decodeBits(bits);
  if (negative) throw new ConsensusError('bad-diffbits', `bits 0x${hex8(bits)} has the sign bit set`);
  if (overflow) throw new ConsensusError('bad-diffbits', `bits 0x${hex8(bits)} overflows 256 bits`);
  return target;
}

/** Core's arith_uint256::GetCompact(fNegative = false): the encoder never sets the sign bit. */
export function targetToBits(target: bigint): number {
  if (typeof target !== 'bigint' || target < 0n || target > MASK_256) {
    throw new RangeError(`target must be a bigint in [0, 2^256), got ${String(target)}`);
  }
  let size = byteLength(target);
  let compact: number;
  if (size <= 3) {
    compact = Number(target) << (8 * (3 - size));
  } else {
    compact = Number(target >> BigInt(8 * (size - 3)));
  }
  // The mantissa is a signed 24-bit number in Core; if its top bit would be set, move one byte up.
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  return ((size << 24) | compact) >>> 0;
}

/** Expected hashes to find a block at `bits`: floor(2^256 / (target + 1)); 0 for malformed bits (Core GetBlockProof). */
export function blockWork(bits: number): bigint {
  const { target, negative, overflow } = decodeBits(bits);
  if (negative || overflow || target === 0n) return 0n;
  return TWO_256 / (target + 1n);
}

/** Difficulty relative to 0x1d00ffff, computed the way Core's GetDifficulty does (in doubles). */
export function difficulty(bits: number): number {
  let shift = (bits >>> 24) & 0xff;
  let diff = 0x0000ffff / (bits & 0x00ffffff);
  while (shift < 29) {
    diff *= 256;
    shift++;
  }
  while (shift > 29) {
    diff /= 256;
    shift--;
  }
  return diff;
}

/**
 * Core's CheckProofOfWork. A malformed target (negative, overflow, zero, above powLimit) is reported as
 * `bad-diffbits` (Core folds it into `high-hash`; naming the field that is wrong is clearer), a hash above a
 * sane target as `high-hash`.
 */
export function checkProofOfWork(hash: DisplayHash, bits: number, params: NetworkParams): void {
  const { target, negative, overflow } = decodeBits(bits);
  if (negative || overflow || target === 0n || target > params.powLimit) {
    throw new ConsensusError('bad-diffbits', invalidTargetMessage(bits, params));
  }
  if (hashToBigInt(hash) > target) throw highHash(hash, bits);
}

/**
 * A compact target resolved once under one network's rules, for callers that check many headers carrying
 * the same bits (the block tree keeps one per bits value it has accepted).
 */
export interface PowTarget {
  readonly bits: number;
  /** Why `bits` is not a valid target for the network (a `bad-diffbits` message), or null when it is. */
  readonly invalid: string | null;
  /**
   * The target as 64 lower-case hex digits, most significant first: the width, alphabet and order of a
   * DisplayHash, so `hash <= target` is a string comparison ('0'-'9' sort before 'a'-'f').
   */
  readonly hex: string;
  /** blockWork(bits). */
  readonly work: bigint;
}

export function powTargetFromBits(bits: number, params: NetworkParams): PowTarget {
  const { target, negative, overflow } = decodeBits(bits);
  const invalid =
    negative || overflow || target === 0n || target > params.powLimit
      ? invalidTargetMessage(bits, params)
      : null;
  return { bits, invalid, hex: target.toString(16).padStart(64, '0'), work: blockWork(bits) };
}

/**
 * checkProofOfWork against a resolved target: the same rules and reasons, with no BigInt per call: the
 * comparison of two 64-char strings allocates nothing (see docs/decisions.md, "Verifying headers without
 * allocating").
 */
export function checkProofOfWorkAgainst(hash: DisplayHash, target: PowTarget): void {
  if (target.invalid !== null) throw new ConsensusError('bad-diffbits', target.invalid);
  if (hash > target.hex) throw highHash(hash, target.bits);
}

function invalidTargetMessage(bits: number, params: NetworkParams): string {
  return `bits 0x${hex8(bits)} is not a valid target for ${params.name}`;
}

function highHash(hash: DisplayHash, bits: number): ConsensusError {
  return new ConsensusError('high-hash', `hash ${hash} is above the target of bits 0x${hex8(bits)}`);
}

/** True when the hash meets a sane target (no throw; for miners and the CLI). */
export function meetsTarget(hash: DisplayHash, bits: number, params: NetworkParams): boolean {
  try {
    checkProofOfWork(hash, bits, params);
    return true;
  } catch {
    return false;
  }
}

export interface RetargetWindow {
  /** Bits of the last block of the window (height h-1). */
  readonly lastBits: number;
  /** Time of block h-interval (the off-by-one: the window spans interval-1 gaps). */
  readonly firstTime: number;
  /** Time of block h-1. */
  readonly lastTime: number;
}

/**
 * Core's CalculateNextWorkRequired for one window: the timespan clamped to [T/4, 4T], the new target
 * scaled by it and capped at powLimit. BigInt arithmetic is exact where Core's 256-bit intermediate could
 * overflow (only possible for easy powLimits like regtest's, which Core never retargets).
 */
export function retargetBits(window: RetargetWindow, params: NetworkParams): number {
  const timespan = params.targetSpacing * params.retargetInterval;
  let actual = window.lastTime - window.firstTime;
  const min = Math.trunc(timespan / 4);
  const max = timespan * 4;
  if (actual < min) actual = min;
  if (actual > max) actual = max;
  let target = bitsToTarget(window.lastBits);
  target = (target * BigInt(actual)) / BigInt(timespan);
  if (target > params.powLimit) target = params.powLimit;
  return targetToBits(target);
}

function byteLength(n: bigint): number {
  return n === 0n ? 0 : Math.ceil(n.toString(16).length / 2);
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
