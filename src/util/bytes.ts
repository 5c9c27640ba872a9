/**
 * Byte helpers with no domain knowledge. Hex codecs come from @noble/hashes (audited, exact errors);
 * what is added here is input checking with messages that say what was expected.
 */
import {
  bytesToHex as nobleBytesToHex,
  concatBytes,
  hexToBytes as nobleHexToBytes,
} from '@noble/hashes/utils.js';

export { concatBytes };

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** Lower-case hex of `bytes`, in the order they are stored. */
export function bytesToHex(bytes: Uint8Array): string {
  return nobleBytesToHex(bytes);
}

/** Bytes of an even-length hex string; throws a TypeError naming `what` on anything else. */
export function hexToBytes(hex: string, what = 'hex string'): Uint8Array {
  if (typeof hex !== 'string')
    throw new TypeError(`${what} must be a string of hex digits, got ${typeof hex}`);
  if (!HEX_RE.test(hex)) {
    throw new TypeError(
      `${what} must be an even number of hex digits [0-9a-f], got ${JSON.stringify(hex.slice(0, 20))}`,
    );
  }
  return nobleHexToBytes(hex);
}

/** A reversed copy (display order <-> internal order for Bitcoin hashes). */
export function reverseBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[bytes.length - 1 - i]!;
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function readU32LE(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>>
    0
  );
}

export function writeU32LE(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

/** Checks that `value` is an integer in [0, 2^32) and returns it; `what` names it in the RangeError. */
export function assertU32(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${what} must be an integer in [0, 2^32), got ${String(value)}`);
  }
  return value;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A byte count for messages: `64 MiB`, `64 KiB`, or `1000 bytes` when not a whole number of either. */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
