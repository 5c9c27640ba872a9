/**
 * The network manager: one process, node workers on their own ports, the shared proof-of-work pool, and
 * the manager's own HTTP API (http.ts). Start-up follows the old Flask project over real HTTP: start the
 * nodes, fetch every `GET /node/id`, then `POST /nodes/register` the whole list to each.
 */
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { getNetwork, type NetworkName } from '../consensus/index.ts';
import { fallbackWarning, type KernelName, selectKernel } from '../mining/kernels/index.ts';
import { createPoolExecutor, type PoolExecutor } from '../mining/pool.ts';
import { servePowPort } from '../mining/remote.ts';
import { createPowScheduler, type PowClient, type PowScheduler } from '../mining/scheduler.ts';
import type {
  ManagerMessage,
  NodeStatus,
  PushAck,
  NodeWorkerData,
  RehearsalWorkerData,
  WorkerMessage,
} from '../node/worker.ts';
import { createLogSink, type LogLevel, type LogSink } from '../util/logger.ts';
import { httpJSON } from '../util/http-json.ts';
import { lowerHelperThreads } from '../util/threads.ts';
import { workerModuleUrl } from '../util/modules.ts';
import { bytesToHex } from '../util/bytes.ts';
import { openFilesLimit } from '../util/fd-limit.ts';
import { DEFAULT_MAX_CONNECTIONS } from '../node/http/server.ts';
import { generateMiningKey } from '../node/keys.ts';
import { advertisedAddress } from '../net/address.ts';
import { createSimMetrics, type SimMetrics } from './metrics.ts';

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
}

/**
 * Connections one server of a simulation may hold: half the process's open-file limit, shared by the nodes and the
 * manager (the other half is for LevelDB, logs and the nodes' own outbound sockets), between 32 and 1024. So one
 * node under attack runs out of connections before the process runs out of descriptors, and the others keep serving.
 */
export function connectionsPerServer(nodes: number, limit = openFilesLimit()): number {
  if (limit === undefined) return DEFAULT_MAX_CONNECTIONS;
  return Math.max(32, Math.min(DEFAULT_MAX_CONNECTIONS, Math.floor(limit / 2 / (nodes + 1))));
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
}

/** A start-up failure the CLI reports without a stack, naming what to change. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
}

export interface SimEvents {
  tip: [node: NodeHandle, tip: { hash: string; height: number; mined: boolean; disconnected: number }];
  down: [node: NodeHandle, reason: string];
  up: [node: NodeHandle];
  warning: [message: string];
}

// One bundled file run by a small loader with V8's code cache (npm run build:worker, node/worker-loader.ts).
const WORKER_URL = workerModuleUrl(import.meta.url, '../node/worker-loader', '.cjs');

/** The nice value of the process's helper threads while a simulation runs. */
const HELPER_NICE = 10;

export class Simulation extends EventEmitter<SimEvents> {
  readonly opts: SimulationOptions;
  readonly nodes: NodeHandle[];
  readonly metrics: SimMetrics;
  readonly log: Logger;
  kernelName: KernelName = 'js';
  private pool: PoolExecutor | null = null;
  private scheduler: PowScheduler | null = null;
  miningRun: MiningRun | null = null;
  private continuousTimer: NodeJS.Timeout | null = null;
  continuous = false;
  private shuttingDown: Promise<ShutdownReport> | null = null;
  /** V8's code cache for the node bundle, made by the rehearsal worker; shared by every node. */
  private codeCache: Uint8Array | undefined;
  private readonly byAddress: Map<string, NodeHandle>;
  private introduced = false;
  /** Pushes not yet handled by all their targets: "port:id" -> targets left. */
  private readonly awaitingAcks = new Map<string, { left: number; at: number }>();

  constructor(opts: SimulationOptions) {
    super();
    this.opts = opts;
    this.log = opts.logger;
    const shares = opts.hashPower ?? Array.from({ length: opts.nodes }, () => 100 / opts.nodes);
    this.nodes = shares.map((share, index) => ({
      index,
      port: opts.basePort + index,
      id: '',
      address: advertisedAddress(opts.host, opts.basePort + index, opts.advertise),
      state: 'starting',
      share,
      status: null,
      worker: null,
      pow: null,
      powServer: null,
      exitCode: null,
      logSink: null,
    }));
    this.byAddress = new Map(this.nodes.map((n) => [n.address, n]));
    this.metrics = createSimMetrics(this);
  }

