import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Chain, createChain } from '../../../src/chain/chain.ts';
import {
  type Block,
  blockHash,
  blockSubsidy,
  ConsensusError,
  encodeTx,
  firstFailedCheck,
  type NetworkParams,
  networks,
  type Transaction,
  txid,
} from '../../../src/consensus/index.ts';
import { createMempool, type Mempool, type MempoolOptions } from '../../../src/mempool/mempool.ts';
import { POLICY_REASONS, PolicyError } from '../../../src/mempool/policy.ts';
import { mineOn } from '../../helpers/chain.ts';
import { spendTx, testKey, type TestKey } from '../../helpers/tx.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';

const params: NetworkParams = Object.freeze({ ...networks.regtest, coinbaseMaturity: 2 });
const alice = testKey('alice');
const bob = testKey('bob');
const NOW = 2_000_000_000;
/** The refusal `r`: a PolicyError for a policy reason, a ConsensusError for any other. */
const reason = (r: string) => (e: unknown) => {
  const Expected = Object.hasOwn(POLICY_REASONS, r) ? PolicyError : ConsensusError;
  assert.ok(e instanceof Expected, `expected ${Expected.name} ${r}, got ${String(e)}`);
  assert.equal(e.code, r);
  return true;
};

interface Funded {
  chain: Chain;
  pool: Mempool;
  coins: Array<{ txid: string; vout: number; value: bigint }>;
}

/** A chain where alice owns `n` mature coinbases, and a pool on it. */
function setup(n = 3, opts: Partial<MempoolOptions> = {}): Funded {
  const chain = createChain({ params, verifySchnorr: fastVerifySchnorr });
  const coins: Funded['coins'] = [];
  for (let i = 0; i < n + 2; i++) {
    const b = mineOn(chain.tip, params, {
      payout: [{ value: blockSubsidy(chain.height + 1, params), script: alice.script }],
    });
    chain.acceptBlock(b, NOW);
    if (i < n) coins.push({ txid: txid(b.txs[0]!), vout: 0, value: b.txs[0]!.outputs[0]!.value });
  }
  return {
    chain,
    pool: createMempool({ chain, verifySchnorr: fastVerifySchnorr, clock: () => NOW, ...opts }),
    coins,
  };
}

function pay(
  from: { txid: string; vout: number; value: bigint },
  fee: bigint,
  to: TestKey = bob,
  signer: TestKey = alice,
): Transaction {
  return spendTx(
    [{ txid: from.txid, vout: from.vout, coin: { value: from.value, script: signer.script }, signer }],
    [{ value: from.value - fee, script: to.script }],
  );
}

const out = (tx: Transaction, vout = 0) => ({ txid: txid(tx), vout, value: tx.outputs[vout]!.value });

function mineBlock(chain: Chain, txs: Transaction[], fees: bigint, parent = chain.tip): Block {
  const block = mineOn(parent, params, {
    txs,
    payout: [{ value: blockSubsidy(parent.height + 1, params) + fees, script: alice.script }],
  });
  chain.acceptBlock(block, NOW);
  return block;
}

