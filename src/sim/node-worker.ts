/**
 * One node worker's life as the manager sees it: the Worker on the node bundle with its proof-of-work port, its
 * messages dispatched by type (to the node's handle, or to the simulation's callbacks), and its start-up settled
 * by `ready`, `failed`, a crash, an exit or the start timeout. An exit after start-up marks the node down.
 */
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { servePowPort } from '../mining/remote.ts';
import type { PowScheduler } from '../mining/scheduler.ts';
import type {
  NodeStatus,
  NodeWorkerData,
  PushAck,
  StoredBlock,
  WorkerMessage,
} from '../node/worker-protocol.ts';
import { isStoreFailure, StartupError } from '../node/startup-error.ts';
import { workerModuleUrl } from '../runtime/modules.ts';
import type { NodeHandle } from './types.ts';

/**
 * The node worker: one bundled file (node/worker.ts and all it imports) run by a small loader with V8's code
 * cache (npm run build:worker, runtime/worker-loader.ts). Resolved when a simulation starts, not on import, so
 * commands that import the simulator but start none run without a build.
 */
export function nodeWorkerFiles(): { readonly loader: URL; readonly bundle: string } {
  return {
    loader: workerModuleUrl(import.meta.url, '../runtime/worker-loader', '.cjs'),
    bundle: fileURLToPath(workerModuleUrl(import.meta.url, '../node/worker.bundle', '.cjs')),
  };
}

type Message<T extends WorkerMessage['type']> = Extract<WorkerMessage, { type: T }>;
export type TipMessage = Message<'tip'>;
export type PushMessage = Message<'push'>;

/** What the simulation hears from a node's worker. */
export interface NodeWorkerCallbacks {
  /** The node serves on its port (after every `ready`, also after a restart). */
  up(): void;
  /** Its tip changed; the handle's status already has it. */
  tip(tip: TipMessage): void;
  /** It stored a block (any branch), once written. */
  block(block: StoredBlock): void;
  /** A block or transaction for other nodes of the simulation. */
  push(push: PushMessage): void;
  /** It handled another node's push. */
  pushHandled(ack: PushAck): void;
  /** Its worker exited while nobody stopped it. */
  down(reason: string): void;
}

export interface SpawnNodeOptions {
  readonly handle: NodeHandle;
  readonly data: Omit<NodeWorkerData, 'powPort' | 'bundle'>;
  readonly scheduler: PowScheduler;
  readonly startTimeoutMs: number;
  readonly log: Logger;
  readonly on: NodeWorkerCallbacks;
}

type MessageHandlers = { [T in WorkerMessage['type']]?: (msg: Message<T>) => void };

/**
 * Starts the node's worker; resolves once it is up, rejects with a message naming the node (and what to change)
 * if it fails, crashes, exits or takes longer than `startTimeoutMs` to start.
 */
export function spawnNodeWorker(o: SpawnNodeOptions): Promise<void> {
  const { handle } = o;
  const channel = new MessageChannel();
  const pow = o.scheduler.addClient({ name: `node-${handle.port}`, share: handle.share });
  handle.pow = pow;
  handle.powServer = servePowPort(channel.port1, pow);
  handle.state = 'starting';
  handle.exitCode = null;
  const files = nodeWorkerFiles();
  const data: NodeWorkerData = { ...o.data, bundle: files.bundle, powPort: channel.port2 };
  // No execArgv: a loader the parent was started with (tsx in tests) would hook every import of every
  // worker, and the workers run the compiled bundle anyway.
  const worker = new Worker(files.loader, {
    workerData: data,
    transferList: [channel.port2],
    execArgv: [],
  });
  handle.worker = worker;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err?: Error | (() => Error)): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      if (err) reject(typeof err === 'function' ? err() : err);
      else resolve();
    };
    const timeout = setTimeout(
      () => settle(new Error(`node ${handle.port} did not start within ${o.startTimeoutMs / 1000} s`)),
      o.startTimeoutMs,
    );
    const handlers = messageHandlers(o, settle);
    worker.on('message', (msg: WorkerMessage) => {
      (handlers[msg.type] as ((m: WorkerMessage) => void) | undefined)?.(msg);
    });
    worker.on('error', (err) => {
      o.log.error({ node: handle.port, err: err.message }, `node ${handle.port} crashed: ${err.message}`);
      settle(err);
    });
    worker.on('exit', (code) => {
      handle.exitCode = code;
      handle.worker = null;
      handle.powServer?.close();
      handle.powServer = null;
      handle.pow?.close();
      handle.pow = null;
      if (handle.state !== 'stopped') {
        handle.state = 'down';
        const reason = `worker exited with code ${code}`;
        o.log.error({ node: handle.port, code }, `node ${handle.port} is down: ${reason}`);
        o.on.down(reason);
      }
      settle(() => new Error(`node ${handle.port} exited during start-up (code ${code})`));
    });
  });
}

/** One handler per message a node worker sends; `settle` ends its start-up. */
function messageHandlers(o: SpawnNodeOptions, settle: (err?: Error) => void): MessageHandlers {
  const { handle } = o;
  return {
    ready: (msg) => {
      handle.id = msg.id;
      handle.address = msg.address;
      handle.status = msg.status;
      handle.state = 'up';
      o.log.info({ node: handle.port, id: msg.id }, `node ${handle.port} up (${msg.id})`);
      settle();
      o.on.up();
    },
    failed: (msg) => settle(startFailure(handle, StartupError.fromObject(msg.error))),
    status: (msg) => {
      handle.status = msg.status;
    },
    tip: (msg) => {
      if (handle.status) handle.status = withTip(handle.status, msg);
      o.on.tip(msg);
    },
    block: ({ type: _, ...block }) => o.on.block(block),
    push: (msg) => o.on.push(msg),
    'pushed-done': (msg) => o.on.pushHandled(msg.ack),
    log: (msg) => handle.logSink?.write(msg.line),
    exiting: () => {
      handle.state = 'stopped';
    },
  };
}

/** Why a node did not start, by the failure's code: naming the option to change when it is a busy port. */
export function startFailure(handle: Pick<NodeHandle, 'port' | 'index'>, err: StartupError): StartupError {
  const message =
    err.code === 'address-in-use'
      ? `port ${handle.port} is already in use (node ${handle.index}); choose other node ports with --base-port`
      : isStoreFailure(err.code)
        ? `node ${handle.port}: ${err.message}`
        : `node ${handle.port} failed to start: ${err.message}`;
  return new StartupError(err.code, message, { cause: err });
}

/**
 * A node's status after a new tip (its chainwork with it: GET /network picks the most-work tip from these): counts
 * the block if it mined it, and a reorg if blocks were disconnected.
 */
function withTip(status: NodeStatus, msg: TipMessage): NodeStatus {
  return {
    ...status,
    height: msg.height,
    tip: msg.hash,
    chainwork: msg.chainwork,
    lastTipAt: Date.now(),
    blocksMined: status.blocksMined + (msg.mined ? 1 : 0),
    reorgs: status.reorgs + (msg.disconnected > 0 ? 1 : 0),
  };
}
