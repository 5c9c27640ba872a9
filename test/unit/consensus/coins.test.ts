import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Block,
  blockSubsidy,
  type Coin,
  checkOutputScripts,
  checkTxInputs,
  ConsensusError,
  connectBlock,
  dataScript,
  disconnectBlock,
  MAX_MONEY,
  networks,
  outpointKey,
  type Transaction,
  txid,
} from '../../../src/consensus/index.ts';
import { createCoinbase } from '../../../src/mining/template.ts';
import { coin, mapView, spendTx, testKey } from '../../helpers/tx.ts';

const params = networks.regtest;
const reason = (r: string) => (e: unknown) => {
  assert.ok(e instanceof ConsensusError, `expected ConsensusError ${r}, got ${String(e)}`);
  assert.equal(e.reason, r);
  return true;
};

const alice = testKey('alice');
const bob = testKey('bob');
const FUND = 'f0'.repeat(32);
const FUND2 = 'f1'.repeat(32);

/** A view with one 10,000-unit coin for alice at FUND:0 (height 1, not a coinbase). */
function funded(extra: Array<[string, Coin]> = []) {
  return mapView([[outpointKey(FUND, 0), coin(10_000n, alice.script)], ...extra]);
}

function pay(value: bigint, from = { txid: FUND, vout: 0, value: 10_000n }, to = bob.script): Transaction {
  return spendTx(
    [{ txid: from.txid, vout: from.vout, coin: { value: from.value, script: alice.script }, signer: alice }],
    [{ value, script: to }],
  );
}

/** A block (header fields unchecked by connectBlock) at `height` with a coinbase paying `cbValue`. */
function block(height: number, cbValue: bigint, txs: Transaction[] = []): Block {
  const coinbase = createCoinbase({ height, outputs: [{ value: cbValue, script: alice.script }] });
  return {
    header: {
      version: 1,
      prevHash: '00'.repeat(32) as never,
      merkleRoot: '00'.repeat(32) as never,
      time: 0,
      bits: 0,
      nonce: 0,
    },
    txs: [coinbase, ...txs],
  };
}

describe('output templates (checkOutputScripts)', () => {
  test('pay-to-key and one data output of value 0 pass, up to 80 bytes', () => {
    checkOutputScripts([
      { value: 1n, script: alice.script },
      { value: 0n, script: dataScript(new Uint8Array(80).fill(0x41)) },
    ]);
    checkOutputScripts([{ value: 0n, script: dataScript(Uint8Array.of(1)) }]);
  });
  test('bad-txns-vout-script: unknown script, 81 data bytes, non-minimal push, data with value, two data outputs', () => {
    const cases: Array<[string, Uint8Array, bigint]> = [
      ['bare public key (the genesis form)', Uint8Array.of(0x21, ...new Uint8Array(33), 0xac), 1n],
      ['OP_1 with a 31-byte push', Uint8Array.of(0x51, 0x1f, ...new Uint8Array(31)), 1n],
      ['81 data bytes', Uint8Array.of(0x6a, 0x4c, 81, ...new Uint8Array(81)), 0n],
      ['OP_PUSHDATA1 for 3 bytes', Uint8Array.of(0x6a, 0x4c, 3, 1, 2, 3), 0n],
      ['OP_RETURN alone', Uint8Array.of(0x6a), 0n],
      ['data with a value', dataScript(Uint8Array.of(1)), 1n],
    ];
    for (const [what, script, value] of cases) {
      assert.throws(() => checkOutputScripts([{ value, script }]), reason('bad-txns-vout-script'), what);
    }
    const data = { value: 0n, script: dataScript(Uint8Array.of(1)) };
    assert.throws(() => checkOutputScripts([data, data]), reason('bad-txns-vout-script'));
  });
});

