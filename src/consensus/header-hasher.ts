/**
 * hash256 of 80-byte block headers without allocating, for code that hashes many headers in a row
 * (`chainsim headers verify`, a node syncing headers).
 *
 * Why not `hash256` (noble's sha256, twice): every call allocates two hasher objects, their DataViews and
 * two digests, and that garbage dominated `headers verify` (see docs/decisions.md, "Verifying headers
 * without allocating"). A header is always 80 bytes, so the padding is known in advance and the three
 * compressions (two blocks of the header, one of the 32-byte digest) can run in scratch arrays owned by the
 * hasher.
 *
 * The compression is the js mining kernel's (sha256-block.ts); test/spec/consensus/header-hasher.test.ts checks
 * the result against node:crypto on random headers.
 */
import { addState, expand, IV, PAD_BIT, readWordsBE, rounds } from './sha256-block.ts';

/** FIPS 180-4 §5.1.1: the message length in bits, in the last word of the last padded block. */
const HEADER_BITS = 80 * 8;
const DIGEST_BITS = 32 * 8;

export interface HeaderHasher {
  /**
   * hash256 of the 80 bytes `data[offset .. offset + 80)`, written to `out[outOffset .. outOffset + 32)` in
   * internal order (exactly as `hash256` returns it).
   */
  hashInto(data: Uint8Array, offset: number, out: Uint8Array, outOffset?: number): void;
}

/** A hasher with its own scratch arrays (so there is no module-level state). */
export function createHeaderHasher(): HeaderHasher {
  const w = new Int32Array(64);
  const st = new Int32Array(8);
  const mid = new Int32Array(8);
  return {
    hashInto(data: Uint8Array, offset: number, out: Uint8Array, outOffset = 0): void {
      if (!Number.isInteger(offset) || offset < 0 || offset + 80 > data.length) {
        throw new RangeError(`no 80-byte header at offset ${offset} of ${data.length} bytes`);
      }
      if (!Number.isInteger(outOffset) || outOffset < 0 || outOffset + 32 > out.length) {
        throw new RangeError(`no room for 32 bytes at offset ${outOffset} of ${out.length}`);
      }
      // First SHA-256, block 1: header bytes 0..63 (FIPS 180-4 §6.2.2).
      readWordsBE(w, data, offset, 16);
      expand(w, 16, 64);
      rounds(st, IV, w, 0, 64);
      addState(mid, IV, st);
      // Block 2: header bytes 64..79, the 0x80 pad byte, zeros, the length (§5.1.1).
      readWordsBE(w, data, offset + 64, 4);
      w[4] = PAD_BIT;
      w.fill(0, 5, 15);
      w[15] = HEADER_BITS;
      expand(w, 16, 64);
      rounds(st, mid, w, 0, 64);
      // The first digest's words are the second hash's message words W0..W7: write them there directly.
      addState(w, mid, st);
      w[8] = PAD_BIT;
      w.fill(0, 9, 15);
      w[15] = DIGEST_BITS;
      expand(w, 16, 64);
      rounds(st, IV, w, 0, 64);
      addState(st, IV, st);
      // The digest is the state words, big-endian (§6.2.2 step 4 and §3.1).
      for (let i = 0; i < 8; i++) {
        const v = st[i]!;
        const p = outOffset + 4 * i;
        out[p] = v >>> 24;
        out[p + 1] = v >>> 16;
        out[p + 2] = v >>> 8;
        out[p + 3] = v;
      }
    },
  };
}
