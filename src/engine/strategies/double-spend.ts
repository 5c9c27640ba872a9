/**
 * A double spend in Rosenfeld's model ("Analysis of hashrate-based double spending", 2014), so that his exact
 * formula (results/theory.ts) is the oracle:
 *
 * 1. The attacker mines one block in private on the public tip; if the honest network moves first, it starts
 *    again on the new tip.
 * 2. With that block, it pays the merchant: the attempt starts. The payment confirms in the honest network's next
 *    block (the first confirmation) and the merchant ships after `confirmations` honest blocks.
 * 3. Meanwhile the attacker extends its private chain, which holds the conflicting transaction. Once the merchant
 *    has shipped and the private chain has more work than the honest one, it publishes it: a success.
 * 4. It gives up once it is `giveUpBehind` blocks behind: a failure (hiding the (q/p)^giveUpBehind chance it had).
 *
 * Virtual blocks carry no transactions, so the payment and its conflict are the two branches themselves.
 */
import type { VirtualBlock } from '../store.ts';
import type { MinerStrategy } from '../strategy.ts';
import type { NodeViews } from '../views.ts';
import { chainSlice } from './chain.ts';

export function doubleSpendStrategy(me: number, confirmations: number, giveUpBehind: number): MinerStrategy {
  let pub: VirtualBlock | null = null;
  /** During an attempt: the tip it started on, and the private chain's head. */
  let fork: VirtualBlock | null = null;
  let priv: VirtualBlock | null = null;
  let attempts = 0;
  let successes = 0;

  const start = (views: NodeViews): void => {
    if (pub === null) pub = views.bestOf(me);
  };
  /** After any block: publish on success, stop on giving up. */
  const settle = (): VirtualBlock[] => {
    if (fork === null || priv === null) return [];
    if (pub!.height - fork.height >= confirmations && priv.chainwork > pub!.chainwork) {
      successes++;
      const out = chainSlice(priv, fork.height, priv.height);
      pub = priv;
      fork = priv = null;
      return out;
    }
    if (pub!.height - priv.height >= giveUpBehind) fork = priv = null;
    return [];
  };

  return {
    name: 'double-spend',
    mineOn(_node, views) {
      start(views);
      return priv ?? pub!;
    },
    onMined(_node, block, views) {
      start(views);
      if (priv === null) {
        // The pre-mined block, on the public tip: pay the merchant now.
        attempts++;
        fork = pub;
        priv = block;
        return [];
      }
      priv = block;
      return settle();
    },
    onHeard(_node, block, views) {
      start(views);
      if (block.miner !== me && block.chainwork > pub!.chainwork) pub = block;
      return [block, ...settle()];
    },
    report: () => ({
      strategy: 'double-spend',
      params: { confirmations, giveUpBehind },
      attempts,
      successes,
    }),
  };
}
