/** Miners that keep to a chain of their own: one that never publishes, and the attacker of an eclipse. */
import type { VirtualBlock } from '../store.ts';
import type { MinerStrategy } from '../strategy.ts';

/** Mines on its own chain and never publishes it; passes on what it hears, as any node does. */
export function withholdStrategy(me: number): MinerStrategy {
  let priv: VirtualBlock | null = null;
  return {
    name: 'withhold',
    mineOn: (_node, views) => (priv ??= views.bestOf(me)),
    onMined(_node, block) {
      priv = block;
      return [];
    },
    onHeard: (_node, block) => [block],
    report: () => ({ strategy: 'withhold', params: {} }),
  };
}

/**
 * The attacker of an eclipse: it relays nothing it hears and mines on its own chain, which it announces. A
 * victim whose every link is to it sees only that chain; the victim's own blocks on it join it (the attacker
 * adopts a victim block that extends its chain), so the victim mines for the attacker's branch, not the
 * network's.
 */
export function eclipseStrategy(me: number, victim: number): MinerStrategy {
  let priv: VirtualBlock | null = null;
  return {
    name: 'eclipse',
    mineOn: (_node, views) => (priv ??= views.bestOf(me)),
    onMined(_node, block) {
      priv = block;
      return [block];
    },
    onHeard(_node, block, views) {
      priv ??= views.bestOf(me);
      if (block.miner === victim && block.prev === priv) priv = block;
      return [];
    },
    report: () => ({ strategy: 'eclipse', params: { victim } }),
  };
}
