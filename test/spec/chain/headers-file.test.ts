import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createHeadersVerifier, verifyHeaders } from '../../../src/chain/headers.ts';
import { networks } from '../../../src/consensus/index.ts';
import { runCli } from '../../helpers/cli.ts';
import { readVector, vectorPath } from '../../helpers/vectors.ts';

const FILE = 'bitcoin-mainnet-headers-0-438.bin';
const TIP = '0000000025c6b644f8add734be7e666fa4afa43ca0204d623a0c0b1fd2104c7a';
const NOW = 1_800_000_000;
const original = new Uint8Array(readVector(FILE));

function tampered(height: number, offset: number, edit: (b: Uint8Array) => void): Uint8Array {
  const copy = original.slice();
  edit(copy.subarray(height * 80 + offset));
  return copy;
}

describe('the 439 real mainnet headers', () => {
  test('verify: count 439, tip 0000000025c6…, chainwork 439 x work(0x1d00ffff)', () => {
    const r = verifyHeaders(original, networks.bitcoin, NOW);
    assert.ok(r.ok);
    assert.equal(r.count, 439);
    assert.equal(r.height, 438);
    assert.equal(r.tip, TIP);
    assert.equal(r.chainwork, 439n * 0x100010001n);
  });
  test('a flipped nonce gives high-hash at that height', () => {
    const r = verifyHeaders(
      tampered(200, 76, (b) => (b[0]! ^= 1)),
      networks.bitcoin,
      NOW,
    );
    assert.deepEqual([r.ok, !r.ok && r.reason, r.height], [false, 'high-hash', 200]);
  });
  test('a broken link gives prev-blk-not-found at that height', () => {
    const r = verifyHeaders(
      tampered(300, 4, (b) => (b[5]! ^= 0x40)),
      networks.bitcoin,
      NOW,
    );
    assert.deepEqual([r.ok, !r.ok && r.reason, r.height], [false, 'prev-blk-not-found', 300]);
  });
  test('a swapped pair of headers breaks the link', () => {
    const copy = original.slice();
    copy.set(original.subarray(11 * 80, 12 * 80), 10 * 80);
    copy.set(original.subarray(10 * 80, 11 * 80), 11 * 80);
    const r = verifyHeaders(copy, networks.bitcoin, NOW);
    assert.deepEqual([r.ok, !r.ok && r.reason, r.height], [false, 'prev-blk-not-found', 10]);
  });
  test('altered bits give bad-diffbits (easier than powLimit, or with the sign bit)', () => {
    for (const bits of [0x1d01ffff, 0x207fffff, 0x1d80ffff]) {
      const r = verifyHeaders(
        tampered(120, 72, (b) => new DataView(b.buffer, b.byteOffset).setUint32(0, bits, true)),
        networks.bitcoin,
        NOW,
      );
      assert.deepEqual(
        [r.ok, !r.ok && r.reason, r.height],
        [false, 'bad-diffbits', 120],
        `bits ${bits.toString(16)}`,
      );
    }
  });
  test('headers from the future are time-too-new against an early clock', () => {
    const r = verifyHeaders(original, networks.bitcoin, 1231006505);
    assert.deepEqual([r.ok, !r.ok && r.reason], [false, 'time-too-new']);
  });
  test('a file that does not start at the network genesis gives bad-genesis at height 0', () => {
    const r = verifyHeaders(original.subarray(80), networks.bitcoin, NOW);
    assert.deepEqual([r.ok, !r.ok && r.reason, r.height], [false, 'bad-genesis', 0]);
    const sim = verifyHeaders(original, networks.sim, NOW);
    assert.deepEqual([sim.ok, !sim.ok && sim.reason], [false, 'bad-genesis']);
  });
  test('a length that is not a multiple of 80 is a RangeError', () => {
    assert.throws(() => verifyHeaders(original.subarray(0, 81), networks.bitcoin, NOW), RangeError);
  });
});

describe('the streaming verifier', () => {
  test('fed in chunks of any size, it gives what one buffer gives, also across a chunk boundary', () => {
    const inputs: Array<[string, Uint8Array, number]> = [
      ['valid', original, NOW],
      ['link broken at 300', tampered(300, 4, (b) => (b[5]! ^= 0x40)), NOW],
      ['nonce flipped at 200', tampered(200, 76, (b) => (b[0]! ^= 1)), NOW],
      ['early clock', original, 1231006505],
      ['not from genesis', original.subarray(80), NOW],
    ];
    for (const [name, data, now] of inputs) {
      const whole = verifyHeaders(data, networks.bitcoin, now);
      // 100 puts header 300 first in its chunk, 1 makes every header its own chunk.
      for (const per of [1, 7, 100, 299, 438, 439]) {
        const verifier = createHeadersVerifier({ params: networks.bitcoin, now, total: data.length / 80 });
        for (let at = 0; at < data.length; at += per * 80) {
          if (verifier.push(data.subarray(at, Math.min(data.length, at + per * 80)))) break;
        }
        assert.deepEqual(verifier.finish(), whole, `${name}, ${per} header(s) a chunk`);
      }
    }
  });
  test('a chunk that is not whole headers, or more headers than the total, is a RangeError', () => {
    const verifier = createHeadersVerifier({ params: networks.bitcoin, now: NOW, total: 2 });
    assert.throws(() => verifier.push(original.subarray(0, 81)), RangeError);
    assert.throws(() => verifier.push(original.subarray(0, 240)), RangeError);
  });
});

