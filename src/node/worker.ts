/**
 * A node in a worker thread (what `chainsim simulate` runs, one per node). It mines through the manager's
 * pool over `workerData.powPort`, serves HTTP on its own port, and tells the manager what happens:
 * `ready`, `failed`, `status` once a second, `tip` on every tip change, `exiting`. Blocks and transactions it
 * pushes to the other nodes of the simulator go through the manager too (`push` out, `pushed` in: a `PeerLink`).
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { getNetwork } from '../consensus/index.ts';
import { createPortPowClient } from '../mining/remote.ts';
import { createLineLogger, type LogLevel, silentLogger } from '../util/logger.ts';
import { hostNode, type HostedNode } from './host.ts';
import type { LinkPush, PeerLink } from '../net/relay.ts';
import { openNode } from './open.ts';
export { rehearseBlockPath } from './rehearsal.ts';
import { hexToBytes } from '../util/bytes.ts';
import { rebuildStore } from '../store/reindex.ts';
import { createLevelStore, createMemoryStore, StoreError } from '../store/store.ts';

export interface NodeWorkerData {
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
  /** V8's code cache for the bundle (worker-loader.ts), shared by every node; absent if it could not be made. */
  readonly codeCache?: Uint8Array;
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
  | { type: 'failed'; code: string; message: string }
  | { type: 'status'; status: NodeStatus }
  | { type: 'tip'; hash: string; height: number; at: number; mined: boolean; disconnected: number }
  | { type: 'exiting' }
  /** One pino JSON line for this node's log file. */
  | { type: 'log'; line: string }
  /** A block or transaction for other nodes of the simulator, which the manager delivers as `pushed`. */
  /** (The manager names the sender itself: the worker the message came from.) */
  | ({ type: 'push'; ack: number } & LinkPush)
  /** This node has handled the `pushed` message `ack` (the manager tells the sender once all targets have). */
  | { type: 'pushed-done'; ack: PushAck }
  /** From the rehearsal worker (worker-loader.ts). */
  | { type: 'code-cache'; data: Uint8Array; rehearsalFailed?: string };

export type ManagerMessage =
  | { type: 'shutdown' }
  | { type: 'mining'; on: boolean }
  /** A `push` of another node, for this one (`to` dropped). */
  | ({ type: 'pushed'; from: PushSender; ack: PushAck } & Omit<LinkPush, 'to'>)
  /** Every target of this node's push `ack` has handled it (or is down). */
  | { type: 'push-acked'; ack: number };

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

/** The throwaway worker that makes the code cache (worker-loader.ts); it runs no node. */
export interface RehearsalWorkerData {
  readonly rehearsal: true;
}

/** Wall-clock ms with sub-ms precision, comparable across threads (for propagation times). */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

