import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createBlockTree, type BlockEntry, MAX_INVALID_HASHES } from '../../../src/chain/block-tree.ts';
import { createChain } from '../../../src/chain/chain.ts';
import {
  blockHash,
  blockMerkleRoot,
  ConsensusError,
  hashHeader,
  meetsTarget,
  networks,
} from '../../../src/consensus/index.ts';
import { extend, mineOn, retargetParams, solve } from '../../helpers/chain.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

const NOW = 2_000_000_000;
const reason = (r: string) => (e: unknown) => {
  assert.ok(e instanceof ConsensusError, String(e));
  assert.equal(e.reason, r);
  return true;
};

describe('block tree: fork choice by most work', () => {
  test('a longer chain at equal difficulty wins; the tip follows it', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const a = extend(tree, tree.genesis, 3);
    assert.equal(tree.tip, a);
    const b = extend(tree, tree.genesis, 4);
    assert.equal(tree.tip, b);
    assert.equal(b.chainwork, 5n * 2n); // genesis counts: 5 blocks of work 2 at 0x207fffff
  });

  test('first seen wins a tie', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const a = extend(tree, tree.genesis, 2);
    const b = extend(tree, tree.genesis, 2);
    assert.equal(a.chainwork, b.chainwork);
    assert.equal(tree.tip, a);
  });

  test('most work, not most blocks: a shorter, harder branch beats a longer, easier one', () => {
    const tree = createBlockTree({ params: retargetParams });
    // Common history up to height 3; the retarget at height 4 reads only common blocks (0..3).
    const base = extend(tree, tree.genesis, 3, 10);
    // Branch A: blocks 1 s apart, so the retarget at height 8 (window 4..7) makes blocks 4x harder.
    const fast = extend(tree, base, 6, 1);
    // Branch B: blocks 1000 s apart, so at height 8 difficulty falls back to powLimit; B has one block more.
    const slow = extend(tree, base, 7, 1000);
    assert.equal(fast.bits, tree.ancestor(fast, 8).bits);
    assert.ok(fast.bits !== slow.bits);
    assert.ok(slow.height > fast.height);
    assert.ok(fast.chainwork > slow.chainwork, `${fast.chainwork} vs ${slow.chainwork}`);
    assert.equal(tree.tip, fast);
  });

  test('findFork and reorgPath', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const base = extend(tree, tree.genesis, 2);
    const a = extend(tree, base, 2);
    const b = extend(tree, base, 3);
    assert.equal(tree.findFork(a, b), base);
    const path = tree.reorgPath(a, b);
    assert.equal(path.fork, base);
    assert.deepEqual(
      path.disconnect.map((e) => e.height),
      [4, 3],
    );
    assert.deepEqual(
      path.connect.map((e) => e.height),
      [3, 4, 5],
    );
    assert.equal(path.connect.at(-1), b);
    assert.deepEqual(tree.reorgPath(a, a), { fork: a, disconnect: [], connect: [] });
  });

  test('tips lists the active tip and the forks like getchaintips', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const base = extend(tree, tree.genesis, 1);
    const a = extend(tree, base, 1);
    const b = extend(tree, base, 2);
    const tips = tree.tips();
    assert.deepEqual(
      tips.map((t) => [t.hash, t.status, t.branchlen]),
      [
        [b.hash, 'active', 0],
        [a.hash, 'valid-fork', 1],
      ],
    );
  });

  test('the locator walks back one by one, then doubles, and ends at genesis', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const tip = extend(tree, tree.genesis, 40);
    const heights = tree.locator(tip).map((h) => tree.get(h)!.height);
    assert.deepEqual(heights, [40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 27, 23, 15, 0]);
  });
});

