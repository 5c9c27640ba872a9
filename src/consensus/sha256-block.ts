/**
 * SHA-256 block pieces (FIPS 180-4), split so a caller can skip work it does not need: the message schedule
 * and the rounds each run over a chosen range of `t`. Used by the js mining kernel (which skips the parts
 * that do not depend on the nonce) and by the allocation-free header hasher (header-hasher.ts). They live in
 * consensus/ so both can use them: imports point down only.
 *
 * Words are held as signed 32-bit integers (`| 0`) in Int32Arrays: V8 keeps those as untagged int32 in
 * optimised code, where uint32 values above 2^31 would fall back to doubles.
 */

/** FIPS 180-4 §4.2.2: round constants K0..K63. */
export const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** FIPS 180-4 §5.3.3: the initial hash value H(0). */
export const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** FIPS 180-4 §5.1.1 padding words: 0x80 after the message, then its length in bits in the last word. */
export const PAD_BIT = 0x80000000 | 0;

/** Byte-swaps a 32-bit word: big-endian SHA words <-> little-endian memory and integers. */
export function bswap32(x: number): number {
  return (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24) | 0;
}

/** Reads `n` big-endian words from `bytes` at `offset` into `w` (FIPS 180-4 §3.1, §5.2.1). */
export function readWordsBE(w: Int32Array, bytes: Uint8Array, offset: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const p = offset + 4 * i;
    w[i] = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
  }
}

/**
 * FIPS 180-4 §6.2.2 step 1 for t in [from, to):
 * W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], with σ0, σ1 from §4.1.2 (4.6), (4.7).
 */
export function expand(w: Int32Array, from: number, to: number): void {
  for (let t = from; t < to; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = (s1 + w[t - 7]! + s0 + w[t - 16]!) | 0;
  }
}

/**
 * FIPS 180-4 §6.2.2 steps 2-3: rounds t in [from, to) starting from working state `init` (a..h); the
 * result goes to `s` (which may be `init`). W[t] must already be in `w`. Per round (§4.1.2):
 *   T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t],  T2 = Σ0(a) + Maj(a, b, c),
 *   Σ1(x) = ROTR^6 ^ ROTR^11 ^ ROTR^25 (4.5),  Σ0(x) = ROTR^2 ^ ROTR^13 ^ ROTR^22 (4.4),
 *   Ch(x, y, z) = (x & y) ^ (~x & z) (4.2), written z ^ (x & (y ^ z)): 3 operations, not 4;
 *   Maj(x, y, z) = (x & y) ^ (x & z) ^ (y & z) (4.3), written (x & y) | (z & (x | y)): 4, not 5.
 *
 * Eight rounds per iteration with the variable NAMES rotated instead of the values shifted (a round writes
 * only the new `a` into the old `h`'s variable and the new `e` into `d`'s; after eight the names line up
 * again); Σ0/Σ1/Ch/Maj written out inline, as 32 call sites in one loop body exhaust TurboFan's inlining
 * budget; never unrolled all the way, as V8 does not optimise a function that large. Each was measured
 * against the alternative: see docs/decisions.md, "Kernel shapes".
 */
export function rounds(s: Int32Array, init: Int32Array, w: Int32Array, from: number, to: number): void {
  let a = init[0]!;
  let b = init[1]!;
  let c = init[2]!;
  let d = init[3]!;
  let e = init[4]!;
  let f = init[5]!;
  let g = init[6]!;
  let h = init[7]!;
  const k = K; // a local alias of the module binding
  let t = from;
  let s0 = 0;
  let s1 = 0;
  let t1 = 0;
  for (; t + 8 <= to; t += 8) {
    // round t + 0: (a, b, c, d, e, f, g, h) play (a, b, c, d, e, f, g, h)
    s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    t1 = (h + s1 + (g ^ (e & (f ^ g))) + k[t + 0]! + w[t + 0]!) | 0;
    s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    d = (d + t1) | 0;
    h = (t1 + s0 + ((a & b) | (c & (a | b)))) | 0;
    // round t + 1: (h, a, b, c, d, e, f, g) play (a, b, c, d, e, f, g, h)
    s1 = ((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7));
    t1 = (g + s1 + (f ^ (d & (e ^ f))) + k[t + 1]! + w[t + 1]!) | 0;
    s0 = ((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10));
    c = (c + t1) | 0;
    g = (t1 + s0 + ((h & a) | (b & (h | a)))) | 0;
    // round t + 2: (g, h, a, b, c, d, e, f) play (a, b, c, d, e, f, g, h)
    s1 = ((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7));
    t1 = (f + s1 + (e ^ (c & (d ^ e))) + k[t + 2]! + w[t + 2]!) | 0;
    s0 = ((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10));
    b = (b + t1) | 0;
    f = (t1 + s0 + ((g & h) | (a & (g | h)))) | 0;
    // round t + 3: (f, g, h, a, b, c, d, e) play (a, b, c, d, e, f, g, h)
    s1 = ((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7));
    t1 = (e + s1 + (d ^ (b & (c ^ d))) + k[t + 3]! + w[t + 3]!) | 0;
    s0 = ((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10));
    a = (a + t1) | 0;
    e = (t1 + s0 + ((f & g) | (h & (f | g)))) | 0;
    // round t + 4: (e, f, g, h, a, b, c, d) play (a, b, c, d, e, f, g, h)
    s1 = ((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7));
    t1 = (d + s1 + (c ^ (a & (b ^ c))) + k[t + 4]! + w[t + 4]!) | 0;
    s0 = ((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10));
    h = (h + t1) | 0;
    d = (t1 + s0 + ((e & f) | (g & (e | f)))) | 0;
    // round t + 5: (d, e, f, g, h, a, b, c) play (a, b, c, d, e, f, g, h)
    s1 = ((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7));
    t1 = (c + s1 + (b ^ (h & (a ^ b))) + k[t + 5]! + w[t + 5]!) | 0;
    s0 = ((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10));
    g = (g + t1) | 0;
    c = (t1 + s0 + ((d & e) | (f & (d | e)))) | 0;
    // round t + 6: (c, d, e, f, g, h, a, b) play (a, b, c, d, e, f, g, h)
    s1 = ((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7));
    t1 = (b + s1 + (a ^ (g & (h ^ a))) + k[t + 6]! + w[t + 6]!) | 0;
    s0 = ((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10));
    f = (f + t1) | 0;
    b = (t1 + s0 + ((c & d) | (e & (c | d)))) | 0;
    // round t + 7: (b, c, d, e, f, g, h, a) play (a, b, c, d, e, f, g, h)
    s1 = ((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7));
    t1 = (a + s1 + (h ^ (f & (g ^ h))) + k[t + 7]! + w[t + 7]!) | 0;
    s0 = ((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10));
    e = (e + t1) | 0;
    a = (t1 + s0 + ((b & c) | (d & (b | c)))) | 0;
  }
  for (; t < to; t++) {
    s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    t1 = (h + s1 + (g ^ (e & (f ^ g))) + k[t]! + w[t]!) | 0;
    s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + s0 + ((b & c) | (d & (b | c)))) | 0;
  }
  s[0] = a;
  s[1] = b;
  s[2] = c;
  s[3] = d;
  s[4] = e;
  s[5] = f;
  s[6] = g;
  s[7] = h;
}

/** FIPS 180-4 §6.2.2 step 4: out[i] = (h[i] + s[i]) mod 2^32. */
export function addState(out: Int32Array, h: Int32Array, s: Int32Array): void {
  for (let i = 0; i < 8; i++) out[i] = (h[i]! + s[i]!) | 0;
}
