import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Block,
  blockFromJSON,
  blockHash,
  blockMerkleRoot,
  blockToJSON,
  checkBlock,
  checkBlockContext,
  ConsensusError,
  decodeBlock,
  decodeTx,
  encodeBlock,
  encodeTx,
  heightScript,
  MAX_MONEY,
  networks,
  type Transaction,
  txid,
} from '../../../src/consensus/index.ts';
import { createBlockTree } from '../../../src/chain/block-tree.ts';
import { bytesToHex } from '../../../src/util/bytes.ts';
import { mineOn, PAYOUT, solve } from '../../helpers/chain.ts';

const params = networks.regtest;
const reason = (r: string) => (e: unknown) => {
  assert.ok(e instanceof ConsensusError, `expected ConsensusError ${r}, got ${String(e)}`);
  assert.equal(e.reason, r);
  return true;
};

/** Re-commits the header to `txs` and re-mines it, so only the rule under test fails. */
function withTxs(block: Block, txs: Transaction[]): Block {
  const header = solve({ ...block.header, merkleRoot: blockMerkleRoot(txs).root }, params);
  return { header, txs };
}

function validBlock(): Block {
  const tree = createBlockTree({ params });
  return mineOn(tree.genesis, params);
}

const spend: Transaction = {
  version: 2,
  inputs: [
    {
      prevout: { txid: '11'.repeat(32) as never, vout: 0 },
      script: new Uint8Array(64),
      sequence: 0xffffffff,
    },
  ],
  outputs: [{ value: 1000n, script: PAYOUT.script }],
  lockTime: 0,
};