  /** Connections each node's server holds at most. */
  get maxConnections(): number {
    return this.opts.maxConnections ?? connectionsPerServer(this.nodes.length);
  }

  get params() {
    return getNetwork(this.opts.network);
  }

  node(port: number): NodeHandle | undefined {
    return this.nodes.find((n) => n.port === port);
  }

  upNodes(): NodeHandle[] {
    return this.nodes.filter((n) => n.state === 'up');
  }

  /** Starts the pool and every node, then introduces the nodes to each other over HTTP. */
  async start(): Promise<void> {
    // Threads created from here on run without V8's memory reducer (V8 reads the flag when it sets up an
    // isolate's heap). The reducer starts full GCs of its own in a heap that has gone quiet after allocating,
    // to shrink it: each paused a mining node for 6 to 18 ms while it had requests to answer (measured with
    // 6 nodes on the 2-core machine). Heaps still shrink at their ordinary full GCs.
    setFlagsFromString('--no-memory-reducer');
    // V8's and libuv's helper threads give way to the nodes (util/threads.ts).
    const helpers = lowerHelperThreads(HELPER_NICE);
    this.log.debug({ threads: helpers, nice: HELPER_NICE }, `helper threads at nice ${HELPER_NICE}`);
    const selection = selectKernel(this.opts.kernel);
    const warning = fallbackWarning(selection);
    // Said once, on the terminal and in the log: e.g. native not built (no compiler) -> wasm-simd.
    if (warning) this.warn(warning);
    this.kernelName = selection.kernel.name;
    // The pool starts while the nodes start (nodes do not mine before they are introduced): ranges issued
    // early wait for it.
    const threads = this.opts.threads ?? availableParallelism();
    const poolReady = createPoolExecutor({
      kernel: this.kernelName,
      threads,
      onWarning: (m) => this.warn(m),
    });
    poolReady.then(
      (pool) => {
        this.pool = pool;
        this.log.info(
          { kernel: this.kernelName, threads, nice: pool.niceness, schedIdle: pool.idleClass },
          `proof-of-work pool: ${threads} thread(s), ${this.kernelName} kernel`,
        );
      },
      () => undefined,
    );
    this.scheduler = createPowScheduler({
      executor: {
        threads,
        run: (task) => poolReady.then((pool) => pool.run(task)),
        close: () =>
          poolReady.then(
            (pool) => pool.close(),
            () => undefined,
          ),
      },
    });

    const [nodes, pool] = await Promise.allSettled([this.spawnAll(), poolReady]);
    const failed = [nodes, pool].find((r) => r.status === 'rejected');
    if (failed || nodes.status === 'rejected') {
      await this.stopEverything();
      throw new SimulationError(((failed as PromiseRejectedResult).reason as Error).message);
    }
    await this.introduceNodes(nodes.value);
    this.introduced = true;
  }

  /** True once `start` has started every node and introduced them to each other. */
  get started(): boolean {
    return this.introduced;
  }