async function main(data: NodeWorkerData): Promise<void> {
  const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
  const params = getNetwork(data.network);
  const logger = data.log
    ? createLineLogger({
        level: data.logLevel,
        base: { node: data.port },
        write: (line) => post({ type: 'log', line }),
      })
    : silentLogger();
  const pow = createPortPowClient(data.powPort, `node-${data.port}`, data.share);
  let node: Awaited<ReturnType<typeof openNode>>;
  let pushes = 0;
  const acks = new Map<number, () => void>();
  const done = (ack: number): void => {
    acks.get(ack)?.();
    acks.delete(ack);
  };
  const linked = data.linked ? new Set(data.linked) : null;
  const link: PeerLink | undefined = linked
    ? {
        reaches: (address) => linked.has(address),
        push: (push) =>
          new Promise<void>((resolve) => {
            const ack = ++pushes;
            const timer = setTimeout(() => done(ack), PUSH_ACK_TIMEOUT_MS);
            acks.set(ack, () => {
              clearTimeout(timer);
              resolve();
            });
            post({ type: 'push', ack, ...push });
          }),
      }
    : undefined;
  try {
    const store = data.dataDir ? createLevelStore(data.dataDir) : createMemoryStore();
    if (data.reindex && data.dataDir) {
      const report = await rebuildStore(store, params, Math.floor(Date.now() / 1000));
      logger.info(
        report,
        `reindexed ${data.dataDir}${report.repaired ? ' after repairing it' : ''}: ${report.blocksAccepted} block(s), tip ${report.height}`,
      );
    }
    node = await openNode({
      ...(link ? { link } : {}),
      params,
      pow,
      logger,
      store,
      ...(data.id ? { id: data.id } : {}),
      ...(data.newKey
        ? { newKey: { secret: hexToBytes(data.newKey.secret), publicKey: hexToBytes(data.newKey.publicKey) } }
        : {}),
    });
  } catch (err) {
    post({
      type: 'failed',
      code: err instanceof StoreError ? `STORE_${err.kind.toUpperCase()}` : 'ERROR',
      message: (err as Error).message,
    });
    pow.close();
    parentPort!.close();
    return;
  }
  let reorgs = 0;
  let lastTipAt = Date.now();
  // The durable tip: nothing is reported before it is stored.
  node.onTip((tip, path) => {
    lastTipAt = Date.now();
    if (path.disconnect.length > 0) reorgs++;
    post({
      type: 'tip',
      hash: tip.hash,
      height: tip.height,
      at: preciseNow(),
      mined: tip.hash === node.lastMinedHash,
      disconnected: path.disconnect.length,
    });
  });
  const status = (): NodeStatus => ({
    id: node.id,
    address: node.address,
    height: node.tip.height,
    tip: node.tip.hash,
    chainwork: node.tip.chainwork.toString(16),
    peers: node.peers.size,
    hashRate: pow.hashRate(),
    mempool: node.mempool.size,
    blocksMined: node.blocksMined,
    reorgs,
    lastTipAt,
    mining: node.isMiningContinuously,
  });

  let hosted: HostedNode | undefined;
  let closing = false;
  const shutdown = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    clearInterval(timer);
    node.stopMining();
    logger.info('shutting down');
    await hosted?.close();
    pow.close();
    post({ type: 'exiting' });
    parentPort!.close();
  };
  const timer = setInterval(() => post({ type: 'status', status: status() }), 1000);
  try {
    hosted = await hostNode({
      node,
      host: data.host,
      port: data.port,
      ...(data.token ? { token: data.token } : {}),
      ...(data.maxConnections ? { maxConnections: data.maxConnections } : {}),
      ...(data.advertise ? { advertise: data.advertise } : {}),
      onShutdown: () => void shutdown(),
    });
  } catch (err) {
    clearInterval(timer);
    const e = err as NodeJS.ErrnoException;
    post({ type: 'failed', code: e.code ?? 'ERROR', message: e.message });
    await node.close();
    pow.close();
    parentPort!.close();
    return;
  }
  if (data.peers) await node.registerPeers(data.peers);
  logger.info(
    { id: node.id, address: node.address, network: params.name },
    `node ${node.id} listening on ${node.address}`,
  );
  parentPort!.on('message', (msg: ManagerMessage) => {
    if (msg.type === 'shutdown') void shutdown();
    else if (msg.type === 'pushed') {
      const ack = msg.ack;
      void node
        .receivePushed(msg.kind, msg.bytes, { ...msg.from, seenBy: msg.seenBy })
        .finally(() => post({ type: 'pushed-done', ack }));
    } else if (msg.type === 'push-acked') {
      done(msg.ack);
    } else if (msg.type === 'mining') {
      if (msg.on) node.startMining();
      else node.stopMining();
    }
  });
  post({ type: 'ready', id: node.id, address: node.address, status: status() });
}

if (parentPort && workerData && !(workerData as Partial<RehearsalWorkerData>).rehearsal) {
  void main(workerData as NodeWorkerData);
}
