import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createChain, type Chain } from '../../../src/chain/chain.ts';
import type { BlockEntry } from '../../../src/chain/block-tree.ts';
import {
  type Block,
  blockHash,
  blockSubsidy,
  ConsensusError,
  connectBlock,
  type NetworkParams,
  networks,
  outpointKey,
  txid,
} from '../../../src/consensus/index.ts';
import { UtxoSet } from '../../../src/chain/utxo.ts';
import { mineOn } from '../../helpers/chain.ts';
import { spendTx, testKey } from '../../helpers/tx.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';

/** regtest with a maturity of 2 blocks, so spends come quickly. */
const params: NetworkParams = Object.freeze({ ...networks.regtest, coinbaseMaturity: 2 });
const alice = testKey('alice');
const bob = testKey('bob');
const carol = testKey('carol');
const NOW = 2_000_000_000;

function mine(chain: Chain, parent: BlockEntry, txs: Block['txs'] = [], fees = 0n, overpay = 0n): Block {
  const block = mineOn(parent, params, {
    txs,
    payout: [{ value: blockSubsidy(parent.height + 1, params) + fees + overpay, script: alice.script }],
  });
  chain.acceptBlock(block, NOW);
  return block;
}

/** The UTXO set rebuilt from genesis along the active chain. */
function rebuild(chain: Chain): UtxoSet {
  const set = new UtxoSet();
  for (const e of chain.range(1))
    set.apply(connectBlock(chain.getBlock(e.hash)!, e.height, set, chain.params).changes);
  return set;
}

function snapshot(set: UtxoSet): string[] {
  return [...set.entries()].map(([k, c]) => `${k}=${c.value}@${c.height}${c.coinbase ? 'cb' : ''}`).sort();
}

/** Alice's first coinbase (height 1), matured by two more blocks; returns the chain and the coin's outpoint. */
function fundedChain() {
  const chain = createChain({ params, verifySchnorr: fastVerifySchnorr });
  const b1 = mine(chain, chain.tip);
  mine(chain, chain.tip);
  mine(chain, chain.tip);
  const coin = { txid: txid(b1.txs[0]!), vout: 0, value: blockSubsidy(1, params) };
  return { chain, coin };
}

function payTo(coin: { txid: string; vout: number; value: bigint }, to: typeof bob, fee = 1000n) {
  return spendTx(
    [{ txid: coin.txid, vout: coin.vout, coin: { value: coin.value, script: alice.script }, signer: alice }],
    [{ value: coin.value - fee, script: to.script }],
  );
}

