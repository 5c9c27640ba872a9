/*
 * Double SHA-256 nonce scan with the Intel SHA extensions (SHA-NI).
 *
 * References:
 *   [FIPS] FIPS 180-4, Secure Hash Standard (NIST, 2015): 4.2.2 constants K, 5.1.1 padding, 5.3.3 initial
 *          hash value H(0), 6.2.2 the SHA-256 compression (message schedule W0..W63 and 64 rounds).
 *   [INTEL] S. Gulley et al., "Intel SHA Extensions: New Instructions Supporting the Secure Hash Algorithm on
 *          Intel Architecture Processors" (Intel white paper, 2013), and the Intel SDM vol. 2 entries for
 *          SHA256RNDS2, SHA256MSG1, SHA256MSG2. The state layout (ABEF/CDGH) and the schedule idiom below
 *          are the ones that paper uses.
 *
 * The header is 80 bytes, so hash 1 is two 64-byte blocks; hash 2 is one block (32 bytes + padding).
 * Block 1 (header bytes 0..63) does not depend on the nonce: it is compressed once per call (the
 * "midstate"). Per nonce we compress block 2 of hash 1 and the single block of hash 2: 128 rounds.
 *
 * Only the functions marked SHANI use SSE4.1/SSSE3/SHA instructions; they are compiled for those ISA
 * extensions by a target attribute rather than -msha for the whole addon, so the compiler cannot emit SHA
 * or SSE4.1 instructions anywhere else, and the module still loads (and reports "no SHA") on CPUs without
 * them. addon.c calls chainsim_scan_shani only after chainsim_cpu_has_sha() returned 1.
 */
#include "sha256d_shani.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>
#include <immintrin.h>

#define SHANI __attribute__((target("sha,sse4.1,ssse3")))

int chainsim_cpu_has_sha(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  /* CPUID.1:ECX bit 9 = SSSE3 (pshufb, palignr), bit 19 = SSE4.1 (pinsrd, pblendw). */
  if (!(c & (1u << 9)) || !(c & (1u << 19))) return 0;
  /* CPUID.(EAX=7,ECX=0):EBX bit 29 = SHA (Intel SDM vol. 2A, CPUID, "Structured Extended Feature Flags").
   * __get_cpuid_count returns 0 when leaf 7 is above the maximum supported leaf. */
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
  return (b & (1u << 29)) ? 1 : 0;
}

/* [FIPS] 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t K256[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/*
 * State layout [INTEL]: SHA256RNDS2 takes the eight working variables as two registers, ABEF = (A,B,E,F)
 * and CDGH = (C,D,G,H), listed from the most significant 32-bit lane down, so F and H sit in lane 0.
 * A message vector holds W[t..t+3] with W[t] in lane 0.
 */

/*
 * Two independent hashes ("lanes" a and b, two nonces) go through every step side by side. Each
 * SHA256RNDS2 (two rounds) needs the result of the one before, and its latency is longer than its issue
 * interval, so one hash alone leaves the SHA unit idle part of the time (two lanes measured 1.45x to 1.8x
 * one: see docs/decisions.md, "Kernel shapes").
 */

/* Four rounds t = 4i .. 4i+3 [FIPS 6.2.2 step 3] for both lanes. SHA256RNDS2 does two rounds with W+K from
 * lanes 0 and 1 of its third operand (implicit XMM0), so lanes 2 and 3 are shuffled down for the second
 * pair. Before and after, a0/b0 hold ABEF and a1/b1 CDGH. */
#define ROUNDS4(i, am, bm)                                                              \
  do {                                                                                  \
    const __m128i k_ = _mm_load_si128((const __m128i *)&K256[4 * (i)]);                 \
    const __m128i awk_ = _mm_add_epi32((am), k_), bwk_ = _mm_add_epi32((bm), k_);       \
    a1 = _mm_sha256rnds2_epu32(a1, a0, awk_);                                           \
    b1 = _mm_sha256rnds2_epu32(b1, b0, bwk_);                                           \
    a0 = _mm_sha256rnds2_epu32(a0, a1, _mm_shuffle_epi32(awk_, 0x0E));                  \
    b0 = _mm_sha256rnds2_epu32(b0, b1, _mm_shuffle_epi32(bwk_, 0x0E));                  \
  } while (0)

/* Message schedule [FIPS 6.2.2 step 1]: from W[t-16..t-1] in m0..m3, W[t..t+3] replaces m0.
 * SHA256MSG1 adds sigma0(W[t-15..t-12]) to W[t-16..t-13]; PALIGNR supplies W[t-7..t-4]; SHA256MSG2 adds
 * sigma1 of W[t-2], W[t-1] and of the two words it has just produced [INTEL]. */
#define SCHED(m0, m1, m2, m3)                                                           \
  ((m0) = _mm_sha256msg2_epu32(                                                         \
       _mm_add_epi32(_mm_sha256msg1_epu32((m0), (m1)), _mm_alignr_epi8((m3), (m2), 4)), (m3)))

