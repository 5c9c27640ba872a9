/**
 * A scenario's timeline for a virtual run: its events, as a scenario file gives them (node numbers, fractions,
 * link settings in the model's terms), compiled into the engine's changes (engine/timeline.ts) over the run's
 * network settings.
 */
import type { StrategySpec } from '../engine/strategies/spec.ts';
import type { LinkOverride, LinkSettings } from '../net/model/index.ts';

export type ScenarioAction =
  /** Groups of node numbers; a node in no group is alone. */
  | { readonly kind: 'partition'; readonly groups: ReadonlyArray<readonly number[]> }
  | { readonly kind: 'heal' }
  /** New default link settings (merged over the current ones) and/or overrides for some links. */
  | {
      readonly kind: 'links';
      readonly defaults?: Partial<LinkSettings>;
      readonly links?: readonly LinkOverride[];
    }
  | { readonly kind: 'stop'; readonly node: number }
  | { readonly kind: 'start'; readonly node: number }
  /** The node's hash-power share becomes `share` (a fraction in (0, 1]); the others keep their ratios. */
  | { readonly kind: 'share'; readonly node: number; readonly share: number }
  /** The node follows `spec` from now on (`{ strategy: 'honest' }` stops a strategy). */
  | { readonly kind: 'strategy'; readonly node: number; readonly spec: StrategySpec }
  /** Transactions at a rate (live runs only: virtual blocks carry none). */
  | { readonly kind: 'transactions'; readonly perSecond: number; readonly from?: number };

/** When: seconds from the start (virtual seconds in a virtual run), or once a node has a block this high. */
export type ScenarioAt = { readonly seconds: number } | { readonly height: number };

export interface ScenarioEvent {
  readonly at: ScenarioAt;
  readonly action: ScenarioAction;
}

/** A strategic miner of a scenario. */
export interface StrategicMiner {
  readonly node: number;
  readonly spec: StrategySpec;
}
