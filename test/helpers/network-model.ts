/**
 * Network models for integration tests: the settings the manager would send (the real makeSettings), and node
 * i's model of them (the real model, stream i + 1 of the seed, as the worker builds it).
 */
import { createNetworkModel, makeSettings } from '../../src/net/model/index.ts';
import type { ModelView, NetworkSettings, TopologySpec } from '../../src/net/model/types.ts';

/** Settings over `addresses` with `topology` and a partition (null: none). */
export function settingsFor(
  addresses: readonly string[],
  topology: TopologySpec,
  partition: readonly (readonly number[])[] | null,
): NetworkSettings {
  return makeSettings({ seed: 7, nodes: addresses, topology, partition });
}

/** Node i's model of `settings`. */
export function modelFor(settings: NetworkSettings, i: number): ModelView {
  return createNetworkModel(settings, i + 1);
}