/* Schedule four more words in both lanes, then four rounds with them. */
#define STEP(i, a0_, a1_, a2_, a3_, b0_, b1_, b2_, b3_)                                 \
  do {                                                                                  \
    SCHED(a0_, a1_, a2_, a3_);                                                          \
    SCHED(b0_, b1_, b2_, b3_);                                                          \
    ROUNDS4(i, a0_, b0_);                                                               \
  } while (0)

/* The 64 rounds of one block in both lanes, without the final feed-forward addition: state in a0/a1 and
 * b0/b1, message W[0..15] in am0..am3 and bm0..bm3 (overwritten by the schedule). */
#define COMPRESS2()                                                                     \
  do {                                                                                  \
    ROUNDS4(0, am0, bm0);                                                               \
    ROUNDS4(1, am1, bm1);                                                               \
    ROUNDS4(2, am2, bm2);                                                               \
    ROUNDS4(3, am3, bm3);                                                               \
    STEP(4, am0, am1, am2, am3, bm0, bm1, bm2, bm3);                                    \
    STEP(5, am1, am2, am3, am0, bm1, bm2, bm3, bm0);                                    \
    STEP(6, am2, am3, am0, am1, bm2, bm3, bm0, bm1);                                    \
    STEP(7, am3, am0, am1, am2, bm3, bm0, bm1, bm2);                                    \
    STEP(8, am0, am1, am2, am3, bm0, bm1, bm2, bm3);                                    \
    STEP(9, am1, am2, am3, am0, bm1, bm2, bm3, bm0);                                    \
    STEP(10, am2, am3, am0, am1, bm2, bm3, bm0, bm1);                                   \
    STEP(11, am3, am0, am1, am2, bm3, bm0, bm1, bm2);                                   \
    STEP(12, am0, am1, am2, am3, bm0, bm1, bm2, bm3);                                   \
    STEP(13, am1, am2, am3, am0, bm1, bm2, bm3, bm0);                                   \
    STEP(14, am2, am3, am0, am1, bm2, bm3, bm0, bm1);                                   \
    STEP(15, am3, am0, am1, am2, bm3, bm0, bm1, bm2);                                   \
  } while (0)

/* ABEF/CDGH -> the hash words in order: *lo = (A,B,C,D), *hi = (E,F,G,H), word 0 in lane 0 (the layout
 * of H[0..7] in memory, and of a message block whose words are those hash words). */
SHANI static inline void state_to_words(__m128i abef, __m128i cdgh, __m128i *lo, __m128i *hi) {
  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  *lo = _mm_blend_epi16(feba, dchg, 0xF0);
  *hi = _mm_alignr_epi8(dchg, feba, 8);
}

/* Loads 16 bytes as four big-endian 32-bit words [FIPS 3.1 item 3], word 0 in lane 0. */
SHANI static inline __m128i load_be(const uint8_t *p) {
  const __m128i bswap32 = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), bswap32);
}

static inline uint32_t load_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* hash <= target, both 256-bit little-endian integers; the hash is given as the final state. The digest
 * is H0..H7 big-endian [FIPS 6.2.2 step 4], so its little-endian word i is bswap(H[i]). */
SHANI static int le_hash_leq_target(__m128i abef, __m128i cdgh, const uint8_t target[32]) {
  uint32_t h[8];
  __m128i lo, hi;
  state_to_words(abef, cdgh, &lo, &hi);
  _mm_storeu_si128((__m128i *)&h[0], lo);
  _mm_storeu_si128((__m128i *)&h[4], hi);
  for (int i = 7; i >= 0; i--) {
    uint32_t hw = __builtin_bswap32(h[i]);
    uint32_t tw = load_le32(target + 4 * i);
    if (hw != tw) return hw < tw;
  }
  return 1; /* equal */
}

/* 1 when lane x's final state (x0 + IV, x1 already + IV) is a hash <= target. top = its little-endian
 * word 7. Decides on the most significant word alone unless it equals the target's. */
#define LANE_MEETS(top, x0, x1)                                                         \
  ((top) < target_top ||                                                                \
   ((top) == target_top && le_hash_leq_target(_mm_add_epi32((x0), iv_abef), (x1), target)))