describe('checkTxInputs (Core CheckTxInputs): each rule fails with its code, its neighbour passes', () => {
  test('a valid spend passes and returns its fee and spent coins', () => {
    const r = checkTxInputs(pay(9_000n), funded(), 5, params);
    assert.equal(r.fee, 1_000n);
    assert.equal(r.spent[0]!.value, 10_000n);
  });
  test('bad-txns-inputs-missingorspent: the outpoint is not in the view', () => {
    assert.throws(
      () => checkTxInputs(pay(9_000n), mapView(), 5, params),
      reason('bad-txns-inputs-missingorspent'),
    );
    assert.throws(
      () => checkTxInputs(pay(9_000n, { txid: FUND, vout: 1, value: 10_000n }), funded(), 5, params),
      reason('bad-txns-inputs-missingorspent'),
    );
  });
  test('bad-txns-premature-spend-of-coinbase: maturity counts from the coinbase height', () => {
    const view = mapView([[outpointKey(FUND, 0), coin(10_000n, alice.script, 10, true)]]);
    const tx = pay(9_000n);
    assert.throws(
      () => checkTxInputs(tx, view, 10 + params.coinbaseMaturity - 1, params),
      reason('bad-txns-premature-spend-of-coinbase'),
    );
    checkTxInputs(tx, view, 10 + params.coinbaseMaturity, params);
  });
  test('bad-txns-inputvalues-outofrange: a spent value or the sum above MAX_MONEY', () => {
    const big = mapView([[outpointKey(FUND, 0), coin(MAX_MONEY + 1n, alice.script)]]);
    assert.throws(() => checkTxInputs(pay(1n), big, 5, params), reason('bad-txns-inputvalues-outofrange'));
    const two = mapView([
      [outpointKey(FUND, 0), coin(MAX_MONEY, alice.script)],
      [outpointKey(FUND2, 0), coin(1n, alice.script)],
    ]);
    const both = spendTx(
      [
        { txid: FUND, vout: 0, coin: { value: MAX_MONEY, script: alice.script }, signer: alice },
        { txid: FUND2, vout: 0, coin: { value: 1n, script: alice.script }, signer: alice },
      ],
      [{ value: 1n, script: bob.script }],
    );
    assert.throws(() => checkTxInputs(both, two, 5, params), reason('bad-txns-inputvalues-outofrange'));
    const atLimit = mapView([[outpointKey(FUND, 0), coin(MAX_MONEY, alice.script)]]);
    checkTxInputs(pay(1n), atLimit, 5, params);
  });
  test('bad-txns-in-belowout: outputs worth one unit more than inputs', () => {
    assert.throws(() => checkTxInputs(pay(10_001n), funded(), 5, params), reason('bad-txns-in-belowout'));
    assert.equal(checkTxInputs(pay(10_000n), funded(), 5, params).fee, 0n);
  });
});

