/** The strategies a scenario names (spec.ts), made into the stateful strategies one run uses. */
import { HONEST, type MinerStrategy } from '../strategy.ts';
import { doubleSpendStrategy } from './double-spend.ts';
import { eclipseStrategy, withholdStrategy } from './private-chain.ts';
import { selfishStrategy } from './selfish.ts';
import type { StrategySpec } from './spec.ts';

export { DEFAULT_GIVE_UP_BEHIND, STRATEGY_NAMES } from './spec.ts';
export type { StrategyName, StrategyReport, StrategySpec } from './spec.ts';

/** A fresh strategy for `node` (each keeps its own state: make one per node and run). */
export function createStrategy(spec: StrategySpec, node: number): MinerStrategy {
  switch (spec.strategy) {
    case 'honest':
      return HONEST;
    case 'selfish':
      return selfishStrategy(node, spec.gamma);
    case 'double-spend':
      return doubleSpendStrategy(node, spec.confirmations, spec.giveUpBehind);
    case 'withhold':
      return withholdStrategy(node);
    case 'eclipse':
      return eclipseStrategy(node, spec.victim);
  }
}
