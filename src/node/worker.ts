/**
 * A node in a worker thread (what `chainsim simulate` runs, one per node). It mines through the manager's
 * pool over `workerData.powPort`, serves HTTP on its own port, and tells the manager what happens:
 * `ready`, `failed`, `status` once a second, `tip` on every tip change, `block` for every block it stores,
 * `exiting`. Blocks and transactions it pushes to the other nodes of the simulator go through the manager too
 * (`push` out, `pushed` in: a `PeerLink`), and every message to them asks the network model first (`model`;
 * `network` messages update it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getNetwork } from '../consensus/index.ts';
import { createPortPowClient } from '../mining/remote.ts';
import { createLineLogger, silentLogger } from '../runtime/logger.ts';
import { createNetworkModel } from '../net/model/index.ts';
import type { PeerLink } from '../net/relay.ts';
import type { ChainsimNode } from './node.ts';
import { startNode } from './start.ts';
import { StartupError } from './startup-error.ts';
export { rehearseBlockPath as rehearse } from './rehearsal.ts';
import { hexToBytes } from '../util/bytes.ts';

import {
  type ManagerMessage,
  type NodeStatus,
  type NodeWorkerData,
  preciseNow,
  PUSH_ACK_TIMEOUT_MS,
  type WorkerMessage,
} from './worker-protocol.ts';

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
  let node!: ChainsimNode;
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
            if (closing) return resolve();
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
  // Every node builds the same model from the same settings, drawing from its own stream of the seed.
  const model = data.model ? createNetworkModel(data.model, data.index + 1) : undefined;
  let reorgs = 0;
  let lastTipAt = Date.now();
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
  let timer: NodeJS.Timeout | undefined;
  let closing = false;
  const shutdown = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    clearInterval(timer);
    node.stopMining();
    // A target shutting down with us never acknowledges our pushes, and closing would wait for them up to
    // PUSH_ACK_TIMEOUT_MS (measured: 1 shutdown in 6 of a 5-node ring, right after a relay, took 5 s).
    for (const ack of [...acks.keys()]) done(ack);
    logger.info('shutting down');
    await starting.then(
      (started) => started.close(),
      () => undefined,
    );
    post({ type: 'exiting' });
    parentPort!.close();
  };
  const starting = startNode({
    ...(link ? { link } : {}),
    ...(model ? { model } : {}),
    params,
    pow,
    logger,
    store: data.dataDir ? { dataDir: data.dataDir } : 'memory',
    ...(data.reindex ? { reindex: true } : {}),
    ...(data.id ? { id: data.id } : {}),
    ...(data.newKey
      ? { newKey: { secret: hexToBytes(data.newKey.secret), publicKey: hexToBytes(data.newKey.publicKey) } }
      : {}),
    onOpen: (opened) => {
      node = opened;
      // Every block stored, on any branch, once it is written: what the manager measures propagation by.
      node.onStored((b) =>
        post({
          type: 'block',
          hash: b.hash,
          prev: b.header.prevHash,
          height: b.height,
          time: b.header.time,
          at: preciseNow(),
          mined: node.minedRecently(b.hash),
        }),
      );
      timer = setInterval(() => post({ type: 'status', status: status() }), 1000);
    },
    // The durable tip: nothing is reported before it is stored.
    onTip: (tip, path) => {
      lastTipAt = Date.now();
      if (path.disconnect.length > 0) reorgs++;
      post({
        type: 'tip',
        hash: tip.hash,
        height: tip.height,
        chainwork: tip.chainwork.toString(16),
        at: preciseNow(),
        mined: tip.hash === node.lastMinedHash,
        disconnected: path.disconnect.length,
      });
    },
    listen: {
      host: data.host,
      port: data.port,
      ...(data.token ? { token: data.token } : {}),
      ...(data.maxConnections ? { maxConnections: data.maxConnections } : {}),
      ...(data.advertise ? { advertise: data.advertise } : {}),
      onShutdown: () => void shutdown(),
    },
    ...(data.peers ? { peers: data.peers } : {}),
  });
  try {
    await starting;
  } catch (err) {
    clearInterval(timer);
    post({ type: 'failed', error: StartupError.from(err).toObject() });
    parentPort!.close();
    return;
  }
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
    } else if (msg.type === 'network') {
      // A partition, a heal or new link settings: the model follows at once, and the links that came back
      // exchange tips (Relay.updateNetwork). No restart.
      node.relay.updateNetwork(msg.settings, msg.reconnect).catch((err: unknown) => {
        logger.error({ err: (err as Error).message }, 'applying the network settings failed');
      });
    }
  });
  post({ type: 'ready', id: node.id, address: node.address, status: status() });
}

if (parentPort && workerData && !(workerData as NodeWorkerData).rehearsal) {
  void main(workerData as NodeWorkerData);
}
