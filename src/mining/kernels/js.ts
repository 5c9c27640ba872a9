/**
 * The js kernel: the portable reference, pure TypeScript SHA-256d with a midstate. Slower than wasm-simd
 * but needs nothing built and runs wherever Node does.
 *
 * Per scan call: the header's first 64 bytes are compressed once (the midstate), and in the second block
 * the parts that do not read the nonce word W3 are done once too: rounds 0..2 (they read W0..W2 only) and
 * schedule words W16, W17 (they read W0, W1, W2, W9, W10, W14, W15). Per nonce: rounds 3..63 of that
 * block plus the one-block second hash, and of the second hash only rounds 0..60, because the comparison
 * looks first at digest word H7 and final H7 = IV7 + the `e` that round 60 produces (rounds 61..63 only
 * shift it along to `h`). H7 byte-swapped is the most significant word of the little-endian comparison,
 * so nearly every nonce is rejected on it; only a tie with the target's top word needs the full digest.
 */
import { checkScanArgs, type Kernel, type ScanResult } from './types.ts';
import { addState, bswap32, expand, IV, PAD_BIT, readWordsBE, rounds } from '../../consensus/sha256-block.ts';

/** FIPS 180-4 §5.1.1: bit lengths in the last padding word of the blocks we hash. */
const HEADER_BITS = 80 * 8;
const DIGEST_BITS = 32 * 8;

/** The state of one scan call: midstate, partial second block, target, and scratch space. */
class JsScan {
  /** Schedule of the header's second block: W0..W2 = bytes 64..75, W3 = the nonce, then padding. */
  private readonly wb = new Int32Array(64);
  /** Schedule of the second hash: W0..W7 = the first digest, then padding for a 32-byte message. */
  private readonly wc = new Int32Array(64);
  private readonly mid = new Int32Array(8);
  /** The second block's working state after rounds 0..2. */
  private readonly s3 = new Int32Array(8);
  private readonly st = new Int32Array(8);
  private readonly digest = new Int32Array(8);
  /** The target as eight little-endian 32-bit words, word 7 most significant. */
  readonly target = new Uint32Array(8);

  constructor() {
    this.wc[8] = PAD_BIT;
    this.wc[15] = DIGEST_BITS;
  }

  /** Midstate and everything else that is the same for every nonce of this header. */
  prepare(header: Uint8Array, target: Uint8Array): void {
    const { wb, st, mid, s3 } = this;
    readWordsBE(wb, header, 0, 16);
    expand(wb, 16, 64);
    rounds(st, IV, wb, 0, 64);
    addState(mid, IV, st);

    wb.fill(0);
    readWordsBE(wb, header, 64, 3);
    wb[4] = PAD_BIT;
    wb[15] = HEADER_BITS;
    expand(wb, 16, 18);
    rounds(s3, mid, wb, 0, 3);

    const dv = new DataView(target.buffer, target.byteOffset, 32);
    for (let i = 0; i < 8; i++) this.target[i] = dv.getUint32(4 * i, true);
  }

  /** The first hash for `nonce`; its digest words land in wc[0..7], the second hash's message. */
  private firstHash(nonce: number): void {
    const { wb, st } = this;
    wb[3] = bswap32(nonce); // header bytes 76..79 hold the nonce little-endian; SHA reads them big-endian
    expand(wb, 18, 64);
    rounds(st, this.s3, wb, 3, 64);
    addState(this.wc, this.mid, st);
  }

  /** The most significant 32 bits of the little-endian hash of `nonce`: bswap(H7) as uint32. */
  top(nonce: number): number {
    this.firstHash(nonce);
    expand(this.wc, 16, 61);
    rounds(this.st, IV, this.wc, 0, 61);
    return bswap32((IV[7]! + this.st[4]!) | 0) >>> 0;
  }

  /** Full double hash of `nonce` compared with the whole target, most significant word first. */
  meets(nonce: number): boolean {
    this.firstHash(nonce);
    expand(this.wc, 16, 64);
    rounds(this.st, IV, this.wc, 0, 64);
    addState(this.digest, IV, this.st);
    for (let i = 7; i >= 0; i--) {
      const h = bswap32(this.digest[i]!) >>> 0;
      const t = this.target[i]!;
      if (h !== t) return h < t;
    }
    return true;
  }
}

export function createJsKernel(): Kernel {
  const s = new JsScan();
  return {
    name: 'js',
    scan(header: Uint8Array, target: Uint8Array, startNonce: number, count: number): ScanResult {
      checkScanArgs(header, target, startNonce, count);
      if (count === 0) return { nonce: null, hashes: 0 };
      s.prepare(header, target);
      const top = s.target[7]!;
      const end = startNonce + count;
      for (let n = startNonce; n < end; n++) {
        const h = s.top(n);
        if (h < top || (h === top && s.meets(n))) return { nonce: n, hashes: n - startNonce + 1 };
      }
      return { nonce: null, hashes: count };
    },
  };
}
