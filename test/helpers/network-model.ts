/**
 * Network models for integration tests: the settings the manager would send, and node i's model of them.
 */
import type { Edge, ModelView, NetworkSettings, TopologySpec } from '../../src/net/model/types.ts';
import { NO_LINK_EFFECTS } from '../../src/net/model/types.ts';
import { FakeModel } from './model.ts';

/** Settings over `addresses` (full mesh unless `edges` are given), with a partition or none. */
export function settingsFor(
  addresses: readonly string[],
  topology: TopologySpec,
  partition: readonly (readonly number[])[] | null,
  edges?: readonly Edge[],
): NetworkSettings {
  const all: Edge[] = [];
  for (let a = 0; a < addresses.length; a++) for (let b = a + 1; b < addresses.length; b++) all.push([a, b]);
  return {
    seed: 7,
    nodes: addresses,
    edges: edges ?? all,
    topology,
    defaults: NO_LINK_EFFECTS,
    links: [],
    partition,
  };
}

/** Node i's model of `settings`. */
export function modelFor(settings: NetworkSettings, _i: number): ModelView {
  const m = new FakeModel(settings.nodes);
  m.update(settings);
  return m;
}
