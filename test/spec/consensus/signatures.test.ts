import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  firstBadSignature,
  publicKeyOf,
  sighashes,
  signSchnorr,
  type SpentOutput,
  type Transaction,
  verifySchnorr,
} from '../../../src/consensus/index.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';
import {
  libsecp256k1,
  libsecp256k1VerifySchnorr,
  nativeLibsecp256k1,
  wasmLibsecp256k1,
} from '../../../src/runtime/secp256k1.ts';
import { bytesToHex, hexToBytes } from '../../../src/util/bytes.ts';
import { spendTx, testKey } from '../../helpers/tx.ts';
import { readVector } from '../../helpers/vectors.ts';

interface Row {
  index: number;
  secretKey: string;
  publicKey: string;
  auxRand: string;
  message: string;
  signature: string;
  result: boolean;
  comment: string;
}

function rows(): Row[] {
  const lines = readVector('bip340-test-vectors.csv').toString('utf8').trim().split(/\r?\n/).slice(1);
  return lines.map((line) => {
    const [index, secretKey, publicKey, auxRand, message, signature, result, ...comment] = line.split(',');
    return {
      index: Number(index),
      secretKey: secretKey!.toLowerCase(),
      publicKey: publicKey!.toLowerCase(),
      auxRand: auxRand!.toLowerCase(),
      message: message!.toLowerCase(),
      signature: signature!.toLowerCase(),
      result: result === 'TRUE',
      comment: comment.join(','),
    };
  });
}

describe('BIP-340 test vectors through our wrapper (sighash.ts)', () => {
  const all = rows();
  test('the file has the 19 official rows', () => {
    assert.equal(all.length, 19);
    assert.equal(all.filter((r) => r.result).length, 9);
  });
  for (const r of all) {
    test(`row ${r.index}: ${r.result ? 'valid' : 'invalid'}${r.comment ? ` (${r.comment})` : ''}`, () => {
      const msg = hexToBytes(r.message);
      const sig = hexToBytes(r.signature);
      const pub = hexToBytes(r.publicKey);
      assert.equal(fastVerifySchnorr(sig, msg, pub), r.result, 'what nodes verify with');
      assert.equal(verifySchnorr(sig, msg, pub), r.result, '@noble/curves');
      // The wasm binding takes 32-byte messages only (rows 15-18 have other lengths); the native one any.
      if (msg.length === 32) assert.equal(wasmLibsecp256k1().verify(sig, msg, pub), r.result, 'wasm');
      const native = nativeLibsecp256k1();
      if (native) assert.equal(native.verify(sig, msg, pub), r.result, 'native');
      if (r.secretKey) {
        const sk = hexToBytes(r.secretKey);
        assert.equal(bytesToHex(publicKeyOf(sk)), r.publicKey);
        assert.equal(bytesToHex(signSchnorr(msg, sk, hexToBytes(r.auxRand))), r.signature);
      }
    });
  }
  test('wrong lengths are false, never a throw', () => {
    const r = all[0]!;
    const sig = hexToBytes(r.signature);
    for (const verify of [verifySchnorr, fastVerifySchnorr]) {
      assert.equal(verify(sig.subarray(1), hexToBytes(r.message), hexToBytes(r.publicKey)), false);
      assert.equal(verify(sig, hexToBytes(r.message), hexToBytes(r.publicKey).subarray(1)), false);
    }
  });
});

describe('libsecp256k1 and @noble/curves agree (the fast path against the reference)', () => {
  const builds = [wasmLibsecp256k1(), ...(nativeLibsecp256k1() ? [nativeLibsecp256k1()!] : [])];
  // Whether the addon was built where the library is installed is the machine's state, checked by .ci/run.
  test('nodes verify with the native build where the addon is built, with the wasm one otherwise', () => {
    assert.equal(libsecp256k1().name, nativeLibsecp256k1() ? 'libsecp256k1 (native)' : 'libsecp256k1 (wasm)');
  });
  // Deterministic pseudo-random bytes, so a failure reproduces.
  let state = 0x2545f491;
  const bytes = (n: number): Uint8Array =>
    Uint8Array.from({ length: n }, () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return state & 0xff;
    });
  test('on 100 valid signatures and on every one of them with one bit flipped in the signature, message or key', () => {
    let valid = 0;
    let agreed = 0;
    for (let i = 0; i < 100; i++) {
      const sk = bytes(32);
      const msg = bytes(32);
      const sig = signSchnorr(msg, sk, bytes(32));
      const pub = publicKeyOf(sk);
      for (const lib of builds) assert.equal(lib.verify(sig, msg, pub), true, lib.name);
      valid++;
      for (const [which, field] of [
        ['signature', sig],
        ['message', msg],
        ['key', pub],
      ] as const) {
        const bad = field.slice();
        const bit = bytes(1)[0]! % (bad.length * 8);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        const args = {
          signature: which === 'signature' ? bad : sig,
          message: which === 'message' ? bad : msg,
          key: which === 'key' ? bad : pub,
        };
        const reference = verifySchnorr(args.signature, args.message, args.key);
        assert.equal(reference, false, `a flipped ${which} bit must not verify (case ${i})`);
        for (const lib of builds) {
          assert.equal(
            lib.verify(args.signature, args.message, args.key),
            reference,
            `${lib.name}: ${which}, case ${i}`,
          );
        }
        assert.equal(libsecp256k1VerifySchnorr(args.signature, args.message, args.key), false);
        agreed++;
      }
    }
    assert.equal(valid, 100);
    assert.equal(agreed, 300);
  });
  test('keys that are not on the curve, r >= p and s >= n are false on both, never a throw', () => {
    const sk = bytes(32);
    const msg = bytes(32);
    const sig = signSchnorr(msg, sk, bytes(32));
    const pub = publicKeyOf(sk);
    const p = hexToBytes('fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f');
    const n = hexToBytes('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
    const cases: Array<[string, Uint8Array, Uint8Array]> = [
      ['key = p', sig, p],
      ['key = 0', sig, new Uint8Array(32)],
      ['r = p', Uint8Array.from([...p, ...sig.subarray(32)]), pub],
      ['s = n', Uint8Array.from([...sig.subarray(0, 32), ...n]), pub],
    ];
    for (const [name, s, k] of cases) {
      assert.equal(libsecp256k1VerifySchnorr(s, msg, k), false, name);
      const native = nativeLibsecp256k1();
      if (native) assert.equal(native.verify(s, msg, k), false, `native: ${name}`);
      assert.equal(verifySchnorr(s, msg, k), false, name);
      assert.equal(fastVerifySchnorr(s, msg, k), false, name);
    }
  });
});

