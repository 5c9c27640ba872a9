/**
 * Quick single-thread throughput of the native kernel: `node --import tsx bench/native-quick.ts [seconds]`
 * after `npm run build` (it loads the built wrapper in dist/).
 * Scans with target 0 (nothing matches, so every nonce is hashed) in chunks of 2^20 nonces for about 2 s
 * after a short warm-up, and prints MH/s. Exits 1 with the reason when the kernel is unavailable.
 */
import { createNativeKernel, nativeAvailability } from '../dist/mining/kernels/native.js';

const seconds = Number(process.argv[2] ?? 2);
const availability = nativeAvailability();
if (!availability.available) {
  console.error(`native kernel unavailable: ${availability.reason}`);
  process.exit(1);
}

const kernel = createNativeKernel();
const header = Uint8Array.from({ length: 80 }, (_, i) => (i * 31 + 7) & 0xff);
const target = new Uint8Array(32); // 0: no hash meets it
const CHUNK = 1 << 20;

let nonce = 0;
const scanChunk = (): number => {
  const r = kernel.scan(header, target, nonce, CHUNK);
  nonce = (nonce + CHUNK) % 2 ** 32;
  return r.hashes;
};

for (let i = 0; i < 4; i++) scanChunk(); // warm-up

let hashes = 0;
const t0 = process.hrtime.bigint();
let elapsed = 0;
while (elapsed < seconds) {
  hashes += scanChunk();
  elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
}
console.log(
  `native (SHA-NI, 1 thread): ${(hashes / elapsed / 1e6).toFixed(2)} MH/s ` +
    `(${hashes.toLocaleString('en-US')} hashes in ${elapsed.toFixed(2)} s)`,
);
