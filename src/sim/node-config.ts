/**
 * What one node worker of a simulation starts with, apart from its proof-of-work port: its data folder, a new
 * mining key, its share of the process's connections, and the worker data built from the simulation's options.
 */
import type { NetworkSettings } from '../net/model/types.ts';
import type { NodeWorkerData } from '../node/worker-protocol.ts';
import { DEFAULT_MAX_CONNECTIONS } from '../http/server.ts';
import { generateMiningKey } from '../node/keys.ts';
import { bytesToHex } from '../util/bytes.ts';
import { openFilesLimit } from '../runtime/fd-limit.ts';
import type { NodeHandle, SimulationOptions } from './types.ts';

/**
 * Connections one server of a simulation may hold: half the process's open-file limit, shared by the nodes and the
 * manager (the other half is for LevelDB, logs and the nodes' own outbound sockets), between 32 and 1024. So one
 * node under attack runs out of connections before the process runs out of descriptors, and the others keep serving.
 */
export function connectionsPerServer(nodes: number, limit = openFilesLimit()): number {
  if (limit === undefined) return DEFAULT_MAX_CONNECTIONS;
  return Math.max(32, Math.min(DEFAULT_MAX_CONNECTIONS, Math.floor(limit / 2 / (nodes + 1))));
}

/** `<root>/<network>/node-<port>`: where a node keeps its identity and chain. */
export function nodeDataDir(root: string, network: string, port: number): string {
  return `${root}/${network}/node-${port}`;
}

export interface MiningKeyHex {
  readonly secret: string;
  readonly publicKey: string;
}

/** A mining key pair for a new node (hex); a node with a stored identity ignores it. */
export function newMiningKey(): MiningKeyHex {
  const k = generateMiningKey();
  return { secret: bytesToHex(k.secret), publicKey: bytesToHex(k.publicKey) };
}

/** What a simulation knows about one start of a node beyond its options and the node's handle. */
export interface NodeStart {
  /** Whether the node's log lines go to its log file (there is a log directory). */
  readonly log: boolean;
  readonly key: MiningKeyHex;
  /** Peers to register at once (a restarted node rejoining). */
  readonly peers: ReadonlyArray<{ id: string; address: string }> | undefined;
  /** Every node of the simulation: with the port relay, pushes to them go through the manager. */
  readonly nodes: readonly NodeHandle[];
  readonly maxConnections: number;
  readonly codeCache: Uint8Array | undefined;
  /** The network model as it is now (a node that starts during a partition respects it). */
  readonly model: NetworkSettings;
}

/** The worker data a node starts with; the proof-of-work port is added by the spawn (node-worker.ts). */
export function nodeWorkerData(
  opts: SimulationOptions,
  handle: NodeHandle,
  start: NodeStart,
): Omit<NodeWorkerData, 'powPort' | 'bundle'> {
  const { peers } = start;
  return {
    index: handle.index,
    port: handle.port,
    host: opts.host,
    network: opts.network,
    ...(handle.id ? { id: handle.id } : {}),
    share: handle.share,
    ...(opts.token ? { token: opts.token } : {}),
    log: start.log,
    logLevel: opts.logLevel,
    dataDir: opts.dataDir ? nodeDataDir(opts.dataDir, opts.network, handle.port) : null,
    ...(opts.reindex ? { reindex: true } : {}),
    newKey: start.key,
    ...(peers ? { peers } : {}),
    ...(opts.relay === 'http' ? {} : { linked: start.nodes.map((n) => n.address) }),
    maxConnections: start.maxConnections,
    ...(opts.advertise ? { advertise: opts.advertise } : {}),
    ...(start.codeCache ? { codeCache: start.codeCache } : {}),
    model: start.model,
  };
}
