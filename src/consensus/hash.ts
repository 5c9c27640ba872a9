/**
 * Hashes and the two byte orders of a Bitcoin hash.
 *
 * A double-SHA-256 digest is used in *internal* order (as produced, as serialised inside headers and
 * outpoints) and shown in *display* order (byte-reversed, as block explorers and Bitcoin Core's RPC print
 * it: `000000000019d6...`). Mixing the two is the classic bug, so each has its own branded type and the only
 * way between them is `displayFromInternal` / `internalFromDisplay`.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes, reverseBytes } from '../util/bytes.ts';

declare const displayBrand: unique symbol;
declare const internalBrand: unique symbol;

/** 64 lower-case hex chars, display order (byte-reversed digest). */
export type DisplayHash = string & { readonly [displayBrand]: true };
/** 32 bytes, internal order (the digest exactly as SHA-256 produced it). */
export type InternalHash = Uint8Array & { readonly [internalBrand]: true };

export const ZERO_HASH = '0'.repeat(64) as DisplayHash;

export { sha256 };

/** Bitcoin's hash256: SHA-256 applied twice (used for headers, txids and merkle nodes). */
export function hash256(data: Uint8Array): InternalHash {
  return sha256(sha256(data)) as InternalHash;
}

export function displayFromInternal(hash: Uint8Array): DisplayHash {
  if (hash.length !== 32) throw new RangeError(`a hash is 32 bytes, got ${hash.length}`);
  return displayFromInternalAt(hash, 0);
}

const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * The display-order hex of the 32-byte internal-order hash at `bytes[offset]`, built in one pass with no
 * reversed copy (a header check calls this for every header hash and merkle root).
 */
export function displayFromInternalAt(bytes: Uint8Array, offset: number): DisplayHash {
  if (!Number.isInteger(offset) || offset < 0 || offset + 32 > bytes.length) {
    throw new RangeError(`no 32-byte hash at offset ${offset} of ${bytes.length} bytes`);
  }
  const codes = new Array<number>(64);
  for (let i = 0; i < 32; i++) {
    const b = bytes[offset + 31 - i]!;
    codes[2 * i] = HEX_CODES[b >>> 4]!;
    codes[2 * i + 1] = HEX_CODES[b & 15]!;
  }
  return String.fromCharCode.apply(null, codes) as DisplayHash;
}

const HASH_RE = /^[0-9a-f]{64}$/;

/** Checks and normalises (lower-case) a display-order hash given as text. */
export function parseDisplayHash(hex: string, what = 'hash'): DisplayHash {
  if (typeof hex !== 'string') throw new TypeError(`${what} must be 64 hex digits, got ${typeof hex}`);
  const lower = hex.toLowerCase();
  if (!HASH_RE.test(lower))
    throw new TypeError(`${what} must be 64 hex digits, got ${JSON.stringify(hex.slice(0, 70))}`);
  return lower as DisplayHash;
}

export function isDisplayHash(value: unknown): value is DisplayHash {
  return typeof value === 'string' && HASH_RE.test(value);
}

export function internalFromDisplay(hash: DisplayHash | string, what = 'hash'): InternalHash {
  return reverseBytes(hexToBytes(parseDisplayHash(hash, what), what)) as InternalHash;
}

/** The hash as a 256-bit unsigned integer (Bitcoin reads the digest little-endian). */
export function hashToBigInt(hash: DisplayHash): bigint {
  return BigInt(`0x${hash}`);
}
