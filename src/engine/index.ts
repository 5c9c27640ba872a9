/** The virtual-time engine: a discrete-event run of the same chain code over the same network model. */
export { runEngine, MINING_STREAM } from './engine.ts';
export type { Transport, TransportHost } from './transport.ts';
export type { EngineOptions, EngineProgress, EngineResult } from './engine.ts';
export { EventQueue } from './event-queue.ts';
export type { QueuedEvent } from './event-queue.ts';
export { BlockStore, virtualBlock } from './store.ts';
export type { VirtualBlock } from './store.ts';
export { HONEST } from './strategy.ts';
export type { MinerStrategy } from './strategy.ts';
export { NodeViews } from './views.ts';
export type { Accepted } from './views.ts';
export { TIE_STREAM } from './engine.ts';
export { createStrategy, DEFAULT_GIVE_UP_BEHIND, STRATEGY_NAMES } from './strategies/index.ts';
export type { StrategyName, StrategyReport, StrategySpec } from './strategies/index.ts';
export type { ChangeAt, EngineChange, TimedChange } from './timeline.ts';