describe('the sighash commits to every field it should (BIP-341 SIGHASH_DEFAULT)', () => {
  const alice = testKey('alice');
  const bob = testKey('bob');
  const spent: SpentOutput[] = [
    { value: 5000n, script: alice.script },
    { value: 7000n, script: bob.script },
  ];
  const tx = spendTx(
    [
      { txid: 'aa'.repeat(32), vout: 0, coin: spent[0]!, signer: alice, sequence: 0xfffffffe },
      { txid: 'bb'.repeat(32), vout: 3, coin: spent[1]!, signer: bob },
    ],
    [
      { value: 4000n, script: bob.script },
      { value: 7000n, script: alice.script },
    ],
    17,
  );

  test('the signed transaction verifies', () => {
    assert.equal(firstBadSignature(tx, spent), -1);
  });

  test('sighashes differ per input and do not depend on the input scripts', () => {
    const [h0, h1] = sighashes(tx, spent);
    assert.notDeepEqual(h0, h1);
    const blank = { ...tx, inputs: tx.inputs.map((i) => ({ ...i, script: new Uint8Array(0) })) };
    assert.deepEqual(sighashes(blank, spent), [h0, h1]);
  });

  const inputs = tx.inputs;
  const outputs = tx.outputs;
  const tampered: Array<[string, Transaction, SpentOutput[]]> = [
    ['version', { ...tx, version: 1 }, spent],
    ['lockTime', { ...tx, lockTime: 18 }, spent],
    [
      'input 0 prevout txid',
      {
        ...tx,
        inputs: [
          { ...inputs[0]!, prevout: { ...inputs[0]!.prevout, txid: 'ab'.repeat(32) as never } },
          inputs[1]!,
        ],
      },
      spent,
    ],
    [
      'input 1 prevout vout',
      { ...tx, inputs: [inputs[0]!, { ...inputs[1]!, prevout: { ...inputs[1]!.prevout, vout: 4 } }] },
      spent,
    ],
    ['input 0 sequence', { ...tx, inputs: [{ ...inputs[0]!, sequence: 0xffffffff }, inputs[1]!] }, spent],
    ['input 1 sequence', { ...tx, inputs: [inputs[0]!, { ...inputs[1]!, sequence: 0 }] }, spent],
    ['spent amount 0', tx, [{ ...spent[0]!, value: 5001n }, spent[1]!]],
    ['spent amount 1', tx, [spent[0]!, { ...spent[1]!, value: 6999n }]],
    ['spent script 0', tx, [{ ...spent[0]!, script: bob.script }, spent[1]!]],
    ['output 0 value', { ...tx, outputs: [{ ...outputs[0]!, value: 3999n }, outputs[1]!] }, spent],
    ['output 1 script', { ...tx, outputs: [outputs[0]!, { ...outputs[1]!, script: bob.script }] }, spent],
    ['an extra output', { ...tx, outputs: [...outputs, { value: 0n, script: bob.script }] }, spent],
    ['a removed output', { ...tx, outputs: [outputs[0]!] }, spent],
    ['swapped input order', { ...tx, inputs: [inputs[1]!, inputs[0]!] }, [spent[1]!, spent[0]!]],
    [
      'signatures swapped between inputs',
      {
        ...tx,
        inputs: [
          { ...inputs[0]!, script: inputs[1]!.script },
          { ...inputs[1]!, script: inputs[0]!.script },
        ],
      },
      spent,
    ],
    [
      'a flipped signature bit',
      {
        ...tx,
        inputs: [
          { ...inputs[0]!, script: Uint8Array.from(inputs[0]!.script, (b, i) => (i === 63 ? b ^ 1 : b)) },
          inputs[1]!,
        ],
      },
      spent,
    ],
    [
      'a 65-byte signature',
      { ...tx, inputs: [{ ...inputs[0]!, script: Uint8Array.of(...inputs[0]!.script, 0) }, inputs[1]!] },
      spent,
    ],
  ];
  for (const [field, t, s] of tampered) {
    test(`tampering with ${field} invalidates a signature`, () => {
      assert.notEqual(firstBadSignature(t, s), -1);
    });
  }
  test('an output that is not pay-to-key cannot be spent', () => {
    assert.equal(firstBadSignature(tx, [{ value: 5000n, script: Uint8Array.of(0x6a, 1, 1) }, spent[1]!]), 0);
  });
});