describe('chainsim headers verify (the real command)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chainsim-headers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('exit 0 with the count, tip and chainwork', () => {
    const r = runCli(['headers', 'verify', vectorPath(FILE), '--network', 'bitcoin']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /439/);
    assert.match(r.stdout, new RegExp(TIP));
    assert.match(r.stdout, /00000000000000000000000000000000000000000000000000001b701b701b7/);
  });
  test('--json, and the network is found from the genesis when not given', () => {
    const r = runCli(['headers', 'verify', vectorPath(FILE), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { ok: boolean; count: number; tip: string; network: string };
    assert.deepEqual([out.ok, out.count, out.tip, out.network], [true, 439, TIP, 'bitcoin']);
  });
  test('exit 1 with the height and reason of the first bad header', () => {
    const file = join(dir, 'nonce.bin');
    writeFileSync(
      file,
      tampered(200, 76, (b) => (b[0]! ^= 1)),
    );
    const r = runCli(['headers', 'verify', file, '--network', 'bitcoin']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /height\s+│\s+200/);
    assert.match(r.stdout, /high-hash/);
    const json = runCli(['headers', 'verify', file, '--json']);
    assert.equal(json.status, 1);
    assert.deepEqual(
      (({ ok, height, reason }) => ({ ok, height, reason }))(
        JSON.parse(json.stdout) as { ok: boolean; height: number; reason: string },
      ),
      { ok: false, height: 200, reason: 'high-hash' },
    );
  });
  test('a file over 2 GiB is read in chunks: exit 1 at the first bad header, without a stack trace', () => {
    // Sparse (no disk used): the 439 real headers, then zeros up to just over 2^31 bytes, which
    // readFileSync refuses (ERR_FS_FILE_TOO_LARGE).
    const file = join(dir, 'big.bin');
    const size = Math.ceil(2 ** 31 / 80) * 80;
    writeFileSync(file, original);
    truncateSync(file, size);
    try {
      const r = runCli(['headers', 'verify', file, '--json']);
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stderr, '');
      const out = JSON.parse(r.stdout) as { ok: boolean; count: number; height: number; reason: string };
      assert.deepEqual(
        [out.ok, out.count, out.height, out.reason],
        [false, size / 80, 439, 'prev-blk-not-found'],
      );
      const table = runCli(['headers', 'verify', file]);
      assert.equal(table.status, 1, table.stderr);
      assert.match(table.stdout, /height\s+│\s+439/);
      assert.doesNotMatch(table.stderr, /Error|\bat /);
    } finally {
      rmSync(file, { force: true });
    }
  });
  test('--now must be whole Unix seconds in [0, 2^32): anything else exits 2 naming --now', () => {
    const file = vectorPath(FILE);
    const cases: Array<[string[], RegExp]> = [
      [['--now', 'abc'], /--now must be a whole number from 0 to 4294967295, got "abc"/],
      [['--now', '1.5'], /--now must be a whole number from 0 to 4294967295, got 1\.5/],
      [['--now', '-1'], /--now must be a whole number from 0 to 4294967295, got -1/],
      [['--now', '4294967296'], /--now must be a whole number from 0 to 4294967295, got 4294967296/],
      [['--now'], /--now must be a whole number from 0 to 4294967295, got no value/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['headers', 'verify', file, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
    }
    // A valid clock still applies: the genesis time makes later headers too new.
    const early = runCli(['headers', 'verify', file, '--now', '1231006505', '--json']);
    assert.equal(early.status, 1, early.stderr);
    assert.equal((JSON.parse(early.stdout) as { reason: string }).reason, 'time-too-new');
  });
  test('exit 2 with a clear message: missing file, bad length, empty file, unknown network', () => {
    const missing = runCli(['headers', 'verify', join(dir, 'nope.bin')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*nope\.bin: no such file/);
    const odd = join(dir, 'odd.bin');
    writeFileSync(odd, original.subarray(0, 161));
    const r = runCli(['headers', 'verify', odd]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /161 bytes, which is not a whole number of 80-byte headers/);
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, new Uint8Array(0));
    assert.equal(runCli(['headers', 'verify', empty]).status, 2);
    const net = runCli(['headers', 'verify', vectorPath(FILE), '--network', 'testnet']);
    assert.equal(net.status, 2);
    assert.match(net.stderr, /unknown network "testnet": choose one of bitcoin, sim, regtest/);
  });
});
