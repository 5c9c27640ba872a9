import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  ConsensusError,
  decodeHeader,
  displayFromInternal,
  encodeHeader,
  hash256,
  headerHash,
  internalFromDisplay,
  sha256,
} from '../../../src/consensus/index.ts';
import { bytesToHex, hexToBytes, utf8 } from '../../../src/util/bytes.ts';
import { publicVectors } from '../../helpers/vectors.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

describe('SHA-256 known answers (FIPS 180-4, Core crypto_tests)', () => {
  for (const kat of publicVectors.sha256_kat) {
    if (kat.sha256 === undefined) continue;
    test(`${kat.message.slice(0, 40)} (${kat.length} bytes)`, () => {
      const msg = kat.message === "'a' x 1,000,000" ? utf8('a'.repeat(1_000_000)) : utf8(kat.message);
      assert.equal(msg.length, kat.length);
      assert.equal(bytesToHex(sha256(msg)), kat.sha256);
    });
  }
  test('hash256 of the genesis header is the raw digest; display order is its reverse', () => {
    const kat = publicVectors.sha256_kat.find((k) => k.sha256d !== undefined)!;
    const genesis = hexToBytes(publicVectors.headers[0]!.header);
    assert.equal(bytesToHex(hash256(genesis)), kat.sha256d);
    assert.equal(displayFromInternal(hash256(genesis)), publicVectors.headers[0]!.hash);
  });
  test('hash256 matches node:crypto on random inputs (differential)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        const ref = createHash('sha256').update(createHash('sha256').update(data).digest()).digest('hex');
        assert.equal(bytesToHex(hash256(data)), ref);
      }),
    );
  });
});

describe('display vs internal order', () => {
  test('round-trips and reverses bytes', () => {
    const display = publicVectors.headers[0]!.hash;
    const internal = internalFromDisplay(display);
    assert.equal(internal[31], 0x00);
    assert.equal(internal[0], 0x6f);
    assert.equal(displayFromInternal(internal), display);
  });
  test('rejects hashes that are not 64 hex digits', () => {
    assert.throws(() => internalFromDisplay('abc'), TypeError);
    assert.throws(() => internalFromDisplay('zz'.repeat(32)), TypeError);
  });
});

describe('80-byte header codec against real mainnet headers', () => {
  for (const v of publicVectors.headers) {
    test(`height ${v.height} ${v.hash.slice(0, 16)}…`, () => {
      const h = decodeHeader(v.header);
      assert.deepEqual(
        { ...h },
        {
          version: v.version,
          prevHash: v.prevHash,
          merkleRoot: v.merkleRoot,
          time: v.time,
          bits: Number(v.bits),
          nonce: v.nonce,
        },
      );
      assert.equal(headerHash(v.header), v.hash);
      assert.equal(headerHash(hexToBytes(v.header)), v.hash);
      assert.equal(bytesToHex(encodeHeader(h)), v.header);
    });
  }
  test('rejects a header of the wrong length with bad-encoding', () => {
    for (const bad of ['00'.repeat(79), '00'.repeat(81), new Uint8Array(79), 'zz'.repeat(80)]) {
      assert.throws(
        () => decodeHeader(bad),
        (e: unknown) => e instanceof ConsensusError && e.reason === 'bad-encoding',
      );
    }
  });
  test('encodeHeader rejects out-of-range fields naming them', () => {
    const h = decodeHeader(publicVectors.headers[0]!.header);
    assert.throws(() => encodeHeader({ ...h, nonce: 2 ** 32 }), /nonce/);
    assert.throws(() => encodeHeader({ ...h, time: -1 }), /time/);
    assert.throws(() => encodeHeader({ ...h, prevHash: 'xyz' }), /prevHash/);
  });
  test('property: encode(decode(bytes)) == bytes for any 80 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 80, maxLength: 80 }), (bytes) => {
        assert.deepEqual(encodeHeader(decodeHeader(bytes)), bytes);
      }),
    );
  });
  test('property: decode(encode(fields)) == fields', () => {
    const hashArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => displayFromInternal(b));
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(
        fc.record({ version: u32, prevHash: hashArb, merkleRoot: hashArb, time: u32, bits: u32, nonce: u32 }),
        (f) => {
          assert.deepEqual({ ...decodeHeader(encodeHeader(f)) }, { ...f });
        },
      ),
    );
  });
});