describe('the chain keeps a UTXO set with undo data', () => {
  test('coinbases enter the set; a spend moves value and the coinbase collects the fee', () => {
    const { chain, coin } = fundedChain();
    assert.equal(chain.utxos.size, 3);
    const tx = payTo(coin, bob);
    mine(chain, chain.tip, [tx], 1000n);
    assert.equal(chain.utxos.has(outpointKey(coin.txid, 0)), false);
    assert.equal(chain.utxos.getCoin(outpointKey(txid(tx), 0))!.value, coin.value - 1000n);
    assert.equal(chain.utxos.coinsForScript(bob.script).length, 1);
    assert.deepEqual(chain.findTx(txid(tx)), { block: chain.tip.hash, height: 4, index: 1 });
    assert.deepEqual(snapshot(chain.utxos), snapshot(rebuild(chain)));
    assert.equal(chain.utxos.totalValue, 4n * blockSubsidy(1, params));
  });

  test('a block that fails to connect (double spend of a spent coin) changes nothing and is invalid', () => {
    const { chain, coin } = fundedChain();
    mine(chain, chain.tip, [payTo(coin, bob)], 1000n);
    const before = snapshot(chain.utxos);
    const tip = chain.tip;
    const again = mineOn(chain.tip, params, {
      txs: [payTo(coin, carol)],
      payout: [{ value: blockSubsidy(5, params) + 1000n, script: alice.script }],
    });
    assert.throws(
      () => chain.acceptBlock(again, NOW),
      (e: unknown) => e instanceof ConsensusError && e.reason === 'bad-txns-inputs-missingorspent',
    );
    assert.equal(chain.tip, tip);
    assert.deepEqual(snapshot(chain.utxos), before);
    assert.ok(chain.tree.isKnownInvalid(mineHash(again)));
  });

  test('an overpaying coinbase fails with bad-cb-amount; the exact amount is accepted', () => {
    const { chain } = fundedChain();
    const tip = chain.tip;
    assert.throws(
      () => mine(chain, chain.tip, [], 0n, 1n),
      (e: unknown) => e instanceof ConsensusError && e.reason === 'bad-cb-amount',
    );
    assert.equal(chain.tip, tip);
    mine(chain, chain.tip);
    assert.equal(chain.height, 4);
  });

  test('a reorg disconnects with undo data and reconnects exactly, both ways', () => {
    const { chain, coin } = fundedChain();
    const fork = chain.tip;
    const toBob = payTo(coin, bob);
    const a1 = mine(chain, fork, [toBob], 1000n);
    const onA = snapshot(chain.utxos);
    const undoA = chain.undoOf(chain.tip.hash);
    assert.deepEqual(undoA?.[0]?.[0]?.value, coin.value);
    // A competing branch spends the same coin to carol and overtakes.
    const toCarol = payTo(coin, carol, 2000n);
    const b1 = mineOn(fork, params, {
      txs: [toCarol],
      payout: [{ value: blockSubsidy(4, params) + 2000n, script: alice.script }],
    });
    chain.acceptBlock(b1, NOW);
    assert.equal(chain.tip.hash, mineHash(a1)); // equal work: first seen stays
    const b2 = mineOn(chain.get(mineHash(b1))!, params, {
      payout: [{ value: blockSubsidy(5, params), script: alice.script }],
    });
    const r = chain.acceptBlock(b2, NOW);
    assert.equal(r.reorg?.disconnect.length, 1);
    assert.equal(chain.findTx(txid(toBob)), undefined);
    assert.equal(chain.findTx(txid(toCarol))?.height, 4);
    assert.equal(chain.utxos.coinsForScript(bob.script).length, 0);
    assert.equal(chain.utxos.coinsForScript(carol.script).length, 1);
    assert.deepEqual(snapshot(chain.utxos), snapshot(rebuild(chain)));
    // And back: branch A grows longer.
    const a2 = mineOn(chain.get(mineHash(a1))!, params, {
      payout: [{ value: blockSubsidy(5, params), script: alice.script }],
    });
    chain.acceptBlock(a2, NOW);
    const a3 = mineOn(chain.get(mineHash(a2))!, params, {
      payout: [{ value: blockSubsidy(6, params), script: alice.script }],
    });
    chain.acceptBlock(a3, NOW);
    assert.equal(chain.tip.hash, mineHash(a3));
    assert.deepEqual(snapshot(chain.utxos), snapshot(rebuild(chain)));
    assert.ok(snapshot(chain.utxos).length > onA.length);
  });

  test('a heavier branch whose second block is invalid: the chain stays exactly where it was', () => {
    const { chain, coin } = fundedChain();
    const fork = chain.tip;
    mine(chain, fork, [payTo(coin, bob)], 1000n);
    const tip = chain.tip;
    const before = snapshot(chain.utxos);
    const events: string[] = [];
    chain.onTip((t) => events.push(t.hash));
    const b1 = mineOn(fork, params, { payout: [{ value: blockSubsidy(4, params), script: alice.script }] });
    chain.acceptBlock(b1, NOW); // equal work: a valid fork, not connected
    const b2 = mineOn(chain.get(mineHash(b1))!, params, {
      payout: [{ value: blockSubsidy(5, params) + 1n, script: alice.script }],
    });
    assert.throws(
      () => chain.acceptBlock(b2, NOW),
      (e: unknown) => e instanceof ConsensusError && e.reason === 'bad-cb-amount',
    );
    assert.equal(chain.tip, tip);
    assert.deepEqual(snapshot(chain.utxos), before);
    assert.deepEqual(events, []);
    assert.equal(chain.get(mineHash(b2))!.status, 'invalid');
    assert.equal(chain.get(mineHash(b1))!.status, 'valid');
  });

  test('after a reorg to a heavier branch, an invalid block on it leaves the branch tip and the set exact', () => {
    const { chain } = fundedChain();
    const fork = chain.at(2)!;
    // Our chain: fork + 1 block (height 3). Their branch: fork + 3 blocks, the third overpaying.
    const c1 = mineOn(fork, params, { payout: [{ value: blockSubsidy(3, params), script: bob.script }] });
    chain.acceptBlock(c1, NOW);
    const c2 = mineOn(chain.get(mineHash(c1))!, params, {
      payout: [{ value: blockSubsidy(4, params), script: bob.script }],
    });
    // c1 ties with our height-3 block (first seen stays); c2 makes their branch heavier: reorg.
    chain.acceptBlock(c2, NOW);
    assert.equal(chain.tip.hash, mineHash(c2));
    const c3 = mineOn(chain.tip, params, {
      payout: [{ value: blockSubsidy(5, params) + 1n, script: bob.script }],
    });
    assert.throws(() => chain.acceptBlock(c3, NOW));
    assert.equal(chain.tip.hash, mineHash(c2));
    assert.deepEqual(snapshot(chain.utxos), snapshot(rebuild(chain)));
  });
});

function mineHash(b: Block): string {
  return blockHash(b);
}
