/**
 * JSON is an edge format: whatever JSON decodes to a transaction or block must be exactly what its bytes say.
 * A value that does not fit its wire field (u32, int64, CompactSize) is `bad-encoding`, never a block that
 * serialises as another one. (A coinbase value of v + 2^64 used to encode as v: the genuine block's bytes and
 * hash, refused for a remembered reason, which split the node from the network.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  blockFromJSON,
  blockToJSON,
  ConsensusError,
  decodeBlock,
  decodeTx,
  encodeBlock,
  encodeTx,
  txFromJSON,
  txToJSON,
} from '../../../src/consensus/index.ts';
import { createBlockTree } from '../../../src/chain/block-tree.ts';
import { networks } from '../../../src/consensus/index.ts';
import { mineOn } from '../../helpers/chain.ts';
import { testSeed } from '../../helpers/seed.ts';

const I64 = 2n ** 63n;
const badEncoding = (e: unknown) => e instanceof ConsensusError && e.reason === 'bad-encoding';

/** Any JSON number or string an amount might be given as, many of them out of range or not canonical. */
const amount = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((v) => v.toString()),
  fc.bigInt({ min: -I64 - 3n, max: -I64 + 3n }).map((v) => v.toString()),
  fc.bigInt({ min: I64 - 3n, max: I64 + 3n }).map((v) => v.toString()),
  fc.bigInt({ min: 0n, max: 2n ** 64n + 5n }).map((v) => `0${v}`),
  fc.constantFrom('-0', '', '1e3', ' 1', '+1', '0x10', '١'),
);
/** Numbers for u32 fields, in and out of range. */
const u32ish = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(2 ** 32, 2 ** 32 + 1, 2 ** 53, -(2 ** 32), 1.5, Number.NaN, '7', null),
);
const hex = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('hex'));
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const txJSON = fc.record(
  {
    version: u32ish,
    inputs: fc.array(
      fc.record(
        { txid: hash, vout: u32ish, script: hex, sequence: u32ish },
        { requiredKeys: ['txid', 'vout', 'script'] },
      ),
      { maxLength: 3 },
    ),
    outputs: fc.array(fc.record({ value: amount, script: hex }), { maxLength: 3 }),
    lockTime: u32ish,
  },
  { requiredKeys: ['version', 'inputs', 'outputs'] },
);

function decodes<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    assert.ok(badEncoding(err), `a JSON decoding failure must be bad-encoding, got ${String(err)}`);
    return undefined;
  }
}

/** The JSON fields as the canonical encoder writes them (amounts compared as integers). */
function normalised(json: Record<string, unknown>): unknown {
  const tx = json as {
    version: number;
    inputs: Array<Record<string, unknown>>;
    outputs: Array<{ value: unknown; script: string }>;
    lockTime?: number;
  };
  return {
    version: tx.version,
    inputs: tx.inputs.map((i) => ({
      txid: String(i.txid).toLowerCase(),
      vout: i.vout,
      script: String(i.script).toLowerCase(),
      sequence: i.sequence ?? 0xffffffff,
    })),
    outputs: tx.outputs.map((o) => ({ value: BigInt(o.value as string), script: o.script.toLowerCase() })),
    lockTime: tx.lockTime ?? 0,
  };
}

describe('JSON that decodes re-encodes to itself', () => {
  test('property: a transaction from any JSON equals what its bytes decode to, and its JSON says the same', () => {
    const seed = testSeed();
    fc.assert(
      fc.property(txJSON, (json) => {
        const tx = decodes(() => txFromJSON(json));
        if (!tx) return;
        const bytes = encodeTx(tx);
        assert.deepEqual(decodeTx(bytes), tx, `seed ${seed}: bytes do not decode to the same transaction`);
        const again = txToJSON(tx);
        assert.deepEqual(normalised(again as never), normalised(json as never), `seed ${seed}`);
      }),
      { seed, numRuns: 2000 },
    );
  });

  test('property: a block from any JSON (a real block with fuzzed fields) equals what its bytes decode to', () => {
    const seed = testSeed();
    const tree = createBlockTree({ params: networks.regtest });
    const base = blockToJSON(mineOn(tree.genesis, networks.regtest, { extraNonce: 1n }));
    fc.assert(
      fc.property(
        fc.record({ version: u32ish, time: u32ish, bits: u32ish, nonce: u32ish, value: amount }),
        (f) => {
          const json = {
            ...base,
            version: f.version,
            time: f.time,
            bits: f.bits,
            nonce: f.nonce,
            transactions: [
              {
                ...base.transactions[0]!,
                outputs: [{ ...base.transactions[0]!.outputs[0]!, value: f.value as never }],
              },
            ],
          };
          const block = decodes(() => blockFromJSON(json));
          if (!block) return;
          assert.deepEqual(decodeBlock(encodeBlock(block)), block, `seed ${seed}`);
        },
      ),
      { seed, numRuns: 1000 },
    );
  });

  test('an amount outside int64 is bad-encoding (2^63 and v + 2^64); the int64 extremes are accepted', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const json = blockToJSON(mineOn(tree.genesis, networks.regtest, { extraNonce: 2n }));
    const cb = json.transactions[0]!;
    const withValue = (value: string | number) => ({
      ...json,
      transactions: [{ ...cb, outputs: [{ ...cb.outputs[0]!, value }] }],
    });
    const v = BigInt(cb.outputs[0]!.value);
    for (const value of [
      (v + 2n ** 64n).toString(),
      (2n ** 63n).toString(),
      (-(2n ** 63n) - 1n).toString(),
    ]) {
      assert.throws(() => blockFromJSON(withValue(value)), badEncoding, value);
    }
    for (const value of ['007', '-0', '+5', '5.0']) {
      assert.throws(() => blockFromJSON(withValue(value)), badEncoding, value);
    }
    for (const value of [(2n ** 63n - 1n).toString(), (-(2n ** 63n)).toString()]) {
      const block = blockFromJSON(withValue(value));
      assert.equal(block.txs[0]!.outputs[0]!.value, BigInt(value));
      assert.deepEqual(decodeBlock(encodeBlock(block)), block);
    }
  });
});
