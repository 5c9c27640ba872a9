/**
 * The wasm-simd proof-of-work kernel (AssemblyScript, compiled by `npm run build:wasm` to build/pow.wasm).
 *
 * Contract (see src/mining/kernels/types.ts; src/mining/kernels/wasm.ts is the only caller):
 *   the caller writes the 80-byte header at headerPtr() and the 32-byte little-endian target at targetPtr(),
 *   then scan(first, last) returns 1 when some nonce in [first, last] (inclusive, first <= last) has
 *   SHA-256d(header with that nonce) <= target (both read as 256-bit little-endian integers), with the
 *   LOWEST such nonce in foundNonce(); else 0. An inclusive last nonce always fits in a u32, where a count
 *   or an exclusive end can be 2^32, so every range is one call.
 *
 * Shape: four nonces per iteration, one per i32x4 lane, through a hand-written one-round-per-iteration loop
 * over a message schedule kept in linear memory. It beat both a fully unrolled loop and the eight-rounds,
 * rotated-names variant that helps the js kernel (see docs/decisions.md, "Kernel shapes").
 *
 * SHA-256 per FIPS 180-4: functions §4.1.2, constants §4.2.2, padding §5.1.1, initial value §5.3.3,
 * computation §6.2.2. Work skipped because it does not depend on the nonce or is never read:
 *   - the first 64 header bytes are compressed once per scan (the midstate);
 *   - in the header's second block, rounds 0..2 read only W0..W2 (merkle tail, time, bits), and W16, W17
 *     do not read W3 (the nonce), so all of that is computed once per scan as well;
 *   - of the second hash only digest word H7 is needed per lane (see `hash4Top`), and final H7 = IV7 + the
 *     `e` produced by round 60, so rounds 61..63 and schedule words W61..W63 are skipped.
 * A lane whose H7 passes the top-word test is confirmed by a full scalar double hash (`meetsTarget`).
 */

// --- FIPS 180-4 §4.2.2: round constants K0..K63 --------------------------------------------------------
const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

// --- FIPS 180-4 §5.3.3: initial hash value H(0) ----------------------------------------------------------
const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// --- Static buffers (the stub runtime never allocates; everything lives at fixed addresses) ---------------
const HEADER: usize = memory.data(80, 16); // written by the caller
const TARGET: usize = memory.data(32, 16); // written by the caller, little-endian
const MID: usize = memory.data(32, 16); // u32[8]: state after the header's first block
const S3: usize = memory.data(32, 16); // u32[8]: second-block state after rounds 0..2
const WB: usize = memory.data(64 * 4, 16); // u32[64]: scalar schedule of the header's second block
const WC: usize = memory.data(64 * 4, 16); // u32[64]: scalar schedule of the second hash
const ST: usize = memory.data(32, 16); // u32[8]: scalar working state
const W1: usize = memory.data(64 * 16, 16); // v128[64]: schedule of the header's second block, 4 lanes
const W2: usize = memory.data(64 * 16, 16); // v128[64]: schedule of the second hash, 4 lanes
const SV: usize = memory.data(8 * 16, 16); // v128[8]: working state a..h, 4 lanes

let found: u32 = 0;

/** FIPS 180-4 §5.1.1: a 32-byte message pads to one block: 0x80, zeros, then the bit length 256. */
const PAD32_W8: u32 = 0x80000000;
const PAD32_W15: u32 = 256;
/** ... and the 80-byte header's second block holds 16 bytes, then 0x80, zeros, and the bit length 640. */
const PAD80_W4: u32 = 0x80000000;
const PAD80_W15: u32 = 640;

export function headerPtr(): usize {
  return HEADER;
}

export function targetPtr(): usize {
  return TARGET;
}

export function foundNonce(): u32 {
  return found;
}

// ===== Scalar SHA-256 (per scan: midstate; per candidate: the confirming full hash) =====================

/** FIPS 180-4 §6.2.2 step 1: W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16] (§4.1.2 (4.6), (4.7)). */
function expand(w: usize, from: i32, to: i32): void {
  for (let t = from; t < to; t++) {
    const x = load<u32>(w + ((t - 15) << 2));
    const y = load<u32>(w + ((t - 2) << 2));
    const s0 = rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3);
    const s1 = rotr<u32>(y, 17) ^ rotr<u32>(y, 19) ^ (y >>> 10);
    store<u32>(w + (t << 2), s1 + load<u32>(w + ((t - 7) << 2)) + s0 + load<u32>(w + ((t - 16) << 2)));
  }
}

