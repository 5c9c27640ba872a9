/**
 * The shapes a simulation shares with its parts and its users: its options, one node's handle, a run of mining
 * requests, the shutdown report and the events it emits.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { NetworkName } from '../consensus/index.ts';
import type { KernelName } from '../mining/kernels/index.ts';
import type { PowClient } from '../mining/scheduler.ts';
import type { LinkOverride, LinkSettings, TopologySpec } from '../net/model/types.ts';
import type { NodeStatus, StoredBlock } from '../node/worker-protocol.ts';
import type { LogLevel, LogSink } from '../runtime/logger.ts';

export interface SimulationOptions {
  readonly nodes: number;
  readonly port: number;
  readonly basePort: number;
  readonly host: string;
  readonly network: NetworkName;
  /** Percent per node, summing to 100; equal shares when omitted. */
  readonly hashPower?: readonly number[];
  readonly kernel: KernelName | 'auto';
  readonly threads?: number;
  /** Folder for manager.log and node-<port>.log; null logs nothing to files. */
  readonly logDir: string | null;
  readonly logLevel: LogLevel;
  readonly logger: Logger;
  /** Root of the nodes' data (`<dataDir>/<network>/node-<port>/`); null keeps every chain in memory. */
  readonly dataDir: string | null;
  /** Rebuild every node's index and UTXO set from its stored blocks first. */
  readonly reindex?: boolean;
  /** Bearer token for nodes bound beyond loopback. */
  readonly token?: string;
  /** How long a node may take to start. */
  readonly startTimeoutMs?: number;
  /**
   * How the nodes push blocks and transactions to each other: through the manager's message ports (default),
   * or over HTTP (`POST /block/new`, `POST /transactions/new`), as they push to peers outside this process.
   */
  readonly relay?: NodeRelay;
  /** The host peers and the manager reach the nodes at, when `host` is a wildcard (0.0.0.0). */
  readonly advertise?: string;
  /** Connections each node's server (and the manager's) holds at most; default: a share of the process's limit. */
  readonly maxConnections?: number;
  /** The network model (sim/network-control.ts): absent means `random:8`, no link effects, no partition. */
  readonly model?: ModelOptions;
  /** Root of the results (`<results>/<run>/summary.json`, `blocks.csv`); null or absent writes none. */
  readonly results?: string | null;
  /** The run's name under `results` (the CLI uses the log folder's run id). */
  readonly runId?: string;
  /** The run ends by itself after this many seconds, or once this run added this many blocks to the best chain. */
  readonly stopAfter?: { readonly durationS?: number; readonly blocks?: number };
}

/** The network model as the simulator is started with it; node numbers are indices (0..nodes-1). */
export interface ModelOptions {
  /** Every random choice of the model follows it; random when absent (and then printed and recorded). */
  readonly seed?: number;
  readonly topology?: TopologySpec;
  /** The edges of a `file` topology, already read and parsed (indices). */
  readonly fileEdges?: ReadonlyArray<readonly [number, number]>;
  readonly defaults?: Partial<LinkSettings>;
  readonly links?: readonly LinkOverride[];
  readonly partition?: ReadonlyArray<readonly number[]> | null;
}

export type NodeRelay = 'ports' | 'http';
export const NODE_RELAYS: readonly NodeRelay[] = ['ports', 'http'];

export type NodeState = 'starting' | 'up' | 'down' | 'stopped';

export interface NodeHandle {
  readonly index: number;
  readonly port: number;
  id: string;
  address: string;
  state: NodeState;
  share: number;
  status: NodeStatus | null;
  worker: Worker | null;
  pow: PowClient | null;
  powServer: { close(): void } | null;
  exitCode: number | null;
  /** This node's log file (lines from the worker), opened at its first start when there is a log directory. */
  logSink: LogSink | null;
}

export interface MiningRun {
  readonly requests: number;
  sent: number;
  completed: number;
  running: boolean;
  readonly blocks: Array<{ node: number; hash: string; height: number }>;
  readonly errors: Array<{ node: number; message: string }>;
  readonly startedAt: string;
  finishedAt: string | null;
}

export interface ShutdownReport {
  readonly nodes: Array<{ port: number; id: string; result: 'exited' | 'terminated' | 'already-down' }>;
  /** The folder the run's results were written to (summary.json, blocks.csv); null when none were. */
  readonly results?: string | null;
}

export interface SimEvents {
  /** `at`: when the node reported it (epoch ms, preciseNow). */
  tip: [
    node: NodeHandle,
    tip: { hash: string; height: number; at: number; mined: boolean; disconnected: number },
  ];
  /** A node stored a block (its `block` message). */
  block: [node: NodeHandle, block: StoredBlock];
  /** The network model changed: a partition, a heal, link settings, a node stopped or started. */
  network: [
    change: { readonly kind: 'partition' | 'heal' | 'links' | 'stop' | 'start'; readonly at: number },
  ];
  down: [node: NodeHandle, reason: string];
  up: [node: NodeHandle];
  warning: [message: string];
}