describe('mempool acceptance: each refusal has its reason and changes nothing', () => {
  test('a valid transaction is accepted with its fee and size', () => {
    const { pool, coins } = setup();
    const tx = pay(coins[0]!, 1000n);
    const r = pool.accept(tx);
    assert.equal(r.status, 'accepted');
    assert.equal(pool.get(txid(tx))?.fee, 1000n);
    assert.equal(pool.bytes, encodeTx(tx).length);
  });
  test('txn-already-in-mempool', () => {
    const { pool, coins } = setup();
    const tx = pay(coins[0]!, 1000n);
    pool.accept(tx);
    assert.throws(() => pool.accept(tx), reason('txn-already-in-mempool'));
  });
  test('txn-mempool-conflict: a double spend of a pool transaction is refused, the first stays', () => {
    const { pool, coins } = setup();
    const first = pay(coins[0]!, 1000n);
    pool.accept(first);
    assert.throws(() => pool.accept(pay(coins[0]!, 5000n)), reason('txn-mempool-conflict'));
    assert.deepEqual(
      pool.list().map((e) => e.txid),
      [txid(first)],
    );
    pool.accept(pay(coins[1]!, 1000n));
  });
  test('min relay fee not met: one unit per byte', () => {
    const { pool, coins } = setup();
    const size = BigInt(encodeTx(pay(coins[0]!, 0n)).length);
    assert.throws(() => pool.accept(pay(coins[0]!, size - 1n)), reason('min relay fee not met'));
    assert.equal(pool.size, 0);
    pool.accept(pay(coins[0]!, size));
  });
  test('coinbase, consensus failures and bad signatures are refused with their codes', () => {
    const { chain, pool, coins } = setup();
    assert.throws(() => pool.accept(chain.getBlock(chain.tip.hash)!.txs[0]!), reason('coinbase'));
    assert.throws(
      () => pool.accept(pay(coins[0]!, 1000n, bob, bob)),
      reason('mandatory-script-verify-flag-failed'),
    );
    assert.throws(() => pool.accept(pay(coins[0]!, -1n)), reason('bad-txns-in-belowout'));
    const bad = pay(coins[0]!, 1000n);
    assert.throws(
      () => pool.accept({ ...bad, outputs: [{ value: 1n, script: Uint8Array.of(0x51) }] }),
      reason('bad-txns-vout-script'),
    );
    const immature = mineBlock(chain, [], 0n).txs[0]!;
    assert.throws(
      () => pool.accept(pay(out(immature), 1000n)),
      reason('bad-txns-premature-spend-of-coinbase'),
    );
    assert.equal(pool.size, 0);
    assert.equal(pool.orphanCount, 0);
  });
  test('pendingSignatures: the checks accept() would verify, the same refusals, and no change', () => {
    const { chain, pool, coins } = setup();
    const tx = pay(coins[0]!, 1000n);
    const pending = pool.pendingSignatures(tx);
    assert.ok(pending);
    assert.equal(pending.txid, txid(tx));
    assert.equal(pending.checks.length, 1);
    assert.equal(firstFailedCheck(pending.checks), -1);
    assert.equal(pool.size, 0);
    assert.equal(chain.signatureCache.has(txid(tx)), false);
    // A forged signature yields a check that fails; other rules throw what accept() throws.
    const forged = pool.pendingSignatures(pay(coins[0]!, 1000n, bob, bob));
    assert.equal(firstFailedCheck(forged!.checks), 0);
    assert.throws(() => pool.pendingSignatures(pay(coins[0]!, -1n)), reason('bad-txns-in-belowout'));
    pool.accept(tx);
    assert.throws(() => pool.pendingSignatures(tx), reason('txn-already-in-mempool'));
    assert.throws(() => pool.pendingSignatures(pay(coins[0]!, 2000n)), reason('txn-mempool-conflict'));
    // Nothing to verify for a transaction already verified, or for an orphan (checked when its parent comes).
    const next = pay(coins[1]!, 1000n);
    chain.signatureCache.add(txid(next));
    assert.equal(pool.pendingSignatures(next), null);
    const orphan = pay({ txid: 'ab'.repeat(32), vout: 0, value: 10_000n }, 1000n);
    assert.equal(pool.pendingSignatures(orphan), null);
    assert.equal(pool.size, 1);
    assert.equal(pool.orphanCount, 0);
  });
  test('txn-already-known and bad-txns-inputs-missingorspent for confirmed transactions', () => {
    const { chain, pool, coins } = setup();
    const tx = pay(coins[0]!, 1000n);
    mineBlock(chain, [tx], 1000n);
    assert.throws(() => pool.accept(tx), reason('txn-already-known'));
    assert.throws(() => pool.accept(pay(coins[0]!, 2000n)), reason('bad-txns-inputs-missingorspent'));
    assert.throws(
      () => pool.accept(pay({ ...out(tx), vout: 5 }, 1000n, alice, bob)),
      reason('bad-txns-inputs-missingorspent'),
    );
  });
});

describe('orphans', () => {
  test('a child that arrives first waits, and is accepted right after its parent', () => {
    const { pool, coins } = setup();
    const parent = pay(coins[0]!, 1000n, bob);
    const child = pay(out(parent), 1000n, alice, bob);
    const r1 = pool.accept(child);
    assert.equal(r1.status, 'orphan');
    assert.equal(pool.size, 0);
    const r2 = pool.accept(parent);
    assert.equal(r2.status, 'accepted');
    assert.deepEqual(r2.status === 'accepted' ? r2.accepted.map((e) => e.txid) : [], [
      txid(parent),
      txid(child),
    ]);
    assert.equal(pool.orphanCount, 0);
  });
  test('the orphan pool is bounded', () => {
    const { pool } = setup(0, { maxOrphans: 3 });
    for (let i = 0; i < 5; i++) {
      pool.accept(pay({ txid: String(i).repeat(64), vout: 0, value: 10_000n }, 1000n));
    }
    assert.equal(pool.orphanCount, 3);
    assert.equal(pool.hasOrphan(txid(pay({ txid: '4'.repeat(64), vout: 0, value: 10_000n }, 1000n))), true);
  });
  test('an orphan whose parent is confirmed in a block joins the pool', () => {
    const { chain, pool, coins } = setup();
    const parent = pay(coins[0]!, 1000n, bob);
    const child = pay(out(parent), 1000n, alice, bob);
    pool.accept(child);
    mineBlock(chain, [parent], 1000n);
    assert.ok(pool.has(txid(child)));
  });
});