/** FIPS 180-4 §6.2.2 step 3: rounds [from, to) on the state at `s` (u32[8] = a..h), in place. */
function rounds(s: usize, w: usize, from: i32, to: i32): void {
  let a = load<u32>(s, 0);
  let b = load<u32>(s, 4);
  let c = load<u32>(s, 8);
  let d = load<u32>(s, 12);
  let e = load<u32>(s, 16);
  let f = load<u32>(s, 20);
  let g = load<u32>(s, 24);
  let h = load<u32>(s, 28);
  for (let t = from; t < to; t++) {
    // §4.1.2: Σ1 (4.5), Ch (4.2), Σ0 (4.4), Maj (4.3).
    const t1 =
      h +
      (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) +
      ((e & f) ^ (~e & g)) +
      load<u32>(K + (t << 2)) +
      load<u32>(w + (t << 2));
    const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  store<u32>(s, a, 0);
  store<u32>(s, b, 4);
  store<u32>(s, c, 8);
  store<u32>(s, d, 12);
  store<u32>(s, e, 16);
  store<u32>(s, f, 20);
  store<u32>(s, g, 24);
  store<u32>(s, h, 28);
}

/** Once per scan: midstate, the nonce-independent part of the second block, and the lane schedules. */
function setup(): void {
  // First block: header bytes 0..63, words read big-endian (§3.1, §5.2.1).
  for (let i = 0; i < 16; i++) store<u32>(WB + (i << 2), bswap<u32>(load<u32>(HEADER + (i << 2))));
  expand(WB, 16, 64);
  memory.copy(ST, IV, 32);
  rounds(ST, WB, 0, 64);
  // §6.2.2 step 4: H(1) = H(0) + working state.
  for (let i = 0; i < 8; i++) store<u32>(MID + (i << 2), load<u32>(IV + (i << 2)) + load<u32>(ST + (i << 2)));

  // Second block: bytes 64..75, the nonce (W3, filled per lane), padding (§5.1.1).
  for (let i = 0; i < 3; i++) store<u32>(WB + (i << 2), bswap<u32>(load<u32>(HEADER + 64 + (i << 2))));
  store<u32>(WB + 12, 0);
  store<u32>(WB + 16, PAD80_W4);
  for (let i = 5; i < 15; i++) store<u32>(WB + (i << 2), 0);
  store<u32>(WB + 60, PAD80_W15);
  expand(WB, 16, 18); // W16, W17 read W0, W1, W2, W9, W10, W14, W15: never W3
  memory.copy(S3, MID, 32);
  rounds(S3, WB, 0, 3); // rounds 0..2 read W0..W2 only

  for (let i = 0; i < 18; i++) v128.store(W1 + (i << 4), i32x4.splat(load<u32>(WB + (i << 2))));

  // The second hash's block: W0..W7 are the first digest (per lane); the rest is padding.
  v128.store(W2 + (8 << 4), i32x4.splat(PAD32_W8));
  for (let i = 9; i < 15; i++) v128.store(W2 + (i << 4), i32x4.splat(0));
  v128.store(W2 + (15 << 4), i32x4.splat(PAD32_W15));
}

/** Full double hash of one nonce, compared with the whole target (most significant word first). */
function meetsTarget(nonce: u32): bool {
  store<u32>(WB + 12, bswap<u32>(nonce));
  expand(WB, 18, 64);
  memory.copy(ST, S3, 32);
  rounds(ST, WB, 3, 64);
  for (let i = 0; i < 8; i++) store<u32>(WC + (i << 2), load<u32>(MID + (i << 2)) + load<u32>(ST + (i << 2)));
  store<u32>(WC + 32, PAD32_W8);
  for (let i = 9; i < 15; i++) store<u32>(WC + (i << 2), 0);
  store<u32>(WC + 60, PAD32_W15);
  expand(WC, 16, 64);
  memory.copy(ST, IV, 32);
  rounds(ST, WC, 0, 64);
  // Digest bytes 4i..4i+3 are H_i big-endian; as a little-endian integer word i is bswap(H_i).
  for (let i = 7; i >= 0; i--) {
    const h = bswap<u32>(load<u32>(IV + (i << 2)) + load<u32>(ST + (i << 2)));
    const t = load<u32>(TARGET + (i << 2));
    if (h != t) return h < t;
  }
  return true; // equal: hash == target meets it
}

// ===== Four lanes at once (i32x4) =======================================================================

/**
 * ROTR^n (FIPS 180-4 §3.2) on each lane; wasm SIMD has no lane rotate. Binaryen inlines this and bswap4
 * at -O3 without an @inline decorator (the binary is byte-identical with one), and leaving the decorator
 * out keeps this file parseable by Prettier.
 */
function rotr4(x: v128, n: i32): v128 {
  return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n));
}

