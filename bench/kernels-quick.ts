/**
 * Quick single-thread throughput of the js and wasm-simd kernels (`npm run bench -- mining` is the full one).
 * Run: node --import tsx bench/kernels-quick.ts [seconds-per-kernel, default 2], after `npm run build`: it
 * runs the built kernels in dist/ (see docs/decisions.md, "Benchmarks run the built code").
 * Each kernel scans a random header with an impossible target (all zero bytes: no hash is <= 0 save the
 * all-zero one), so every nonce is hashed, in chunks so the clock is checked between them.
 */
import { randomBytes } from 'node:crypto';
import { createJsKernel } from '../dist/mining/kernels/js.js';
import type { Kernel } from '../dist/mining/kernels/types.js';
import { createWasmKernel } from '../dist/mining/kernels/wasm.js';

const seconds = Number(process.argv[2] ?? 2);

function measure(kernel: Kernel, chunk: number): number {
  const header = randomBytes(80);
  const target = new Uint8Array(32);
  kernel.scan(header, target, 0, chunk); // warm-up: let the JIT tier up before the clock starts
  let hashes = 0;
  let nonce = chunk;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(seconds * 1e9));
  let now = t0;
  while (now < deadline) {
    hashes += kernel.scan(header, target, nonce, chunk).hashes;
    nonce += chunk;
    now = process.hrtime.bigint();
  }
  return hashes / (Number(now - t0) / 1e9) / 1e6;
}

for (const [kernel, chunk] of [
  [createJsKernel(), 50_000],
  [createWasmKernel(), 200_000],
] as const) {
  console.log(`${kernel.name.padEnd(10)} ${measure(kernel, chunk).toFixed(3)} MH/s (1 thread, ${seconds} s)`);
}
