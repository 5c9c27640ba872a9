/**
 * The proof-of-work kernel contract. Every kernel (js, wasm-simd, native) implements `scan` over the same
 * inputs and must return the same answer; test/integration/mining/kernels-js-wasm.test.ts and test/unit/mining/kernel-native.test.ts
 * check each against node:crypto.
 */

export type KernelName = 'js' | 'wasm-simd' | 'native';
export const KERNEL_NAMES: readonly KernelName[] = ['native', 'wasm-simd', 'js'];

export interface ScanResult {
  /** The lowest nonce in the range whose header hash is <= target, or null when none is. */
  readonly nonce: number | null;
  /** Hashes computed: `count` when nothing was found, else (nonce - startNonce + 1). */
  readonly hashes: number;
}

export interface Kernel {
  readonly name: KernelName;
  /**
   * Scans nonces startNonce, startNonce + 1, ..., startNonce + count - 1 (startNonce + count <= 2^32).
   * `header` is the 80-byte header; its nonce bytes (76..79) are ignored. `target` is 32 bytes in internal
   * (little-endian) order, the order hash256 produces: a hash meets it when, read as a 256-bit
   * little-endian integer, it is <= the target read the same way.
   */
  scan(header: Uint8Array, target: Uint8Array, startNonce: number, count: number): ScanResult;
}

/** The target as 32 little-endian bytes (internal order), as kernels compare it. */
export function targetToInternalBytes(target: bigint): Uint8Array {
  if (target < 0n || target >= 1n << 256n) throw new RangeError('target must be in [0, 2^256)');
  const out = new Uint8Array(32);
  let t = target;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  return out;
}

/** Checks scan arguments once, at the boundary, with messages that name the argument. */
export function checkScanArgs(
  header: Uint8Array,
  target: Uint8Array,
  startNonce: number,
  count: number,
): void {
  if (!(header instanceof Uint8Array) || header.length !== 80) throw new TypeError('header must be 80 bytes');
  if (!(target instanceof Uint8Array) || target.length !== 32) throw new TypeError('target must be 32 bytes');
  if (!Number.isInteger(startNonce) || startNonce < 0 || startNonce > 0xffffffff) {
    throw new RangeError(`startNonce must be in [0, 2^32), got ${startNonce}`);
  }
  if (!Number.isInteger(count) || count < 0 || startNonce + count > 2 ** 32) {
    throw new RangeError(`count must be >= 0 with startNonce + count <= 2^32, got ${count}`);
  }
}
