/**
 * Selfish mining: Eyal and Sirer, "Majority is not enough: Bitcoin mining is vulnerable" (2014), Algorithm 1,
 * step by step. The pool mines on its private chain; lengths are heights here (every block of a run has the same
 * work on a network without retargeting, and the algorithm is written in lengths).
 *
 * - The pool finds a block: it joins the private chain. If the two chains were level with one private block
 *   already out (the race after a tie), the pool publishes its chain and wins.
 * - Others find a block (a public block higher than any before): if the pool was not ahead, it adopts the public
 *   chain; one ahead, it publishes its block (a tie: the race gamma decides); two ahead, it publishes everything
 *   and wins; further ahead, it publishes its first unpublished block.
 *
 * Gamma is not decided here: the engine lets each honest node that hears the pool's block on a tip of equal work
 * switch to it with chance gamma (engine.ts), and a network's positions add their own.
 */
import type { VirtualBlock } from '../store.ts';
import type { MinerStrategy } from '../strategy.ts';
import type { NodeViews } from '../views.ts';
import { chainSlice } from './chain.ts';

export function selfishStrategy(me: number, gamma: number): MinerStrategy {
  /** The head of the private chain, and of the public chain as the pool knows it. */
  let priv: VirtualBlock | null = null;
  let pub: VirtualBlock | null = null;
  /** privateBranchLen: private blocks since the chains last agreed. */
  let branch = 0;
  /** Blocks of the private chain at this height or lower are published. */
  let published = 0;

  const start = (views: NodeViews): void => {
    if (priv !== null) return;
    priv = pub = views.bestOf(me);
    published = priv.height;
  };
  /** Publishes the private chain up to `height`. */
  const publish = (height: number): VirtualBlock[] => {
    const out = chainSlice(priv!, published, height);
    if (out.length > 0) published = out[out.length - 1]!.height;
    return out;
  };

  return {
    name: 'selfish',
    gamma,
    mineOn(_node, views) {
      start(views);
      return priv!;
    },
    onMined(_node, block, views) {
      start(views);
      const lead = priv!.height - pub!.height;
      priv = block;
      branch++;
      if (lead === 0 && branch === 2) {
        // Was a tie with a branch of one: the pool wins with its lead of one.
        const out = publish(priv.height);
        pub = priv;
        branch = 0;
        return out;
      }
      return [];
    },
    onHeard(_node, block, views) {
      start(views);
      // Not a longer public chain (a stale block, one of ours coming back): relay it and change nothing.
      if (block.miner === me || block.height <= pub!.height) return [block];
      const lead = priv!.height - pub!.height;
      pub = block;
      if (lead <= 0) {
        // They win: mine on their chain (and pass it on, as an honest node would).
        priv = block;
        branch = 0;
        published = block.height;
        return [block];
      }
      if (lead === 1) return publish(priv!.height); // now level: try our luck
      if (lead === 2) {
        // Ahead by one after their block: publish it all, ours is longer.
        const out = publish(priv!.height);
        pub = priv;
        branch = 0;
        return out;
      }
      return publish(block.height); // far ahead: match their length, stay ahead in private
    },
    report: () => ({ strategy: 'selfish', params: { gamma } }),
  };
}