describe('block tree: invalid blocks', () => {
  test('an invalid block marks all its descendants invalid and the tip falls back', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const good = extend(tree, tree.genesis, 2);
    // Headers for a longer branch arrive first; its first block's body then proves invalid.
    const b1 = mineOn(tree.genesis, tree.params, { time: tree.genesis.time + 5 });
    const e1 = tree.addHeader(b1.header, NOW).entry;
    const b2 = mineOn(e1, tree.params);
    const e2 = tree.addHeader(b2.header, NOW).entry;
    const b3 = mineOn(e2, tree.params);
    const e3 = tree.addHeader(b3.header, NOW).entry;
    assert.equal(tree.bestHeader, e3);
    tree.invalidate(e1);
    for (const e of [e1, e2, e3]) assert.equal(e.status, 'invalid');
    assert.equal(tree.bestHeader, good);
    assert.equal(tree.tip, good);
    assert.throws(() => tree.addBlock(b2, NOW), reason('duplicate-invalid'));
    const child = mineOn(e3, tree.params);
    assert.throws(() => tree.addBlock(child, NOW), reason('bad-prevblk'));
  });

  test('a block whose body breaks a rule is remembered invalid with its descendants', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const block = mineOn(tree.genesis, tree.params);
    const cb = block.txs[0]!;
    // A coinbase with a wrong height commitment, properly committed in the merkle root and mined.
    const wrongHeight = {
      ...cb,
      inputs: [{ ...cb.inputs[0]!, script: Uint8Array.of(0x52, 8, 0, 0, 0, 0, 0, 0, 0, 0) }],
    };
    const txs = [wrongHeight];
    const bad = {
      header: solve({ ...block.header, merkleRoot: blockMerkleRoot(txs).root }, tree.params),
      txs,
    };
    assert.throws(() => tree.addBlock(bad, NOW), reason('bad-cb-height'));
    assert.equal(tree.get(blockHash(bad))?.status, 'invalid');
    assert.throws(() => tree.addBlock(bad, NOW), reason('duplicate-invalid'));
    assert.equal(tree.tip, tree.genesis);
  });

  test('a mutated block is rejected but not remembered: the genuine block is accepted after', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const genuine = mineOn(tree.genesis, tree.params);
    const cb = genuine.txs[0]!;
    const tampered = { ...genuine, txs: [{ ...cb, lockTime: 1 }] };
    assert.throws(() => tree.addBlock(tampered, NOW), reason('bad-txnmrklroot'));
    assert.equal(tree.isKnownInvalid(blockHash(genuine)), false);
    const { entry, isNew } = tree.addBlock(genuine, NOW);
    assert.ok(isNew);
    assert.equal(tree.tip, entry);
  });

  test('a mutated block leaves nothing behind: no index entry, no best header, nothing to store', () => {
    const chain = createChain({ params: networks.regtest, verifySchnorr: fastVerifySchnorr });
    chain.takeJournal();
    const cb = mineOn(chain.tip, chain.params).txs[0]!;
    const spend = (n: number) => ({
      ...cb,
      inputs: [{ ...cb.inputs[0]!, prevout: { txid: 'ab'.repeat(32) as never, vout: n } }],
    });
    // Its header has valid proof of work, but the transactions are not the ones it commits to: a wrong merkle
    // root, or CVE-2012-2459's duplicated last transaction (the same root as three transactions).
    const genuine = mineOn(chain.tip, chain.params, { txs: [spend(0), spend(1)] });
    const tampered = { ...genuine, txs: [{ ...genuine.txs[0]!, lockTime: 1 }, ...genuine.txs.slice(1)] };
    const duplicated = { ...genuine, txs: [...genuine.txs, genuine.txs[2]!] };
    for (const [bad, why] of [
      [tampered, 'bad-txnmrklroot'],
      [duplicated, 'bad-txns-duplicate'],
    ] as const) {
      assert.throws(() => chain.acceptBlock(bad, NOW), reason(why));
      assert.equal(chain.tree.size, 1, why);
      assert.equal(chain.tree.has(blockHash(bad)), false, why);
      assert.equal(chain.tree.bestHeader, chain.genesis, why);
      assert.deepEqual(
        chain.tips().map((t) => t.hash),
        [chain.genesis.hash],
        why,
      );
      assert.equal(chain.takeJournal(), null, why);
    }
  });

  test('headers refused as bad are remembered up to a bound, the oldest forgotten first', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const { header } = mineOn(tree.genesis, tree.params);
    // Headers that miss their target cost nothing to make: each one must not cost memory for ever.
    const missed: string[] = [];
    for (let nonce = 0; missed.length < MAX_INVALID_HASHES + 10; nonce++) {
      const h = { ...header, nonce };
      if (meetsTarget(hashHeader(h), h.bits, tree.params)) continue;
      assert.throws(() => tree.addHeader(h, NOW), reason('high-hash'));
      missed.push(hashHeader(h));
    }
    assert.equal(tree.isKnownInvalid(missed[0]!), false);
    assert.equal(tree.isKnownInvalid(missed.at(-1)!), true);
    assert.equal(tree.size, 1);
  });

  test('a block too far in the future is rejected, not remembered, and accepted once time catches up', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const future = mineOn(tree.genesis, tree.params, { time: NOW + 3 * 3600 });
    assert.throws(() => tree.addBlock(future, NOW), reason('time-too-new'));
    assert.equal(tree.has(blockHash(future)), false);
    assert.ok(tree.addBlock(future, NOW + 3600).isNew);
  });

  test('unknown parent: prev-blk-not-found, nothing stored', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const other = createBlockTree({ params: networks.regtest });
    const parent = extend(other, other.genesis, 1);
    const orphan = mineOn(parent, other.params);
    assert.throws(() => tree.addBlock(orphan, NOW), reason('prev-blk-not-found'));
    assert.equal(tree.size, 1);
  });

  test('a known block is reported as not new, and rejected headers change nothing', () => {
    const tree = createBlockTree({ params: networks.regtest });
    const block = mineOn(tree.genesis, tree.params);
    assert.ok(tree.addBlock(block, NOW).isNew);
    assert.equal(tree.addBlock(block, NOW).isNew, false);
    const before = tree.size;
    const tip = tree.tip;
    assert.throws(() =>
      tree.addHeader({ ...block.header, nonce: block.header.nonce + 1, bits: 0x1d00ffff }, NOW),
    );
    assert.equal(tree.size, before);
    assert.equal(tree.tip, tip);
  });
});

describe('block tree: property', () => {
  test('on random block trees the tip has maximal chainwork, first seen among equals', () => {
    // Each step picks a parent among existing entries and a time gap; retargeting every 4 blocks makes
    // difficulty (so work per block) differ between branches.
    const steps = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 60 })), {
      minLength: 1,
      maxLength: 14,
    });
    fc.assert(
      fc.property(steps, (plan) => {
        const tree = createBlockTree({ params: retargetParams });
        const entries: BlockEntry[] = [tree.genesis];
        for (const [pick, gap] of plan) {
          const parent = entries[pick % entries.length]!;
          const block = mineOn(parent, tree.params, { time: parent.time + gap });
          entries.push(tree.addBlock(block, NOW).entry);
        }
        const maxWork = entries.reduce((m, e) => (e.chainwork > m ? e.chainwork : m), 0n);
        const firstBest = entries.find((e) => e.chainwork === maxWork)!;
        assert.equal(tree.tip.chainwork, maxWork);
        assert.equal(tree.tip, firstBest);
        assert.deepEqual(tree.activeChain().at(-1), tree.tip);
      }),
      { numRuns: 60 },
    );
  });
});
