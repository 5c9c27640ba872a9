import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  displayFromInternal,
  merkleBranch,
  merkleRoot,
  verifyMerkleBranch,
} from '../../../src/consensus/index.ts';
import { publicVectors } from '../../helpers/vectors.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

const txidArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => displayFromInternal(b));

describe('merkle root against real blocks', () => {
  for (const m of publicVectors.merkle) {
    test(`block ${m.height}: ${m.txids.length} transaction(s)`, () => {
      assert.deepEqual(merkleRoot(m.txids), { root: m.merkleRoot, mutated: false });
    });
  }
  test('the header of each vector block commits to that root', () => {
    for (const m of publicVectors.merkle) {
      const header = publicVectors.headers.find((h) => h.hash === m.blockHash);
      if (header) assert.equal(header.merkleRoot, m.merkleRoot);
    }
  });
});

describe('CVE-2012-2459 mutation', () => {
  const three = publicVectors.merkle.find((m) => m.txids.length === 3)!;
  test('[a, b, c, c] has the same root as [a, b, c] and is flagged mutated', () => {
    const mutated = merkleRoot([...three.txids, three.txids[2]!]);
    assert.equal(mutated.root, three.merkleRoot);
    assert.equal(mutated.mutated, true);
    assert.equal(merkleRoot(three.txids).mutated, false);
  });
  test('a duplicated pair one level up: [a..f, e, f] has the root of [a..f] and is flagged', () => {
    const ids = ['11', '22', '33', '44', '55', '66'].map((x) => x.repeat(32));
    const eight = merkleRoot([...ids, ids[4]!, ids[5]!]);
    assert.equal(eight.root, merkleRoot(ids).root);
    assert.equal(eight.mutated, true);
    assert.equal(merkleRoot(ids).mutated, false);
  });
  test('a single transaction is never mutated; an empty list gives the zero hash', () => {
    assert.deepEqual(merkleRoot([]), { root: '0'.repeat(64), mutated: false });
    assert.equal(merkleRoot(['ab'.repeat(32)]).root, 'ab'.repeat(32));
  });
});

describe('merkle branches', () => {
  test('each leaf of block 170 and the 3-tx block proves against the root', () => {
    for (const m of publicVectors.merkle) {
      m.txids.forEach((t, i) => assert.ok(verifyMerkleBranch(t, merkleBranch(m.txids, i), m.merkleRoot)));
    }
  });
  test('property: every leaf proves; a different leaf or a flipped sibling does not', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(txidArb, { minLength: 1, maxLength: 40 }),
        fc.nat(),
        txidArb,
        (txids, k, other) => {
          const { root } = merkleRoot(txids);
          const i = k % txids.length;
          const branch = merkleBranch(txids, i);
          assert.ok(verifyMerkleBranch(txids[i]!, branch, root));
          if (!txids.includes(other)) assert.ok(!verifyMerkleBranch(other, branch, root));
          if (branch.siblings.length > 0) {
            const flipped = { ...branch, siblings: [other, ...branch.siblings.slice(1)] };
            if (other !== branch.siblings[0]) assert.ok(!verifyMerkleBranch(txids[i]!, flipped, root));
          }
        },
      ),
    );
  });
  test('rejects an index outside the list', () => {
    assert.throws(() => merkleBranch(['ab'.repeat(32)], 1), RangeError);
  });
});