describe('genesis blocks', () => {
  for (const net of Object.values(networks)) {
    test(`${net.name}: hashes to its genesisHash, meets its bits, commits to Bitcoin's genesis coinbase`, () => {
      const block = decodeBlock(net.genesisBlock);
      assert.equal(blockHash(block), net.genesisHash);
      assert.equal(txid(block.txs[0]!), '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
      assert.equal(bytesToHex(encodeBlock(block)), net.genesisBlock);
      checkBlock(block, net);
    });
  }
  test('bitcoin genesis is the real one', () => {
    assert.equal(
      networks.bitcoin.genesisHash,
      '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
    );
  });
  test('the presets are frozen', () => {
    assert.ok(Object.isFrozen(networks) && Object.isFrozen(networks.sim));
  });
});

describe('block codec', () => {
  test('bytes and JSON round-trip', () => {
    const block = validBlock();
    assert.deepEqual(decodeBlock(encodeBlock(block)), block);
    const json = JSON.parse(JSON.stringify(blockToJSON(block, 1))) as unknown;
    assert.deepEqual(blockFromJSON(json), block);
  });
  test('txid is hash256 of Bitcoin serialisation: the genesis coinbase round-trips byte for byte', () => {
    const cb = decodeBlock(networks.bitcoin.genesisBlock).txs[0]!;
    assert.deepEqual(decodeTx(encodeTx(cb)), cb);
  });
  test('truncated bytes, trailing bytes and absurd counts are bad-encoding', () => {
    const bytes = encodeBlock(validBlock());
    assert.throws(() => decodeBlock(bytes.subarray(0, bytes.length - 1)), reason('bad-encoding'));
    assert.throws(() => decodeBlock(Uint8Array.of(...bytes, 0)), reason('bad-encoding'));
    const huge = Uint8Array.of(...bytes.subarray(0, 80), 0xfe, 0xff, 0xff, 0xff, 0x0f);
    assert.throws(() => decodeBlock(huge), reason('bad-encoding'));
  });
  test('malformed JSON fields are bad-encoding naming the field', () => {
    const json = blockToJSON(validBlock());
    assert.throws(() => blockFromJSON({ ...json, nonce: -1 }), /nonce/);
    assert.throws(() => blockFromJSON({ ...json, prevHash: 'xyz' }), reason('bad-encoding'));
    assert.throws(() => blockFromJSON({ ...json, transactions: 'nope' }), reason('bad-encoding'));
    assert.throws(() => blockFromJSON(null), reason('bad-encoding'));
  });
});

describe('checkBlock (context-free rules) asserts each reason code', () => {
  test('a valid block passes', () => {
    checkBlock(validBlock(), params);
  });
  test('high-hash: the nonce no longer meets the target', () => {
    const block = validBlock();
    let header = block.header;
    do header = { ...header, nonce: header.nonce + 1 };
    while (blockHash({ header, txs: [] }) <= '7fffff' + '0'.repeat(58));
    assert.throws(() => checkBlock({ header, txs: block.txs }, params), reason('high-hash'));
  });
  test('bad-txnmrklroot: a transaction changed after mining', () => {
    const block = validBlock();
    const cb = block.txs[0]!;
    const changed = { ...cb, outputs: [{ ...cb.outputs[0]!, value: cb.outputs[0]!.value + 1n }] };
    assert.throws(() => checkBlock({ ...block, txs: [changed] }, params), reason('bad-txnmrklroot'));
  });
  test('bad-txns-duplicate: CVE-2012-2459 duplicated last transaction keeps the root', () => {
    const spend2 = { ...spend, lockTime: 1 };
    const block = withTxs(validBlock(), [validBlock().txs[0]!, spend, spend2]);
    const mutated = { ...block, txs: [...block.txs, spend2] };
    assert.equal(blockMerkleRoot(mutated.txs).root, block.header.merkleRoot);
    assert.throws(() => checkBlock(mutated, params), reason('bad-txns-duplicate'));
  });
  test('bad-blk-length: no transactions, or over the size limit', () => {
    assert.throws(() => checkBlock(withTxs(validBlock(), []), params), reason('bad-blk-length'));
    const big = { ...spend, outputs: [{ value: 1n, script: new Uint8Array(params.maxBlockSize) }] };
    const block = validBlock();
    assert.throws(() => checkBlock(withTxs(block, [block.txs[0]!, big]), params), reason('bad-blk-length'));
  });
  test('bad-cb-missing and bad-cb-multiple', () => {
    const block = validBlock();
    assert.throws(() => checkBlock(withTxs(block, [spend]), params), reason('bad-cb-missing'));
    const otherCoinbase = validBlock().txs[0]!;
    assert.throws(
      () => checkBlock(withTxs(block, [block.txs[0]!, otherCoinbase]), params),
      reason('bad-cb-multiple'),
    );
  });
  test('bad-cb-length: a coinbase script of 1 or 101 bytes', () => {
    const block = validBlock();
    const cb = block.txs[0]!;
    for (const len of [1, 101]) {
      const bad = { ...cb, inputs: [{ ...cb.inputs[0]!, script: new Uint8Array(len) }] };
      assert.throws(() => checkBlock(withTxs(block, [bad]), params), reason('bad-cb-length'));
    }
  });
  test('transaction rules: empty vin/vout, negative, too large, duplicate inputs, null prevout', () => {
    const block = validBlock();
    const cb = block.txs[0]!;
    const cases: Array<[Transaction, string]> = [
      [{ ...spend, inputs: [] }, 'bad-txns-vin-empty'],
      [{ ...spend, outputs: [] }, 'bad-txns-vout-empty'],
      [{ ...spend, outputs: [{ value: -1n, script: PAYOUT.script }] }, 'bad-txns-vout-negative'],
      [{ ...spend, outputs: [{ value: MAX_MONEY + 1n, script: PAYOUT.script }] }, 'bad-txns-vout-toolarge'],
      [
        {
          ...spend,
          outputs: [
            { value: MAX_MONEY, script: PAYOUT.script },
            { value: 1n, script: PAYOUT.script },
          ],
        },
        'bad-txns-txouttotal-toolarge',
      ],
      [{ ...spend, inputs: [spend.inputs[0]!, spend.inputs[0]!] }, 'bad-txns-inputs-duplicate'],
      [{ ...spend, inputs: [spend.inputs[0]!, cb.inputs[0]!] }, 'bad-txns-prevout-null'],
    ];
    for (const [tx, r] of cases)
      assert.throws(() => checkBlock(withTxs(block, [cb, tx]), params), reason(r), r);
    // The valid neighbour: the same spend, unaltered, passes.
    checkBlock(withTxs(block, [cb, spend]), params);
  });
});

describe('checkBlockContext', () => {
  test('bad-cb-height: the coinbase must start with CScript() << height', () => {
    const block = validBlock();
    checkBlockContext(block, 1);
    assert.throws(() => checkBlockContext(block, 2), reason('bad-cb-height'));
  });
  test('heightScript writes what Core writes', () => {
    assert.equal(bytesToHex(heightScript(0)), '00');
    assert.equal(bytesToHex(heightScript(1)), '51');
    assert.equal(bytesToHex(heightScript(16)), '60');
    assert.equal(bytesToHex(heightScript(17)), '0111');
    assert.equal(bytesToHex(heightScript(128)), '028000');
    assert.equal(bytesToHex(heightScript(227931)), '035b7a03'); // BIP-34 activation height on mainnet
  });
});