SHANI int chainsim_scan_shani(const uint8_t header[80], const uint8_t target[32], uint32_t start,
                              uint64_t count, uint32_t *found) {
  /* [FIPS] 5.3.3: H(0), in ABEF/CDGH order. */
  const __m128i iv_abef = _mm_set_epi32(0x6a09e667, (int)0xbb67ae85, 0x510e527f, (int)0x9b05688c);
  const __m128i iv_cdgh = _mm_set_epi32(0x3c6ef372, (int)0xa54ff53a, 0x1f83d9ab, 0x5be0cd19);
  __m128i a0, a1, b0, b1, am0, am1, am2, am3, bm0, bm1, bm2, bm3;

  /* Midstate: hash 1, block 1 = header bytes 0..63, once per call. It goes through the same two-lane code
   * with both lanes equal rather than through a second, one-lane copy of the rounds. */
  a0 = b0 = iv_abef;
  a1 = b1 = iv_cdgh;
  am0 = bm0 = load_be(header);
  am1 = bm1 = load_be(header + 16);
  am2 = bm2 = load_be(header + 32);
  am3 = bm3 = load_be(header + 48);
  COMPRESS2();
  const __m128i mid_abef = _mm_add_epi32(a0, iv_abef);
  const __m128i mid_cdgh = _mm_add_epi32(a1, iv_cdgh);

  /* Hash 1, block 2 [FIPS 5.1.1]: header bytes 64..79 (W0..W3, the nonce is W3), then the 0x80 pad byte
   * (W4 = 0x80000000), zeros, and the message length in bits, 640 = 0x280, in W15. */
  uint8_t tail[16];
  memcpy(tail, header + 64, 12);
  memset(tail + 12, 0, 4);
  const __m128i blk2_w0 = load_be(tail);
  const __m128i blk2_w4 = _mm_set_epi32(0, 0, 0, (int)0x80000000);
  const __m128i blk2_w12 = _mm_set_epi32(0x280, 0, 0, 0);
  /* Hash 2's only block: the 32-byte digest (W0..W7), W8 = 0x80000000, length 256 = 0x100 in W15. */
  const __m128i h2_w8 = _mm_set_epi32(0, 0, 0, (int)0x80000000);
  const __m128i h2_w12 = _mm_set_epi32(0x100, 0, 0, 0);
  const __m128i zero = _mm_setzero_si128();

  /* The most significant 32 bits of the target as a little-endian integer: bytes 28..31. */
  const uint32_t target_top = load_le32(target + 28);

  for (uint64_t i = 0; i < count; i += 2) {
    /* Lane a takes nonce start + i, lane b the next one. When one nonce is left, lane b repeats it and is
     * not looked at (so start + i + 1 is never formed past 2^32 - 1). */
    const uint32_t na = start + (uint32_t)i;
    const int has_b = i + 1 < count; /* (a repeated lane b could not match anyway: lane a did not) */
    const uint32_t nb = has_b ? na + 1 : na;

    /* The nonce is stored little-endian at header bytes 76..79; as a big-endian message word it is
     * bswap(nonce). */
    am0 = _mm_insert_epi32(blk2_w0, (int)__builtin_bswap32(na), 3);
    bm0 = _mm_insert_epi32(blk2_w0, (int)__builtin_bswap32(nb), 3);
    am1 = bm1 = blk2_w4;
    am2 = bm2 = zero;
    am3 = bm3 = blk2_w12;
    a0 = b0 = mid_abef;
    a1 = b1 = mid_cdgh;
    COMPRESS2();
    a0 = _mm_add_epi32(a0, mid_abef);
    a1 = _mm_add_epi32(a1, mid_cdgh);
    b0 = _mm_add_epi32(b0, mid_abef);
    b1 = _mm_add_epi32(b1, mid_cdgh);

    /* Hash 2: its message is hash 1's words (the digest bytes read big-endian are those words again). */
    state_to_words(a0, a1, &am0, &am1);
    state_to_words(b0, b1, &bm0, &bm1);
    am2 = bm2 = h2_w8;
    am3 = bm3 = h2_w12;
    a0 = b0 = iv_abef;
    a1 = b1 = iv_cdgh;
    COMPRESS2();
    a1 = _mm_add_epi32(a1, iv_cdgh);
    b1 = _mm_add_epi32(b1, iv_cdgh);

    /* Early out on the most significant word: little-endian word 7 of the digest is bswap(H7), and H7 is
     * lane 0 of CDGH. Almost every nonce stops here. */
    const uint32_t top_a = __builtin_bswap32((uint32_t)_mm_cvtsi128_si32(a1));
    const uint32_t top_b = __builtin_bswap32((uint32_t)_mm_cvtsi128_si32(b1));
    if (__builtin_expect(top_a > target_top && top_b > target_top, 1)) continue;
    if (LANE_MEETS(top_a, a0, a1)) {
      *found = na;
      return 1;
    }
    if (has_b && LANE_MEETS(top_b, b0, b1)) {
      *found = nb;
      return 1;
    }
  }
  return 0;
}

#else /* not x86: the addon builds and loads, and reports that the CPU has no SHA extensions. */

int chainsim_cpu_has_sha(void) { return 0; }

int chainsim_scan_shani(const uint8_t header[80], const uint8_t target[32], uint32_t start, uint64_t count,
                        uint32_t *found) {
  (void)header, (void)target, (void)start, (void)count, (void)found;
  return 0;
}

#endif
