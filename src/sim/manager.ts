/**
 * The network manager: one process, node workers on their own ports, the shared proof-of-work pool, and
 * the manager's own HTTP API (http.ts). Start-up follows the old Flask project over real HTTP: start the
 * nodes, fetch every `GET /node/id`, then `POST /nodes/register` each node's neighbours in the topology.
 * Simulation orchestrates start-up, mining, stops and starts, the network view and shutdown; its parts live
 * beside it (node-worker.ts, push-router.ts, network-control.ts, mining-run.ts, node-config.ts, types.ts).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { getNetwork } from '../consensus/index.ts';
import type { KernelName } from '../mining/kernels/index.ts';
import type { PowScheduler } from '../mining/scheduler.ts';
import { createPowService } from '../mining/pow-service.ts';
import type { ManagerMessage } from '../node/worker-protocol.ts';
import { StartupError } from '../node/startup-error.ts';
import { SimulationError } from './errors.ts';
import { createLogSink } from '../runtime/logger.ts';
import { httpJSON } from '../net/http-client.ts';
import { advertisedAddress } from '../net/address.ts';
import { makeCodeCache } from '../runtime/code-cache.ts';
import { startMiningRequests } from './mining-run.ts';
import { createMeasurement, type Measurement } from './measure.ts';
import { createSimMetrics, type SimMetrics } from './metrics.ts';
import { connectionsPerServer, type MiningKeyHex, newMiningKey, nodeWorkerData } from './node-config.ts';
import { nodeWorkerFiles, spawnNodeWorker } from './node-worker.ts';
import { createPushRouter, type PushRouter } from './push-router.ts';
import { createNetworkControl, type NetworkControl } from './network-control.ts';
import { stopNodeWorker } from './node-stop.ts';
import { type NodeIdAnswer, registerNeighbours } from './introduce.ts';
import { tuneThreads } from '../runtime/threads.ts';
import type { MiningRun, NodeHandle, ShutdownReport, SimEvents, SimulationOptions } from './types.ts';

export { connectionsPerServer, nodeDataDir } from './node-config.ts';
export {
  type MiningRun,
  type ModelOptions,
  NODE_RELAYS,
  type NodeHandle,
  type NodeRelay,
  type NodeState,
  type ShutdownReport,
  type SimEvents,
  type SimulationOptions,
} from './types.ts';

export { SimulationError } from './errors.ts';

export class Simulation extends EventEmitter<SimEvents> {
  readonly opts: SimulationOptions;
  readonly nodes: NodeHandle[];
  readonly metrics: SimMetrics;
  /** The block ledger, its metrics and the results files (measure.ts). */
  readonly measure: Measurement;
  readonly log: Logger;
  kernelName: KernelName = 'js';
  private scheduler: PowScheduler | null = null;
  miningRun: MiningRun | null = null;
  private continuousTimer: NodeJS.Timeout | null = null;
  continuous = false;
  private shuttingDown: Promise<ShutdownReport> | null = null;
  /** V8's code cache for the node bundle, made by the rehearsal worker; shared by every node. */
  private codeCache: Uint8Array | undefined;
  private readonly pushes: PushRouter;
  private introduced = false;
  /** The network model: topology, links, partition and shares, changed live (network-control.ts). */
  readonly network: NetworkControl;

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
    this.network = createNetworkControl({
      model: opts.model,
      nodes: this.nodes,
      send: (node, msg) => this.message(node as NodeHandle, msg),
      emit: (change) => this.emit('network', change),
      log: this.log,
    });
    this.metrics = createSimMetrics(this);
    this.measure = createMeasurement(this);
    this.pushes = createPushRouter({
      nodes: this.nodes,
      node: (port) => this.node(port),
      send: (node, msg) => this.message(node, msg),
      metrics: this.metrics,
    });
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
    tuneThreads(this.log);
    const pow = createPowService({
      kernel: this.opts.kernel,
      threads: this.opts.threads,
      log: this.log,
      warn: (m) => this.warn(m),
    });
    this.kernelName = pow.kernelName;
    this.scheduler = pow.scheduler;

    const [nodes, pool] = await Promise.allSettled([this.spawnAll(), pow.ready]);
    const failed = [nodes, pool].find((r) => r.status === 'rejected');
    if (failed || nodes.status === 'rejected') {
      await this.stopEverything();
      const reason = (failed as PromiseRejectedResult).reason as Error;
      throw new SimulationError(reason.message, reason instanceof StartupError ? reason.code : undefined);
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
    const files = nodeWorkerFiles();
    const cache = this.codeCache
      ? Promise.resolve(this.codeCache)
      : makeCodeCache(files.loader, files.bundle, this.log, (m) => this.warn(m));
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

  private warn(message: string): void {
    this.log.warn(message);
    this.emit('warning', message);
  }

  /** Starts (or restarts) one node's worker with this simulation's options; resolves once it is up. */
  private spawn(
    handle: NodeHandle,
    peers?: ReadonlyArray<{ id: string; address: string }>,
    key: MiningKeyHex = newMiningKey(),
  ): Promise<void> {
    const log = this.openLog(handle);
    const model = this.network.settings;
    return spawnNodeWorker({
      handle,
      data: nodeWorkerData(this.opts, handle, {
        log,
        key,
        peers,
        nodes: this.nodes,
        maxConnections: this.maxConnections,
        codeCache: this.codeCache,
        model,
      }),
      scheduler: this.scheduler!,
      startTimeoutMs: this.opts.startTimeoutMs ?? 20_000,
      log: this.log,
      on: {
        up: () => {
          // The model changed while it started (it missed that `network` message): it gets the settings now.
          const now = this.network.settings;
          if (now !== model) this.message(handle, { type: 'network', settings: now, reconnect: [] });
          this.emit('up', handle);
        },
        tip: (tip) => {
          this.metrics.onTip(handle, tip);
          this.emit('tip', handle, tip);
        },
        block: (block) => this.emit('block', handle, block),
        push: (push) => this.pushes.deliver(handle, push),
        pushHandled: (ack) => this.pushes.handled(ack),
        down: (reason) => this.emit('down', handle, reason),
      },
    });
  }

  /** The old flow, once every node's `GET /node/id` has answered: POST /nodes/register, along the edges. */
  private introduceNodes(infos: readonly NodeIdAnswer[]): Promise<void> {
    return registerNeighbours({
      up: this.upNodes(),
      infos,
      neighbours: (i) => this.network.neighbours(this.nodes[i]!.port).map((p) => this.node(p)!.index),
      token: this.opts.token,
      log: this.log,
    });
  }

  private message(handle: NodeHandle, msg: ManagerMessage): void {
    handle.worker?.postMessage(msg);
  }

  /** `GET /start/mining`: `count` GET /mine requests, node by node, each a random [min, max] ms after the last. */
  runMiningRequests(
    count: number,
    intervalMs: readonly [number, number],
  ): { run: MiningRun; done: Promise<MiningRun> } {
    const started = startMiningRequests({
      count,
      intervalMs,
      upNodes: () => this.upNodes(),
      token: this.opts.token,
      log: this.log,
    });
    this.miningRun = started.run;
    return started;
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

  /**
   * `POST /nodes/:port/start` (and `/restart`): a stopped or down node comes back with its id and its stored
   * chain, registers its neighbours, and it and they exchange tips at once (a `network` message with reconnect).
   */
  async startNode(port: number): Promise<NodeHandle> {
    const handle = this.node(port);
    if (!handle) throw new SimulationError(`no node on port ${port}`);
    if (handle.state === 'up' || handle.state === 'starting')
      throw new SimulationError(`node ${port} is ${handle.state}`);
    const peers = this.network
      .neighbours(port)
      .map((p) => this.node(p)!)
      .filter((n) => n.id)
      .map((n) => ({ id: n.id, address: n.address }));
    await this.spawn(handle, peers);
    this.network.nodeStarted(port);
    await httpJSON(`http://${handle.address}/block/new`, { timeoutMs: 60_000, token: this.opts.token }).catch(
      (err: unknown) => {
        this.log.warn({ node: port, err: (err as Error).message }, `node ${port} could not catch up yet`);
      },
    );
    if (this.continuous) this.message(handle, { type: 'mining', on: true });
    return handle;
  }

  /**
   * `POST /nodes/:port/stop`: `GET /shutdown` to the node, then wait for its worker to exit (terminating it if it
   * hangs); the node is 'stopped' and its data stays, for `startNode`.
   */
  async stopNode(port: number, timeoutMs = 5000): Promise<NodeHandle> {
    const handle = this.node(port);
    if (!handle) throw new SimulationError(`no node on port ${port}`);
    if (handle.state !== 'up') throw new SimulationError(`node ${port} is ${handle.state}`);
    const result = await stopNodeWorker(handle, { timeoutMs, token: this.opts.token, log: this.log });
    this.log.info({ node: port, result }, `node ${port} stopped (${result})`);
    this.network.nodeStopped(port);
    return handle;
  }

  /** Whether all up nodes agree on the tip, the tips seen, forks and reorgs. */
  networkView() {
    const up = this.upNodes();
    const measured = this.measure.current();
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
      // The ledger's forks (heights with two or more blocks), under the name /network always had.
      forksSeen: measured.forks,
      // The ledger's metrics, under summary.json's names (docs/results.md).
      ...measured,
      ...this.network.view(),
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
    // Before the nodes go down: the results ask them for their final tips.
    const written = await this.measure.finish();
    const stop = { timeoutMs, token: this.opts.token, log: this.log };
    const results = await Promise.all(
      this.nodes.map(async (n) => ({ port: n.port, id: n.id, result: await stopNodeWorker(n, stop) })),
    );
    await this.stopPool();
    this.log.info({ nodes: results }, 'all nodes shut down');
    await this.closeLogs();
    return { nodes: results, results: written };
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

export function createSimulation(opts: SimulationOptions): Simulation {
  return new Simulation(opts);
}