describe('size limit and eviction by fee rate', () => {
  test('a better-paying newcomer evicts the lowest fee rate; a worse one is refused and changes nothing', () => {
    const probe = setup(3);
    const size = encodeTx(pay(probe.coins[0]!, 1000n)).length;
    const { pool, coins } = setup(3, { maxBytes: 2 * size });
    const low = pay(coins[0]!, 300n);
    const mid = pay(coins[1]!, 500n);
    pool.accept(low);
    pool.accept(mid);
    assert.throws(() => pool.accept(pay(coins[2]!, 250n)), reason('mempool full'));
    assert.deepEqual(
      pool.list().map((e) => e.txid),
      [txid(low), txid(mid)],
    );
    const high = pay(coins[2]!, 900n);
    pool.accept(high);
    assert.deepEqual(
      pool
        .list()
        .map((e) => e.txid)
        .sort(),
      [txid(mid), txid(high)].sort(),
    );
  });
});

describe('template selection', () => {
  test('by fee rate, a child after its parent, within the size limit; a high-fee child lifts its parent', () => {
    const { pool, coins } = setup(3);
    const parent = pay(coins[0]!, 200n, bob);
    const child = pay(out(parent), 50_000n, alice, bob);
    const mid = pay(coins[1]!, 5_000n);
    const low = pay(coins[2]!, 300n);
    for (const tx of [parent, mid, low, child]) pool.accept(tx);
    const all = pool.select(1_000_000);
    assert.deepEqual(all.txs.map(txid), [parent, child, mid, low].map(txid));
    assert.equal(all.fees, 200n + 50_000n + 5_000n + 300n);
    const one = encodeTx(mid).length;
    const small = pool.select(one);
    assert.deepEqual(small.txs.map(txid), [txid(mid)]);
  });
});

describe('following the chain', () => {
  test('a block removes what it confirms and what conflicts with it, with descendants', () => {
    const { chain, pool, coins } = setup(3);
    const a = pay(coins[0]!, 1000n, bob);
    const aChild = pay(out(a), 1000n, alice, bob);
    const b = pay(coins[1]!, 1000n);
    for (const tx of [a, aChild, b]) pool.accept(tx);
    const rival = pay(coins[0]!, 3000n, alice);
    mineBlock(chain, [rival, b], 4000n);
    assert.equal(pool.size, 0);
    assert.equal(pool.bytes, 0);
  });
  test('a reorg puts the disconnected transactions back, and evicts what conflicts with the new branch', () => {
    const { chain, pool, coins } = setup(3);
    const fork = chain.tip;
    const tx1 = pay(coins[0]!, 1000n);
    const tx2 = pay(coins[1]!, 1000n);
    const a1 = mineBlock(chain, [tx1, tx2], 2000n);
    assert.equal(chain.tip.hash, blockHash(a1));
    // In the pool meanwhile: a spend of tx1's output.
    const child = pay(out(tx1), 1000n, alice, bob);
    pool.accept(child);
    // The rival branch confirms a conflicting spend of coins[1] and overtakes.
    const rival = pay(coins[1]!, 4000n, alice);
    const b1 = mineBlock(chain, [rival], 4000n, fork);
    mineBlock(chain, [], 0n, chain.get(blockHash(b1)));
    assert.equal(chain.tip.height, fork.height + 2);
    assert.ok(pool.has(txid(tx1)), 'tx1 is back');
    assert.ok(pool.has(txid(child)), 'its child stays');
    assert.equal(pool.has(txid(tx2)), false, 'tx2 conflicts with the rival');
    assert.deepEqual(pool.select(1_000_000).txs.map(txid), [txid(tx1), txid(child)]);
  });
});
