/**
 * `npm run bench -- headers`: how fast `chainsim headers verify` checks headers.
 * Target (issue 2): at least 100,000 headers/s.
 *
 * Two inputs: the 439 real mainnet headers (verified in-process, repeatedly), and a generated regtest chain
 * of 200,000 headers verified by the real command (dist/cli/main.js), whose own timing excludes Node's
 * start-up; the wall time of the whole process is reported beside it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyHeaders } from '../src/chain/headers.ts';
import {
  bitsToTarget,
  encodeHeader,
  hash256,
  displayFromInternal,
  hashToBigInt,
  networks,
  decodeBlock,
  type BlockHeader,
} from '../src/consensus/index.ts';
import { readFileSync } from 'node:fs';
import { clearProgress, machine, printTable, progress, writeResults } from './lib.ts';

const GENERATED = 200_000;
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function generateRegtestHeaders(n: number): Uint8Array {
  const params = networks.regtest;
  const target = bitsToTarget(params.powLimitBits);
  const out = new Uint8Array(n * 80);
  let prev: BlockHeader = decodeBlock(params.genesisBlock).header;
  out.set(encodeHeader(prev), 0);
  for (let i = 1; i < n; i++) {
    let bytes: Uint8Array;
    let header: BlockHeader;
    let nonce = 0;
    const prevHash = displayFromInternal(hash256(out.subarray((i - 1) * 80, i * 80)));
    for (;;) {
      header = { ...prev, prevHash, merkleRoot: prevHash, time: prev.time + 1, nonce: nonce++ };
      bytes = encodeHeader(header);
      if (hashToBigInt(displayFromInternal(hash256(bytes))) <= target) break;
    }
    out.set(bytes, i * 80);
    prev = header;
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
  let t0 = performance.now();
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
  progress(`chainsim headers verify ${GENERATED} regtest headers`);
  t0 = performance.now();
  const out = execFileSync(process.execPath, [CLI, 'headers', 'verify', file, '--json'], {
    encoding: 'utf8',
  });
  const wall = (performance.now() - t0) / 1000;
  clearProgress();
  const parsed = JSON.parse(out) as { ok: boolean; count: number; seconds: number };
  if (!parsed.ok || parsed.count !== GENERATED) throw new Error(`generated headers failed to verify: ${out}`);
  rmSync(dir, { recursive: true, force: true });
  const cliRate = GENERATED / parsed.seconds;

  const results = {
    target: { headersPerSecond: 100_000 },
    mainnet439InProcess: { headers: 439, rounds, headersPerSecond: Math.round(realRate) },
    cli: {
      command: `chainsim headers verify <${GENERATED} regtest headers> --json`,
      headers: GENERATED,
      verifySeconds: parsed.seconds,
      headersPerSecond: Math.round(cliRate),
      wallSecondsIncludingStartup: Number(wall.toFixed(3)),
      wallHeadersPerSecond: Math.round(GENERATED / wall),
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
        Math.round(cliRate).toLocaleString('en'),
        `verify time ${parsed.seconds.toFixed(3)} s`,
      ],
      [
        'regtest, CLI incl. start-up',
        GENERATED.toLocaleString('en'),
        Math.round(GENERATED / wall).toLocaleString('en'),
        `wall ${wall.toFixed(3)} s`,
      ],
    ],
  );
  console.log(`wrote ${writeResults('headers', results)}`);
}
