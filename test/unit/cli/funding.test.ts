/** What `send` tells a wallet that cannot pay: how to fund it, or how many blocks until its coins mature. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { networks } from '../../../src/consensus/index.ts';
import { fundingHint, type NodeUtxo } from '../../../src/cli/funding.ts';

const base = { address: 'sim1pexample', height: 20, params: networks.sim, node: 'http://127.0.0.1:5001' };
const coin = (value: number, height: number | null, extra: Partial<NodeUtxo> = {}): NodeUtxo => ({
  txid: '00'.repeat(32),
  vout: 0,
  value,
  height,
  spendable: true,
  coinbase: false,
  spentBy: null,
  ...extra,
});

test('an empty wallet is told to mine to its address, then wait for coinbase maturity', () => {
  const hint = fundingHint({ ...base, utxos: [], needed: 1000n });
  assert.match(hint, /no coins yet/);
  assert.ok(hint.includes('curl "http://127.0.0.1:5001/mine?address=sim1pexample"'), hint);
  assert.match(
    hint,
    /then 9 more on top of it \(on the sim network a coinbase output can be spent once it has 10 confirmations/,
  );
});

test('immature coins: how many blocks until enough of them mature', () => {
  // Mined at 15 and 18 with the tip at 20: spendable from tips 24 and 27.
  const utxos = [
    coin(600, 18, { coinbase: true, spendable: false }),
    coin(600, 15, { coinbase: true, spendable: false }),
    coin(300, 10),
  ];
  assert.match(
    fundingHint({ ...base, utxos, needed: 800n }),
    /Not enough of its mined coins are mature yet .*after 4 more block\(s\)/s,
  );
  assert.match(fundingHint({ ...base, utxos, needed: 1500n }), /after 7 more block\(s\)/);
  const short = fundingHint({ ...base, utxos, needed: 5000n });
  assert.match(short, /Even once all its coins are spendable it holds 1500 units\. To fund it, mine a block/);
});
