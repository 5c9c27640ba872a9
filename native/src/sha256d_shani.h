/*
 * chainsim native proof-of-work kernel: double SHA-256 of an 80-byte Bitcoin header with the Intel SHA
 * extensions. Plain C, no Node.js types: addon.c is the only file that talks N-API.
 */
#ifndef CHAINSIM_SHA256D_SHANI_H
#define CHAINSIM_SHA256D_SHANI_H

#include <stdint.h>

/* 1 when this CPU has the SHA extensions (CPUID.(EAX=7,ECX=0):EBX bit 29) and SSE4.1/SSSE3, else 0.
 * Always 0 on non-x86 builds. Safe to call on any CPU. */
int chainsim_cpu_has_sha(void);

/*
 * Scans nonces start, start + 1, ..., start + count - 1 (start + count <= 2^32) and returns 1 with *found set
 * to the LOWEST nonce whose hash256(header with that nonce at bytes 76..79, little-endian) is <= target, both
 * read as 256-bit little-endian integers (byte 31 most significant); returns 0 when none is.
 * header: 80 bytes (bytes 76..79 are ignored); target: 32 bytes. Must only be called when
 * chainsim_cpu_has_sha() returned 1.
 */
int chainsim_scan_shani(const uint8_t header[80], const uint8_t target[32], uint32_t start, uint64_t count,
                        uint32_t *found);

#endif
