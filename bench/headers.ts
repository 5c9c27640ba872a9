/**
 * `npm run bench -- headers`: how fast `chainsim headers verify` checks headers.
 * Target: at least 100,000 headers/s.
 *
 * Two inputs: the 439 real mainnet headers (verified in-process, repeatedly), and a generated regtest chain
 * of 200,000 headers verified by the real command (dist/cli/main.js) five times, whose own timing excludes
 * Node's start-up; the wall time of the whole process is reported beside it. The machine is shared, so the
 * median and the best run are reported, with the load average.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The BUILT code, not src/ through tsx: tsx's module getters made hot paths about 2x slower (measured).
import { verifyHeaders } from '../dist/chain/headers.js';
import {
  createHeaderHasher,
  decodeBlock,
  encodeHeader,
  networks,
  powTargetFromBits,
  displayFromInternalAt,
} from '../dist/consensus/index.js';
import { clearProgress, load1, machine, median, printTable, progress, writeResults } from './lib.ts';

const GENERATED = 200_000;
const CLI_RUNS = 5;
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** A valid regtest chain of `n` headers from genesis: each names its parent, one second later, PoW met. */
function generateRegtestHeaders(n: number): Uint8Array {
  const params = networks.regtest;
  const target = powTargetFromBits(params.powLimitBits, params).hex;
  const hasher = createHeaderHasher();
  const scratch = new Uint8Array(32);
  const out = new Uint8Array(n * 80);
  out.set(encodeHeader(decodeBlock(params.genesisBlock).header), 0);
  const view = new DataView(out.buffer);
  for (let i = 1; i < n; i++) {
    const at = i * 80;
    out.copyWithin(at, at - 80, at); // version and bits as the parent's
    hasher.hashInto(out, at - 80, out, at + 4); // prevHash
    out.copyWithin(at + 36, at + 4, at + 36); // a merkle root (any 32 bytes will do for headers)
    view.setUint32(at + 68, view.getUint32(at + 68, true) + 1, true); // time
    for (let nonce = 0; ; nonce++) {
      view.setUint32(at + 76, nonce, true);
      hasher.hashInto(out, at, scratch);
      if (displayFromInternalAt(scratch, 0) <= target) break;
    }
    if (i % 20_000 === 0) progress(`generating regtest headers: ${i}/${n}`);
  }
  clearProgress();
  return out;
}
export function run(): void {
  const now = Math.floor(Date.now() / 1000);
  const real = new Uint8Array(
    readFileSync(new URL('../test/vectors/bitcoin-mainnet-headers-0-438.bin', import.meta.url)),
  );
  // Warm up, then time repeated verifications of the real file.
  for (let i = 0; i < 20; i++) verifyHeaders(real, networks.bitcoin, now);
  const rounds = 300;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    const r = verifyHeaders(real, networks.bitcoin, now);
    if (!r.ok) throw new Error(`mainnet headers failed: ${r.reason}`);
    if (i % 50 === 0) progress(`mainnet headers, round ${i}/${rounds}`);
  }
  const realRate = (rounds * real.length) / 80 / ((performance.now() - t0) / 1000);
  clearProgress();

  const data = generateRegtestHeaders(GENERATED);
  const dir = mkdtempSync(join(tmpdir(), 'chainsim-bench-'));
  const file = join(dir, 'regtest-headers.bin');
  writeFileSync(file, data);
  // The machine is shared: run the real command several times and report the median and the best.
  const runs: Array<{ verifySeconds: number; wallSeconds: number; load1: number }> = [];
  try {
    for (let i = 0; i < CLI_RUNS; i++) {
      progress(
        `chainsim headers verify ${GENERATED} regtest headers: run ${i + 1}/${CLI_RUNS} (load ${load1()})`,
      );
      const t0 = performance.now();
      const out = execFileSync(process.execPath, [CLI, 'headers', 'verify', file, '--json'], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      const wall = (performance.now() - t0) / 1000;
      const parsed = JSON.parse(out) as { ok: boolean; count: number; seconds: number };
      if (!parsed.ok || parsed.count !== GENERATED)
        throw new Error(`generated headers failed to verify: ${out}`);
      runs.push({ verifySeconds: parsed.seconds, wallSeconds: wall, load1: Number(load1()) });
    }
  } finally {
    clearProgress();
    rmSync(dir, { recursive: true, force: true });
  }
  const verifySeconds = median(runs.map((r) => r.verifySeconds));
  const bestSeconds = Math.min(...runs.map((r) => r.verifySeconds));
  const wall = median(runs.map((r) => r.wallSeconds));

  const results = {
    target: { headersPerSecond: 100_000 },
    mainnet439InProcess: { headers: 439, rounds, headersPerSecond: Math.round(realRate) },
    cli: {
      command: `chainsim headers verify <${GENERATED} regtest headers> --json`,
      headers: GENERATED,
      // Medians over the runs; each run's own figures are in `runs`.
      verifySeconds: Number(verifySeconds.toFixed(4)),
      headersPerSecond: Math.round(GENERATED / verifySeconds),
      bestHeadersPerSecond: Math.round(GENERATED / bestSeconds),
      wallSecondsIncludingStartup: Number(wall.toFixed(3)),
      wallHeadersPerSecond: Math.round(GENERATED / wall),
      runs: runs.map((r) => ({
        verifySeconds: Number(r.verifySeconds.toFixed(4)),
        wallSeconds: Number(r.wallSeconds.toFixed(3)),
        load1: r.load1,
      })),
    },
    machine: machine(),
    date: new Date().toISOString(),
  };
  printTable(
    'headers verify (target >= 100,000 headers/s)',
    ['input', 'headers', 'headers/s', 'note'],
    [
      [
        'mainnet 0..438, in-process',
        `439 x ${rounds}`,
        Math.round(realRate).toLocaleString('en'),
        'bitcoin rules',
      ],
      [
        'regtest, chainsim CLI',
        GENERATED.toLocaleString('en'),
        Math.round(GENERATED / verifySeconds).toLocaleString('en'),
        `median of ${CLI_RUNS}: ${verifySeconds.toFixed(3)} s; best ${Math.round(GENERATED / bestSeconds).toLocaleString('en')}/s`,
      ],
      [
        'regtest, CLI incl. start-up',
        GENERATED.toLocaleString('en'),
        Math.round(GENERATED / wall).toLocaleString('en'),
        `median wall ${wall.toFixed(3)} s`,
      ],
    ],
  );
  console.log(`load average ${results.machine.loadavg.join(' ')} on ${results.machine.cpus} cores`);
  console.log(`wrote ${writeResults('headers', results)}`);
}
