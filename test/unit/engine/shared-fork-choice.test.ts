/**
 * The virtual engine's nodes choose their tip with the live node's code: the same random arrivals of real blocks,
 * through a live node's block tree (chain/block-tree.ts) and through a virtual node's view (engine/views.ts),
 * give the same tip after every arrival, including ties of equal work (first seen stays) and reorgs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BlockTree, type BlockEntry } from '../../../src/chain/block-tree.ts';
import { ConsensusError, networks } from '../../../src/consensus/index.ts';
import { BlockStore, NodeViews, virtualBlock, type VirtualBlock } from '../../../src/engine/index.ts';
import { mineOn, retargetParams, solve } from '../../helpers/chain.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();
const NOW = 2_000_000_000;

for (const params of [networks.regtest, retargetParams]) {
  test(`${params === networks.regtest ? 'regtest' : 'with retargets'}: a live block tree and a virtual view pick the same tip, arrival by arrival`, () => {
    fc.assert(
      fc.property(
        // Each new block's parent, as an index into the blocks so far (0: genesis).
        fc.array(fc.nat(), { minLength: 1, maxLength: 24 }),
        fc.array(fc.nat(), { minLength: 24, maxLength: 24 }),
        (parents, shuffle) => {
          // The blocks, made once on a tree that accepts all of them.
          const maker = new BlockTree({ params });
          const entries: BlockEntry[] = [maker.genesis];
          const blocks = parents.map((p) => {
            const parent = entries[p % entries.length]!;
            const block = mineOn(parent, params, { time: parent.time + 1 + (p % 5) });
            entries.push(maker.addBlock(block, NOW).entry);
            return { block, parent: entries.indexOf(parent) };
          });
          // An arrival order that keeps parents first: repeatedly take one of the blocks whose parent is in.
          const order: number[] = [];
          const arrived = new Set<number>([0]);
          const pending = blocks.map((_, i) => i + 1);
          for (let k = 0; pending.length > 0; k++) {
            const ready = pending.filter((i) => arrived.has(blocks[i - 1]!.parent));
            const pick = ready[shuffle[k % shuffle.length]! % ready.length]!;
            pending.splice(pending.indexOf(pick), 1);
            arrived.add(pick);
            order.push(pick);
          }
          const live = new BlockTree({ params });
          const store = new BlockStore(params);
          const views = new NodeViews(1, store);
          const virtual = new Map<number, VirtualBlock>([[0, store.genesis]]);
          for (const i of order) {
            const { block, parent } = blocks[i - 1]!;
            live.addBlock(block, NOW);
            const vb = store.put(block, virtual.get(parent)!, 0, 0);
            virtual.set(i, vb);
            views.accept(0, vb);
            assert.equal(views.bestOf(0).hash, live.tip.hash);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
}

test("a block the virtual engine made is refused by a live node's block tree, even with a valid proof of work", () => {
  const params = networks.regtest;
  const live = new BlockTree({ params });
  const made = virtualBlock(live.genesis, 3, live.genesis.time + 600, params);
  // A nonce that meets regtest's target, so the mark is what refuses it, not the missing work.
  const block = { header: solve(made.header, params), txs: made.txs };
  assert.throws(
    () => live.addBlock(block, NOW),
    (err: unknown) => err instanceof ConsensusError && err.code === 'virtual-block',
  );
  assert.equal(live.tip, live.genesis);
});