describe('connectBlock (Core ConnectBlock): each rule fails with its code, its neighbour passes', () => {
  const subsidy = blockSubsidy(5, params);

  test('a block with a spend: change-set, undo data, fees; nothing written to the view', () => {
    const view = funded();
    const tx = pay(9_000n);
    const b = block(5, subsidy + 1_000n, [tx]);
    const r = connectBlock(b, 5, view, params);
    assert.equal(r.fees, 1_000n);
    assert.equal(r.changes.get(outpointKey(FUND, 0)), null);
    assert.equal(r.changes.get(outpointKey(txid(tx), 0))!.value, 9_000n);
    assert.equal(r.changes.get(outpointKey(txid(b.txs[0]!), 0))!.coinbase, true);
    assert.deepEqual(r.undo, [[view.map.get(outpointKey(FUND, 0))]]);
    assert.equal(view.map.size, 1);
  });
  test('bad-cb-amount: the coinbase may claim subsidy + fees, not one unit more', () => {
    const tx = pay(9_000n);
    assert.throws(
      () => connectBlock(block(5, subsidy + 1_001n, [tx]), 5, funded(), params),
      reason('bad-cb-amount'),
    );
    connectBlock(block(5, subsidy + 1_000n, [tx]), 5, funded(), params);
  });
  test('bad-cb-amount: the subsidy halves at halvingInterval', () => {
    const h = params.halvingInterval;
    assert.equal(blockSubsidy(h, params), params.initialSubsidy / 2n);
    assert.throws(
      () => connectBlock(block(h, params.initialSubsidy), h, mapView(), params),
      reason('bad-cb-amount'),
    );
    connectBlock(block(h, params.initialSubsidy / 2n), h, mapView(), params);
    connectBlock(block(h - 1, params.initialSubsidy), h - 1, mapView(), params);
  });
  test('an outpoint spent twice in one block: bad-txns-inputs-missingorspent', () => {
    const a = pay(9_000n);
    const b = pay(8_000n);
    assert.throws(
      () => connectBlock(block(5, subsidy, [a, b]), 5, funded(), params),
      (e: unknown) =>
        reason('bad-txns-inputs-missingorspent')(e) && /earlier in this block/.test((e as Error).message),
    );
    connectBlock(block(5, subsidy, [a]), 5, funded(), params);
  });
  test('a transaction may spend an output of an earlier one in the block, not of a later one', () => {
    const parent = pay(9_000n, undefined, alice.script);
    const child = pay(8_000n, { txid: txid(parent), vout: 0, value: 9_000n });
    const r = connectBlock(block(5, subsidy + 2_000n, [parent, child]), 5, funded(), params);
    // The parent's output was created and spent inside the block: it never shows in the change-set.
    assert.equal(r.changes.has(outpointKey(txid(parent), 0)), false);
    assert.throws(
      () => connectBlock(block(5, subsidy + 2_000n, [child, parent]), 5, funded(), params),
      reason('bad-txns-inputs-missingorspent'),
    );
  });
  test('mandatory-script-verify-flag-failed: signed by the wrong key, or a changed output', () => {
    const wrong = spendTx(
      [{ txid: FUND, vout: 0, coin: { value: 10_000n, script: alice.script }, signer: bob }],
      [{ value: 9_000n, script: bob.script }],
    );
    assert.throws(
      () => connectBlock(block(5, subsidy, [wrong]), 5, funded(), params),
      reason('mandatory-script-verify-flag-failed'),
    );
    const good = pay(9_000n);
    const changed = { ...good, outputs: [{ ...good.outputs[0]!, value: 8_999n }] };
    assert.throws(
      () => connectBlock(block(5, subsidy, [changed]), 5, funded(), params),
      reason('mandatory-script-verify-flag-failed'),
    );
    connectBlock(block(5, subsidy, [good]), 5, funded(), params);
  });
  test('bad-txns-BIP30: a transaction whose txid still has unspent outputs', () => {
    const tx = pay(9_000n);
    const view = funded([[outpointKey(txid(tx), 0), coin(1n, bob.script)]]);
    assert.throws(() => connectBlock(block(5, subsidy, [tx]), 5, view, params), reason('bad-txns-BIP30'));
    connectBlock(
      block(5, subsidy, [tx]),
      5,
      funded([[outpointKey(txid(tx), 1), coin(1n, bob.script)]]),
      params,
    );
  });
  test('bad-txns-accumulated-fee-outofrange: fees adding past MAX_MONEY', () => {
    const view = mapView([
      [outpointKey(FUND, 0), coin(MAX_MONEY, alice.script)],
      [outpointKey(FUND2, 0), coin(MAX_MONEY, alice.script)],
    ]);
    const a = pay(0n, { txid: FUND, vout: 0, value: MAX_MONEY });
    const b = pay(0n, { txid: FUND2, vout: 0, value: MAX_MONEY });
    assert.throws(
      () => connectBlock(block(5, subsidy, [a, b]), 5, view, params),
      reason('bad-txns-accumulated-fee-outofrange'),
    );
    connectBlock(block(5, subsidy, [a]), 5, view, params);
  });
  test('bad-txns-vout-script in a block, including the coinbase', () => {
    const bad = block(5, subsidy);
    const cb = { ...bad.txs[0]!, outputs: [{ value: 1n, script: Uint8Array.of(0x51) }] };
    assert.throws(
      () => connectBlock({ ...bad, txs: [cb] }, 5, mapView(), params),
      reason('bad-txns-vout-script'),
    );
  });
  test('a data output is never added to the UTXO set', () => {
    const tx = spendTx(
      [{ txid: FUND, vout: 0, coin: { value: 10_000n, script: alice.script }, signer: alice }],
      [
        { value: 9_000n, script: bob.script },
        { value: 0n, script: dataScript(new TextEncoder().encode('assembly')) },
      ],
    );
    const r = connectBlock(block(5, subsidy + 1_000n, [tx]), 5, funded(), params);
    assert.ok(r.changes.has(outpointKey(txid(tx), 0)));
    assert.equal(r.changes.has(outpointKey(txid(tx), 1)), false);
  });
  test('disconnectBlock undoes connectBlock exactly', () => {
    const view = funded();
    const parent = pay(9_000n, undefined, alice.script);
    const child = pay(8_000n, { txid: txid(parent), vout: 0, value: 9_000n });
    const b = block(5, subsidy + 2_000n, [parent, child]);
    const before = new Map(view.map);
    const r = connectBlock(b, 5, view, params);
    for (const [k, c] of r.changes)
      if (c) view.map.set(k, c);
      else view.map.delete(k);
    assert.notDeepEqual(view.map, before);
    for (const [k, c] of disconnectBlock(b, r.undo))
      if (c) view.map.set(k, c);
      else view.map.delete(k);
    assert.deepEqual(view.map, before);
  });
});
