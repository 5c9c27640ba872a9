/**
 * A scenario's timeline for a virtual run: its events, as a scenario file gives them (node numbers, fractions,
 * link settings in the model's terms), compiled into the engine's changes (engine/timeline.ts) over the run's
 * network settings.
 */
import type { StrategySpec } from '../engine/strategies/spec.ts';
import type { EngineChange, TimedChange } from '../engine/timeline.ts';
import {
  checkPartition,
  type LinkOverride,
  type LinkSettings,
  makeSettings,
  ModelError,
  type NetworkSettings,
} from '../net/model/index.ts';
import { renormaliseShares } from '../sim/shares.ts';
import { UsageError } from './output.ts';

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

/**
 * The engine's changes for a scenario's events over the run's starting network. Each network edit applies to
 * the settings as they are when it happens (a heal keeps the link settings, new link settings keep a
 * partition). Every edit is tried once here on the starting settings, so a bad one (a link where the topology
 * has none, a node twice in a partition) is a UsageError before anything runs.
 */
export function compileEvents(
  events: readonly ScenarioEvent[],
  base: NetworkSettings,
  where: (index: number) => string = (i) => `timeline[${i}]`,
): TimedChange[] {
  const n = base.nodes.length;
  return events.map((e, index) => {
    const at = 'seconds' in e.at ? { ms: e.at.seconds * 1000 } : { height: e.at.height };
    const change = changeFor(e.action, n, where(index));
    if (change.kind === 'network' && typeof change.settings === 'function') {
      const edit = change.settings;
      tryModel(where(index), () => edit(base));
    }
    return { at, change };
  });
}

/** `f`'s value; a ModelError (a bad model value) becomes a UsageError naming `where`. */
export function tryModel<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof ModelError) throw new UsageError(`${where}: ${err.message}`);
    throw err;
  }
}

function changeFor(a: ScenarioAction, n: number, where: string): EngineChange {
  const node = (i: number): number => {
    if (!Number.isSafeInteger(i) || i < 0 || i >= n)
      throw new UsageError(`${where}: node ${i} does not exist (the nodes are 0 to ${n - 1})`);
    return i;
  };
  switch (a.kind) {
    case 'partition': {
      const groups = tryModel(where, () => checkPartition(a.groups, n));
      return { kind: 'network', settings: (s) => ({ ...s, partition: groups }) };
    }
    case 'heal':
      return { kind: 'network', settings: (s) => ({ ...s, partition: null }) };
    case 'links':
      return {
        kind: 'network',
        settings: (s) =>
          makeSettings({
            seed: s.seed,
            nodes: s.nodes,
            topology: s.topology,
            fileEdges: s.edges,
            defaults: { ...s.defaults, ...(a.defaults ?? {}) },
            links: [...s.links, ...(a.links ?? [])],
            partition: s.partition,
          }),
      };
    case 'stop':
    case 'start':
      return { kind: 'node', node: node(a.node), up: a.kind === 'start' };
    case 'share': {
      const i = node(a.node);
      if (!(a.share > 0 && a.share <= 1))
        throw new UsageError(`${where}: a share is a fraction in (0, 1], got ${a.share}`);
      // The engine's shares are percent summing to 100 (computeVirtual), as the live manager's are.
      return { kind: 'shares', shares: (current) => renormaliseShares(current, i, a.share * 100) };
    }
    case 'strategy':
      return { kind: 'strategy', node: node(a.node), spec: a.spec };
    case 'transactions':
      throw new UsageError(
        `${where}: transactions only run live (virtual blocks carry none); run the scenario with --live`,
      );
  }
}
