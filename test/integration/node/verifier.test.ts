/**
 * Signature verification off the HTTP thread (node/verifier-pool.ts): the pool answers exactly what inline
 * verification answers, however the checks are batched, and a node that verifies in it accepts and refuses
 * exactly what it would otherwise, races between conflicting transactions included.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createChain } from '../../../src/chain/chain.ts';
import {
  blockSubsidy,
  ConsensusError,
  type NetworkParams,
  networks,
  type SignatureCheck,
  signSchnorr,
  type Transaction,
  txid,
} from '../../../src/consensus/index.ts';
import { PolicyError } from '../../../src/mempool/policy.ts';
import { createNode } from '../../../src/node/node.ts';
import { createPoolVerifier } from '../../../src/node/verifier-pool.ts';
import { fastVerifySchnorr, inlineVerifier } from '../../../src/node/verifier.ts';
import { mineOn } from '../../helpers/chain.ts';
import { silent, testScheduler } from '../../helpers/nodes.ts';
import { spendTx, testKey } from '../../helpers/tx.ts';

const alice = testKey('alice');
const bob = testKey('bob');

function check(i: number, valid: boolean): SignatureCheck {
  const message = new Uint8Array(32).fill(i & 0xff);
  message[1] = i >> 8;
  const signature = signSchnorr(message, alice.secret, new Uint8Array(32));
  if (!valid) signature[i % 64]! ^= 1 << (i % 8);
  return { signature, message, key: alice.key };
}

describe('the signature pool', () => {
  const pool = createPoolVerifier({ threads: 2 });
  after(() => pool.close());

  test('answers the index of the first failing check, as inline verification does', async () => {
    const good = Array.from({ length: 4 }, (_, i) => check(i, true));
    assert.equal(await pool.firstInvalid(good), -1);
    assert.equal(await pool.firstInvalid([good[0]!, check(9, false), good[1]!, check(10, false)]), 1);
    assert.equal(await pool.firstInvalid([]), -1);
  });

  test('malformed checks fail and never throw: no key (not pay-to-key), short signature, wrong key', async () => {
    const c = check(3, true);
    assert.equal(await pool.firstInvalid([c, { ...c, key: new Uint8Array(0) }]), 1);
    assert.equal(await pool.firstInvalid([{ ...c, signature: c.signature.subarray(1) }]), 0);
    assert.equal(await pool.firstInvalid([c, c, { ...c, key: bob.key }]), 2);
    assert.equal(await pool.firstInvalid([{ ...c, message: c.message.subarray(1) }]), 0);
  });

  test('300 transactions submitted at once, batched as the pool likes, each get their own answer', async () => {
    const txs = Array.from({ length: 300 }, (_, i) =>
      Array.from({ length: 1 + (i % 3) }, (_, j) => check(i * 3 + j, (i * 7 + j) % 5 !== 0)),
    );
    const expected = await Promise.all(txs.map((t) => inlineVerifier.firstInvalid(t)));
    assert.ok(expected.some((e) => e === -1) && expected.some((e) => e >= 0), 'both outcomes occur');
    const got = await Promise.all(txs.map((t) => pool.firstInvalid(t)));
    assert.deepEqual(got, expected);
  });
});

describe('a node that verifies in the pool', () => {
  const params: NetworkParams = Object.freeze({ ...networks.regtest, coinbaseMaturity: 2 });
  const NOW = 2_000_000_000;
  const scheduler = testScheduler();
  after(() => scheduler.close());

  function fundedNode() {
    const chain = createChain({ params, verifySchnorr: fastVerifySchnorr });
    const coins: Array<{ txid: string; value: bigint }> = [];
    for (let i = 0; i < 6; i++) {
      const b = mineOn(chain.tip, params, {
        payout: [{ value: blockSubsidy(chain.height + 1, params), script: alice.script }],
      });
      chain.acceptBlock(b, NOW);
      if (i < 4) coins.push({ txid: txid(b.txs[0]!), value: b.txs[0]!.outputs[0]!.value });
    }
    const node = createNode({
      params,
      chain,
      pow: scheduler.addClient({ name: 'verifier-test' }),
      logger: silent,
      clock: () => NOW,
      verifier: createPoolVerifier({ threads: 2 }),
    });
    return { node, coins };
  }
  const pay = (coin: { txid: string; value: bigint }, fee: bigint): Transaction =>
    spendTx(
      [{ txid: coin.txid, vout: 0, coin: { value: coin.value, script: alice.script }, signer: alice }],
      [{ value: coin.value - fee, script: bob.script }],
    );

  test('accepts a valid transaction and refuses a forged one, leaving the pool unchanged', async () => {
    const { node, coins } = fundedNode();
    try {
      const ok = await node.receiveTransaction(pay(coins[0]!, 1000n));
      assert.equal(ok.status, 'accepted');
      const forged = pay(coins[1]!, 1000n);
      const script = forged.inputs[0]!.script.slice();
      script[10]! ^= 1;
      const bad = { ...forged, inputs: [{ ...forged.inputs[0]!, script }] };
      await assert.rejects(
        node.receiveTransaction(bad),
        (e: unknown) => e instanceof ConsensusError && e.reason === 'mandatory-script-verify-flag-failed',
      );
      assert.equal(node.mempool.size, 1);
      assert.equal(node.chain.signatureCache.has(txid(bad)), false);
      // The genuine spend of the same coin is still welcome.
      assert.equal((await node.receiveTransaction(pay(coins[1]!, 2000n))).status, 'accepted');
      assert.equal(node.mempool.size, 2);
    } finally {
      await node.close();
    }
  });

  test('two spends of one coin verified at the same time: exactly one enters, the other is a conflict', async () => {
    const { node, coins } = fundedNode();
    try {
      const a = pay(coins[2]!, 1000n);
      const b = pay(coins[2]!, 3000n);
      const results = await Promise.allSettled([node.receiveTransaction(a), node.receiveTransaction(b)]);
      const accepted = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected');
      assert.equal(accepted.length, 1);
      assert.equal(refused.length, 1);
      const reason = (refused[0] as PromiseRejectedResult).reason as unknown;
      assert.ok(reason instanceof PolicyError, String(reason));
      assert.equal(reason.code, 'txn-mempool-conflict');
      assert.equal(node.mempool.size, 1);
      assert.ok(node.mempool.list()[0]!.txid === txid(a), 'the first to arrive wins');
    } finally {
      await node.close();
    }
  });
});