/** §6.2.2 step 1 on four lanes. */
function expand4(w: usize, from: i32, to: i32): void {
  for (let t = from; t < to; t++) {
    const x = v128.load(w + ((t - 15) << 4));
    const y = v128.load(w + ((t - 2) << 4));
    const s0 = v128.xor(v128.xor(rotr4(x, 7), rotr4(x, 18)), i32x4.shr_u(x, 3));
    const s1 = v128.xor(v128.xor(rotr4(y, 17), rotr4(y, 19)), i32x4.shr_u(y, 10));
    const sum = i32x4.add(
      i32x4.add(s1, v128.load(w + ((t - 7) << 4))),
      i32x4.add(s0, v128.load(w + ((t - 16) << 4))),
    );
    v128.store(w + (t << 4), sum);
  }
}

/** §6.2.2 step 3 on four lanes: rounds [from, to) on the state in SV, in place. */
function rounds4(w: usize, from: i32, to: i32): void {
  let a = v128.load(SV, 0);
  let b = v128.load(SV, 16);
  let c = v128.load(SV, 32);
  let d = v128.load(SV, 48);
  let e = v128.load(SV, 64);
  let f = v128.load(SV, 80);
  let g = v128.load(SV, 96);
  let h = v128.load(SV, 112);
  for (let t = from; t < to; t++) {
    const s1 = v128.xor(v128.xor(rotr4(e, 6), rotr4(e, 11)), rotr4(e, 25));
    const ch = v128.bitselect(f, g, e); // Ch (4.2): e ? f : g, bitwise
    const kw = i32x4.add(v128.load32_splat(K + (t << 2)), v128.load(w + (t << 4)));
    const t1 = i32x4.add(i32x4.add(h, s1), i32x4.add(ch, kw));
    const s0 = v128.xor(v128.xor(rotr4(a, 2), rotr4(a, 13)), rotr4(a, 22));
    const maj = v128.bitselect(b, c, v128.xor(a, c)); // Maj (4.3): where a != c, b decides; else a (= c)
    h = g;
    g = f;
    f = e;
    e = i32x4.add(d, t1);
    d = c;
    c = b;
    b = a;
    a = i32x4.add(t1, i32x4.add(s0, maj));
  }
  v128.store(SV, a, 0);
  v128.store(SV, b, 16);
  v128.store(SV, c, 32);
  v128.store(SV, d, 48);
  v128.store(SV, e, 64);
  v128.store(SV, f, 80);
  v128.store(SV, g, 96);
  v128.store(SV, h, 112);
}

/** Byte-swaps each 32-bit lane. */
function bswap4(x: v128): v128 {
  return i8x16.shuffle(x, x, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
}

/**
 * The most significant 32 bits (as the little-endian comparison reads them) of SHA-256d for nonces
 * n, n+1, n+2, n+3 (wrapping mod 2^32; the caller masks lanes past the range).
 */
function hash4Top(n: u32): v128 {
  const nonces = i32x4.add(i32x4.splat(n), i32x4(0, 1, 2, 3));
  v128.store(W1 + (3 << 4), bswap4(nonces)); // bytes 76..79 little-endian, read big-endian as W3
  expand4(W1, 18, 64);
  for (let i = 0; i < 8; i++) v128.store(SV + (i << 4), i32x4.splat(load<u32>(S3 + (i << 2))));
  rounds4(W1, 3, 64);
  for (let i = 0; i < 8; i++) {
    const hi = i32x4.add(v128.load(SV + (i << 4)), i32x4.splat(load<u32>(MID + (i << 2))));
    v128.store(W2 + (i << 4), hi); // the first digest is the second hash's message, word for word
  }
  expand4(W2, 16, 61);
  for (let i = 0; i < 8; i++) v128.store(SV + (i << 4), i32x4.splat(load<u32>(IV + (i << 2))));
  rounds4(W2, 0, 61);
  // After round 60, `e` is what rounds 61..63 shift into `h`: final H7 = IV7 + e.
  const h7 = i32x4.add(v128.load(SV, 64), i32x4.splat(load<u32>(IV, 28)));
  // Digest bytes 28..31 are H7 big-endian and the most significant bytes of the little-endian integer.
  return bswap4(h7);
}

/** See the file comment. Requires first <= last. */
export function scan(first: u32, last: u32): i32 {
  setup();
  const top = i32x4.splat(load<u32>(TARGET, 28));
  let n = first;
  while (true) {
    // A lane whose top word is below the target's meets it; equal needs the full compare. Both go to
    // meetsTarget, which also confirms the rare equal case; lanes are tried lowest nonce first.
    let mask = i32x4.bitmask(i32x4.le_u(hash4Top(n), top));
    const left = last - n; // lanes 0..left are in range; never wraps, as n <= last
    if (left < 3) mask &= (2 << left) - 1;
    while (mask != 0) {
      const lane = ctz<i32>(mask);
      if (meetsTarget(n + lane)) {
        found = n + lane;
        return 1;
      }
      mask &= mask - 1;
    }
    if (left <= 3) return 0;
    n += 4; // n + 4 <= last, so no wrap either
  }
}