  /**
   * Starts every node and fetches its `GET /node/id` as soon as it is up (step 2 of the old flow, while the
   * others still start). First a throwaway worker makes the code cache every node starts from (worker-loader.ts);
   * meanwhile the other core makes the nodes' mining keys and starts the pool.
   */
  private async spawnAll(): Promise<NodeIdAnswer[]> {
    const cache = this.codeCache ? Promise.resolve(this.codeCache) : this.makeCodeCache();
    const keys = this.nodes.map(() => newMiningKey());
    this.codeCache = await cache;
    const results = await Promise.allSettled(
      this.nodes.map(async (n, i) => {
        await this.spawn(n, undefined, keys[i]);
        return httpJSON<NodeIdAnswer>(`http://${n.address}/node/id`);
      }),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return results.map((r) => (r as PromiseFulfilledResult<NodeIdAnswer>).value);
  }

  /**
   * The code cache, from a throwaway worker that compiles the node bundle and rehearses a node's start-up and
   * block path (rehearsal.ts), copied once into shared memory; undefined if that worker fails (every node
   * then compiles the bundle itself, which is slower but works).
   */
  private makeCodeCache(): Promise<Uint8Array | undefined> {
    const worker = new Worker(WORKER_URL, {
      workerData: { rehearsal: true } satisfies RehearsalWorkerData,
      execArgv: [],
    });
    return new Promise((resolve) => {
      let settled = false;
      const done = (cache: Uint8Array | undefined, problem?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (problem) this.warn(`nodes start without a rehearsed code cache: ${problem}`);
        resolve(cache);
      };
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type !== 'code-cache') return;
        const shared = new Uint8Array(new SharedArrayBuffer(msg.data.byteLength));
        shared.set(msg.data);
        if (msg.rehearsalFailed) {
          // Start-up is still in the cache; only the first block costs every node more.
          this.warn(`the block path rehearsal failed (${msg.rehearsalFailed}); the nodes start anyway`);
        } else {
          this.log.info(
            { bytes: shared.byteLength },
            `node code cache ready (${Math.round(shared.byteLength / 1024)} KB), block path rehearsed`,
          );
        }
        done(shared);
      });
      worker.on('error', (err) => done(undefined, err.message));
      worker.on('exit', (code) => done(undefined, `the rehearsal worker exited (${code}) without one`));
      const timer = setTimeout(() => {
        void worker.terminate();
        done(undefined, 'the rehearsal worker did not answer within 10 s');
      }, 10_000);
    });
  }

  private warn(message: string): void {
    this.log.warn(message);
    this.emit('warning', message);
  }

  private spawn(
    handle: NodeHandle,
    peers?: ReadonlyArray<{ id: string; address: string }>,
    key: MiningKeyHex = newMiningKey(),
  ): Promise<void> {
    const channel = new MessageChannel();
    const pow = this.scheduler!.addClient({ name: `node-${handle.port}`, share: handle.share });
    handle.pow = pow;
    handle.powServer = servePowPort(channel.port1, pow);
    handle.state = 'starting';
    handle.exitCode = null;
    const log = this.openLog(handle);
    const data: NodeWorkerData = {
      index: handle.index,
      port: handle.port,
      host: this.opts.host,
      network: this.opts.network,
      ...(handle.id ? { id: handle.id } : {}),
      share: handle.share,
      ...(this.opts.token ? { token: this.opts.token } : {}),
      log,
      logLevel: this.opts.logLevel,
      dataDir: this.opts.dataDir ? nodeDataDir(this.opts.dataDir, this.opts.network, handle.port) : null,
      ...(this.opts.reindex ? { reindex: true } : {}),
      newKey: key,
      powPort: channel.port2,
      ...(peers ? { peers } : {}),
      ...(this.opts.relay === 'http' ? {} : { linked: this.nodes.map((n) => n.address) }),
      maxConnections: this.maxConnections,
      ...(this.opts.advertise ? { advertise: this.opts.advertise } : {}),
      ...(this.codeCache ? { codeCache: this.codeCache } : {}),
    };
    // No execArgv: a loader the parent was started with (tsx in tests) would hook every import of every
    // worker, and the workers run the compiled bundle anyway.
    const worker = new Worker(WORKER_URL, { workerData: data, transferList: [channel.port2], execArgv: [] });
    handle.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const timeout = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(
          new Error(
            `node ${handle.port} did not start within ${(this.opts.startTimeoutMs ?? 20_000) / 1000} s`,
          ),
        );
      }, this.opts.startTimeoutMs ?? 20_000);
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'ready') {
          handle.id = msg.id;
          handle.address = msg.address;
          handle.status = msg.status;
          handle.state = 'up';
          this.log.info({ node: handle.port, id: msg.id }, `node ${handle.port} up (${msg.id})`);
          if (!settled) {
            settled = true;
            clearTimeout(timeout);
            resolve();
          }
          this.emit('up', handle);
        } else if (msg.type === 'failed') {
          const inUse = msg.code === 'EADDRINUSE';
          const message = inUse
            ? `port ${handle.port} is already in use (node ${handle.index}); choose other node ports with --base-port`
            : msg.code.startsWith('STORE_')
              ? `node ${handle.port}: ${msg.message}`
              : `node ${handle.port} failed to start: ${msg.message}`;
          if (!settled) {
            settled = true;
            clearTimeout(timeout);
            reject(new Error(message));
          }
        } else if (msg.type === 'status') {
          handle.status = msg.status;
        } else if (msg.type === 'tip') {
          if (handle.status) {
            handle.status = {
              ...handle.status,
              height: msg.height,
              tip: msg.hash,
              lastTipAt: Date.now(),
              blocksMined: handle.status.blocksMined + (msg.mined ? 1 : 0),
              reorgs: handle.status.reorgs + (msg.disconnected > 0 ? 1 : 0),
            };
          }
          this.metrics.onTip(handle, msg);
          this.emit('tip', handle, msg);
        } else if (msg.type === 'push') {
          this.deliver(handle, msg);
        } else if (msg.type === 'pushed-done') {
          this.pushHandled(msg.ack);
        } else if (msg.type === 'log') {
          handle.logSink?.write(msg.line);
        } else if (msg.type === 'exiting') {
          handle.state = 'stopped';
        }
      });
      worker.on('error', (err) => {
        this.log.error(
          { node: handle.port, err: err.message },
          `node ${handle.port} crashed: ${err.message}`,
        );
        if (!settled) {
          settled = true;
          clearTimeout(timeout);
          reject(err);
        }
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
          this.log.error({ node: handle.port, code }, `node ${handle.port} is down: ${reason}`);
          this.emit('down', handle, reason);
        }
        if (!settled) {
          settled = true;
          clearTimeout(timeout);
          reject(new Error(`node ${handle.port} exited during start-up (code ${code})`));
        }
      });
    });
  }

  /** The old flow, once every node's `GET /node/id` has answered: POST /nodes/register the whole list to each. */
  private async introduceNodes(infos: readonly NodeIdAnswer[]): Promise<void> {
    const up = this.upNodes();
    const body = { nodes: infos.map((i) => i.node), addresses: infos.map((i) => i.address) };
    await Promise.all(
      up.map((n) =>
        httpJSON(`http://${n.address}/nodes/register`, { method: 'POST', body, token: this.opts.token }),
      ),
    );
    this.log.info({ nodes: up.length }, `registered ${up.length} node(s) with each other`);
  }

  private message(handle: NodeHandle, msg: ManagerMessage): void {
    handle.worker?.postMessage(msg);
  }

  /**
   * A node's push to other nodes of this simulator, delivered to each one that is up. As over HTTP, a push to a
   * node that is down is lost; the node catches up by locator from its peers when it is back.
   */
  private deliver(sender: NodeHandle, push: Extract<WorkerMessage, { type: 'push' }>): void {
    const ack: PushAck = { port: sender.port, id: push.ack };
    const pushed: ManagerMessage = {
      type: 'pushed',
      kind: push.kind,
      // The manager names the sender (the worker it came from), so the receiver may trust it and charge it.
      from: { id: sender.id, address: sender.address },
      seenBy: push.seenBy,
      bytes: push.bytes,
      ack,
    };
    let targets = 0;
    for (const address of push.to) {
      const target = this.byAddress.get(address);
      if (target?.state !== 'up') continue;
      this.message(target, pushed);
      this.metrics.onPortPush(push.kind);
      targets++;
    }
    if (targets === 0) return this.message(sender, { type: 'push-acked', ack: push.ack });
    const now = Date.now();
    if (this.awaitingAcks.size > 1000) {
      // Owed by targets that went down: their senders stopped waiting long ago.
      for (const [key, a] of this.awaitingAcks) if (now - a.at > 60_000) this.awaitingAcks.delete(key);
    }
    this.awaitingAcks.set(`${ack.port}:${ack.id}`, { left: targets, at: now });
  }

  /**
   * One target handled a push; when all have, its sender hears so. A target that went down never answers: the
   * sender stops waiting after PUSH_ACK_TIMEOUT_MS (worker.ts), and its entry here is dropped a minute later.
   */
  private pushHandled(ack: PushAck): void {
    const key = `${ack.port}:${ack.id}`;
    const entry = this.awaitingAcks.get(key);
    if (!entry) return;
    if (--entry.left > 0) return;
    this.awaitingAcks.delete(key);
    const sender = this.node(ack.port);
    if (sender) this.message(sender, { type: 'push-acked', ack: ack.id });
  }

  /** `GET /start/mining`: `count` GET /mine requests, node by node, each a random [min, max] ms after the last. */
  runMiningRequests(
    count: number,
    intervalMs: readonly [number, number],
  ): { run: MiningRun; done: Promise<MiningRun> } {
    const run: MiningRun = {
      requests: count,
      sent: 0,
      completed: 0,
      running: true,
      blocks: [],
      errors: [],
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.miningRun = run;
    const done = (async () => {
      const pending: Array<Promise<void>> = [];
      for (let i = 0; i < count; i++) {
        if (i > 0) {
          const [min, max] = intervalMs;
          const wait = min + Math.random() * (max - min);
          if (wait > 0) await sleep(wait);
        }
        const up = this.upNodes();
        if (up.length === 0) {
          run.errors.push({ node: -1, message: 'no node is up' });
          break;
        }
        const target = up[i % up.length]!;
        run.sent++;
        this.log.info(
          { node: target.port, request: i + 1 },
          `mining request ${i + 1}/${count} -> node ${target.port}`,
        );
        pending.push(
          httpJSON<{ block: { hash: string; height: number } }>(`http://${target.address}/mine`, {
            timeoutMs: 600_000,
            token: this.opts.token,
          }).then(
            (r) => {
              run.completed++;
              run.blocks.push({ node: target.port, hash: r.block.hash, height: r.block.height });
            },
            (err: unknown) => {
              run.completed++;
              run.errors.push({ node: target.port, message: (err as Error).message });
            },
          ),
        );
      }
      await Promise.all(pending);
      run.running = false;
      run.finishedAt = new Date().toISOString();
      return run;
    })();
    return { run, done };
  }

  /** Continuous mining on every node, racing by hash-power share; stops after `durationS` when given. */
  startContinuous(durationS?: number): void {
    this.continuous = true;
    for (const n of this.upNodes()) this.message(n, { type: 'mining', on: true });
    if (this.continuousTimer) clearTimeout(this.continuousTimer);
    this.continuousTimer = null;
    if (durationS !== undefined)
      this.continuousTimer = setTimeout(() => this.stopContinuous(), durationS * 1000);
    this.log.info({ duration: durationS ?? null }, 'continuous mining started');
  }

  stopContinuous(): void {
    const was = this.continuous;
    this.continuous = false;
    if (this.continuousTimer) clearTimeout(this.continuousTimer);
    this.continuousTimer = null;
    for (const n of this.upNodes()) this.message(n, { type: 'mining', on: false });
    if (was) this.log.info('continuous mining stopped');
  }

  /** `POST /nodes/:port/restart`: a down node comes back with its id and catches up from its peers. */
  async restartNode(port: number): Promise<NodeHandle> {
    const handle = this.node(port);
    if (!handle) throw new SimulationError(`no node on port ${port}`);
    if (handle.state === 'up' || handle.state === 'starting')
      throw new SimulationError(`node ${port} is ${handle.state}`);
    const peers = this.nodes
      .filter((n) => n !== handle && n.id)
      .map((n) => ({ id: n.id, address: n.address }));
    await this.spawn(handle, peers);
    await httpJSON(`http://${handle.address}/block/new`, { timeoutMs: 60_000, token: this.opts.token }).catch(
      (err: unknown) => {
        this.log.warn({ node: port, err: (err as Error).message }, `node ${port} could not catch up yet`);
      },
    );
    if (this.continuous) this.message(handle, { type: 'mining', on: true });
    return handle;
  }

  /** Whether all up nodes agree on the tip, the tips seen, forks and reorgs. */
  networkView() {
    const up = this.upNodes();
    const byTip = new Map<string, number[]>();
    for (const n of up) {
      const tip = n.status?.tip ?? '';
      byTip.set(tip, [...(byTip.get(tip) ?? []), n.port]);
    }
    return {
      agree: byTip.size <= 1,
      nodesUp: up.length,
      tips: [...byTip.entries()].map(([hash, ports]) => ({
        hash,
        height: this.nodes.find((n) => n.status?.tip === hash)?.status?.height ?? null,
        nodes: ports,
      })),
      forksSeen: this.metrics.forksSeen(),
      reorgs: this.nodes.reduce((sum, n) => sum + (n.status?.reorgs ?? 0), 0),
      blocksMined: this.nodes.reduce((sum, n) => sum + (n.status?.blocksMined ?? 0), 0),
    };
  }

  /**
   * `GET /shutdown/all`: `GET /shutdown` to every node, then confirm each worker exited, terminating any
   * that hang after `timeoutMs`.
   */
  shutdownAll(timeoutMs = 5000): Promise<ShutdownReport> {
    this.shuttingDown ??= this.doShutdown(timeoutMs);
    return this.shuttingDown;
  }

  private async doShutdown(timeoutMs: number): Promise<ShutdownReport> {
    this.stopContinuous();
    const results = await Promise.all(
      this.nodes.map(async (n) => {
        if (!n.worker) {
          return { port: n.port, id: n.id, result: 'already-down' as const };
        }
        const worker = n.worker;
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        await httpJSON(`http://${n.address}/shutdown`, { timeoutMs: 2000, token: this.opts.token }).catch(
          () => {
            // A node that cannot answer is told through its port, then terminated if it hangs.
            this.message(n, { type: 'shutdown' });
          },
        );
        const ok = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
        if (ok) return { port: n.port, id: n.id, result: 'exited' as const };
        n.state = 'stopped';
        await worker.terminate();
        this.log.warn({ node: n.port }, `node ${n.port} did not exit within ${timeoutMs} ms: terminated`);
        return { port: n.port, id: n.id, result: 'terminated' as const };
      }),
    );
    await this.stopPool();
    this.log.info({ nodes: results }, 'all nodes shut down');
    await this.closeLogs();
    return { nodes: results };
  }

  /** `<log dir>/node-<port>.log`, opened once per node; false when there is no log directory. */
  private openLog(handle: NodeHandle): boolean {
    if (!this.opts.logDir) return false;
    handle.logSink ??= createLogSink(`${this.opts.logDir}/node-${handle.port}.log`, (err) =>
      this.warn(`node ${handle.port}'s log cannot be written: ${err.message}`),
    );
    return true;
  }

  private async closeLogs(): Promise<void> {
    await Promise.all(this.nodes.flatMap((n) => (n.logSink ? [n.logSink.end()] : [])));
  }

  private async stopPool(): Promise<void> {
    await this.scheduler?.close();
    this.scheduler = null;
    this.pool = null;
  }

  /** Ends every worker at once and the pool (start-up failure). */
  async stopEverything(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        if (!n.worker) return;
        n.state = 'stopped';
        await n.worker.terminate();
      }),
    );
    await this.stopPool();
    await this.closeLogs();
  }

  hashRate(): number {
    return this.nodes.reduce((sum, n) => sum + (n.pow?.hashRate() ?? 0), 0);
  }
}

/** `<root>/<network>/node-<port>`: where a node keeps its identity and chain. */
export function nodeDataDir(root: string, network: string, port: number): string {
  return `${root}/${network}/node-${port}`;
}

export function createSimulation(opts: SimulationOptions): Simulation {
  return new Simulation(opts);
}

interface NodeIdAnswer {
  readonly node: string;
  readonly address: string;
}

interface MiningKeyHex {
  readonly secret: string;
  readonly publicKey: string;
}

/** A mining key pair for a new node (hex); a node with a stored identity ignores it. */
function newMiningKey(): MiningKeyHex {
  const k = generateMiningKey();
  return { secret: bytesToHex(k.secret), publicKey: bytesToHex(k.publicKey) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
