/** The network model (docs/network-model.md, "The model"): pure and seeded; the relay asks it about every message. */
export type {
  BlockedReason,
  Decision,
  Edge,
  LatencySpec,
  LinkOverride,
  LinkSettings,
  MessageKind,
  ModelView,
  NetworkSettings,
  Rng,
  TopologySpec,
} from './types.ts';
export { NO_LINK_EFFECTS } from './types.ts';
export { ModelError } from './errors.ts';
export type { ModelErrorCode } from './errors.ts';
export { createRng } from './rng.ts';
export {
  formatBandwidth,
  formatDurationMs,
  parseBandwidth,
  parseDurationMs,
  parseProbability,
} from './units.ts';
export { PARETO_SHAPE, drawLatency, formatLatency, meanLatencyMs, parseLatency } from './latency.ts';
export { describeLink, linkSettingsFrom } from './link.ts';
export {
  RANDOM_TOPOLOGY_DRAWS,
  buildTopology,
  describeTopology,
  isConnected,
  parseTopology,
} from './topology.ts';
export { describePorts, parseEdgeFile, parseLinkOverrides } from './edge-file.ts';
export { checkPartition, parsePartition } from './partition.ts';
export { groupsOf, makeSettings, newlyReachable, reachableIn, settingsFor } from './settings.ts';
export type { MakeSettingsOptions } from './settings.ts';
export { NetworkModel, createNetworkModel } from './model.ts';
export { BITCOIN_2019 } from './bitcoin-2019.ts';
export type { Bitcoin2019Parameters, ByNodeKind, FractionWeight } from './bitcoin-2019.ts';
export {
  BITCOIN_2019_MAX_NODES,
  bitcoin2019BandwidthBps,
  bitcoin2019BlockMessage,
  bitcoin2019Settings,
  bitcoin2019LatencyMs,
  bitcoin2019TransferMs,
  buildBitcoin2019,
} from './bitcoin-2019-network.ts';
export type { BlockMessage, RegionalNetwork } from './bitcoin-2019-network.ts';
