/**
 * What a scenario asks a miner to do, as data: the strategies the engine knows, with their parameters. A scenario
 * file's `miners` entries and timeline `strategy` events become these; strategies/index.ts makes the stateful
 * strategy (strategy.ts's MinerStrategy) a run uses from one.
 */

export type StrategySpec =
  /** Mines on its best tip and announces every block at once. */
  | { readonly strategy: 'honest' }
  /**
   * Eyal and Sirer's selfish mining (2014, Algorithm 1). `gamma` in [0, 1]: the chance that an honest node on
   * an equal-work tip switches to the attacker's block when it hears it (the share of honest power that mines on
   * the attacker's branch in a tie).
   */
  | { readonly strategy: 'selfish'; readonly gamma: number }
  /**
   * Rosenfeld's double spend: pre-mine one block in private, pay, wait until the merchant has `confirmations`
   * honest blocks, publish once the private chain has more work; give up `giveUpBehind` blocks behind.
   */
  | { readonly strategy: 'double-spend'; readonly confirmations: number; readonly giveUpBehind: number }
  /** Mines on its own chain and never publishes (a miner that only wastes its hash power, or hides it). */
  | { readonly strategy: 'withhold' }
  /**
   * The attacker of an eclipse: relays nothing it hears and mines on its own chain, which it announces, so a
   * node whose every link is to it (`victim`) sees only the attacker's (and its own) blocks.
   */
  | { readonly strategy: 'eclipse'; readonly victim: number };

export type StrategyName = StrategySpec['strategy'];

export const STRATEGY_NAMES: readonly StrategyName[] = [
  'honest',
  'selfish',
  'double-spend',
  'withhold',
  'eclipse',
];

/** Rosenfeld's give-up default: 20 blocks behind. */
export const DEFAULT_GIVE_UP_BEHIND = 20;

/** What a strategic miner did in a run, for summary.json's `strategies`. */
export interface StrategyReport {
  readonly strategy: StrategyName;
  /** Its parameters as given (gamma, confirmations, giveUpBehind, victim). */
  readonly params: Readonly<Record<string, number>>;
  /** Double spends: attempts (payments made), and those that succeeded. */
  readonly attempts?: number;
  readonly successes?: number;
}
