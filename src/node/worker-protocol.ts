/**
 * The messages between the manager (sim/) and a node worker (worker.ts), in one typed module both sides import:
 * what a worker is started with, what it reports (`ready`, `failed`, `status`, `tip`, `push`, `exiting`, ...)
 * and what the manager tells it (`shutdown`, `mining`, `pushed`, `push-acked`).
 */
import type { MessagePort } from 'node:worker_threads';
import type { NetworkSettings } from '../net/model/types.ts';
import type { StoredBlockReport } from '../results/ledger.ts';
import type { LinkPush } from '../net/protocol.ts';
import type { CodeCacheMessage } from '../runtime/worker-loader.ts';
import type { LoaderData } from '../runtime/worker-loader.ts';
import type { LogLevel } from '../runtime/logger.ts';
import type { StartupErrorObject } from './startup-error.ts';

export interface NodeWorkerData extends LoaderData {
  readonly index: number;
  readonly port: number;
  readonly host: string;
  readonly network: string;
  readonly id?: string;
  readonly share: number;
  readonly token?: string;
  /** Send log lines to the manager (`log` messages), which writes this node's log file; false logs nothing. */
  readonly log: boolean;
  /** This node's data directory (LevelDB), or null to keep everything in memory. */
  readonly dataDir: string | null;
  /** Rebuild the index and UTXO set from the stored blocks before starting. */
  readonly reindex?: boolean;
  /** The key pair a new node gets (hex), made by the manager so no worker pays for its first EC multiply. */
  readonly newKey?: { readonly secret: string; readonly publicKey: string };
  readonly logLevel: LogLevel;
  readonly powPort: MessagePort;
  /** Peers to register at once (a restarted node rejoining). */
  readonly peers?: ReadonlyArray<{ id: string; address: string }>;
  /**
   * Addresses of the simulator's nodes: pushes to these peers go through the manager (`push` messages), not
   * over HTTP. Absent: every push goes over HTTP.
   */
  readonly linked?: readonly string[];
  /** Connections this node's server holds at most (a share of the process's file descriptors). */
  readonly maxConnections?: number;
  /** The host peers reach this node at, when it binds a wildcard address. */
  readonly advertise?: string;
  /** The simulator's network model: every message to another node of it asks the model first. Absent: none. */
  readonly model?: NetworkSettings;
}

export interface NodeStatus {
  readonly id: string;
  readonly address: string;
  readonly height: number;
  readonly tip: string;
  readonly chainwork: string;
  readonly peers: number;
  readonly hashRate: number;
  readonly mempool: number;
  readonly blocksMined: number;
  readonly reorgs: number;
  /** ms since the epoch when the tip last changed. */
  readonly lastTipAt: number;
  readonly mining: boolean;
}

export type WorkerMessage =
  | { type: 'ready'; id: string; address: string; status: NodeStatus }
  /** Start-up failed (startup-error.ts: `StartupError.fromObject` rebuilds it). */
  | { type: 'failed'; error: StartupErrorObject }
  | { type: 'status'; status: NodeStatus }
  /** A new durable tip; `chainwork` as in NodeStatus (hex), so the manager's status of the node stays whole. */
  | {
      type: 'tip';
      hash: string;
      height: number;
      chainwork: string;
      at: number;
      mined: boolean;
      disconnected: number;
    }
  /** A block this node has just stored (on any branch), once it is written: what propagation is measured by. */
  | ({ type: 'block' } & StoredBlock)
  | { type: 'exiting' }
  /** One pino JSON line for this node's log file. */
  | { type: 'log'; line: string }
  /** A block or transaction for other nodes of the simulator, which the manager delivers as `pushed`. */
  /** (The manager names the sender itself: the worker the message came from.) */
  | ({ type: 'push'; ack: number } & LinkPush)
  /** This node has handled the `pushed` message `ack` (the manager tells the sender once all targets have). */
  | { type: 'pushed-done'; ack: PushAck }
  /** From the rehearsal worker (runtime/worker-loader.ts). */
  | CodeCacheMessage;

export type ManagerMessage =
  | { type: 'shutdown' }
  | { type: 'mining'; on: boolean }
  /** A `push` of another node, for this one (`to` dropped). */
  | ({ type: 'pushed'; from: PushSender; ack: PushAck } & Omit<LinkPush, 'to'>)
  /** Every target of this node's push `ack` has handled it (or is down). */
  | { type: 'push-acked'; ack: number }
  /**
   * The network model changed (a partition, a heal, link settings). `reconnect`: addresses of peers whose link to
   * this node has just come back (a heal, a restarted node), with which it exchanges tips at once.
   */
  | { type: 'network'; settings: NetworkSettings; reconnect: readonly string[] };

/** A block a node stored, as it reports it to the manager (`at`: preciseNow() when it was stored); the ledger's input. */
export type StoredBlock = StoredBlockReport;

/** Names one delivery of a push: the sender's port and its push number. */
export interface PushAck {
  readonly port: number;
  readonly id: number;
}

/** A push whose targets have not all answered within this is taken as done (a target may have crashed). */
export const PUSH_ACK_TIMEOUT_MS = 5000;

/** The node a `push` comes from, as the relay headers name it over HTTP. */
export interface PushSender {
  readonly id: string;
  readonly address: string;
}

/** Wall-clock ms with sub-ms precision, comparable across threads (for propagation times). */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
