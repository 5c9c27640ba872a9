/**
 * Changes during a run, at a virtual time or once the best chain reaches a height: the network's settings (a
 * partition, a heal, link settings), a node going down or coming back, hash-power shares, a miner's strategy.
 */
import type { NetworkSettings } from '../net/model/index.ts';
import type { StrategySpec } from './strategies/spec.ts';

export type EngineChange =
  /** The network's settings from now on, or how to make them from the current ones (a scenario's edits). */
  | {
      readonly kind: 'network';
      readonly settings: NetworkSettings | ((current: NetworkSettings) => NetworkSettings);
    }
  /** Hash power by node, any positive scale, as EngineOptions.shares (or made from the current shares). */
  | {
      readonly kind: 'shares';
      readonly shares: readonly number[] | ((current: readonly number[]) => readonly number[]);
    }
  /** A node down hears nothing, sends nothing and mines nothing; back up, it exchanges tips with its links. */
  | { readonly kind: 'node'; readonly node: number; readonly up: boolean }
  /** The node follows this strategy from now on (`honest` stops one). */
  | { readonly kind: 'strategy'; readonly node: number; readonly spec: StrategySpec };

/** When a change happens: at a virtual time (ms from the start), or when some node first has a block this high. */
export type ChangeAt = { readonly ms: number } | { readonly height: number };

export interface TimedChange {
  readonly at: ChangeAt;
  readonly change: EngineChange;
}
