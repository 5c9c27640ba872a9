import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import chalk from 'chalk';
import Table from 'cli-table3';
import type { Argv } from 'yargs';
import { isNetworkName, NETWORK_NAMES, type NetworkName } from '../../consensus/index.ts';
import { type KernelName, parseKernelChoice } from '../../mining/kernels/index.ts';
import { AdvertiseError, advertisedAddress } from '../../net/address.ts';
import { isLoopback } from '../../net/peers.ts';
import type { NodeHandle, NodeRelay, ShutdownReport } from '../../sim/manager.ts';
import { NODE_RELAYS, SimulationError } from '../../sim/manager.ts';
import { runSimulation, type RunningSimulation } from '../../sim/run.ts';
import { createFileLogger, LOG_LEVELS, type LogLevel, silentLogger } from '../../util/logger.ts';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { removeDataDir } from '../../store/store.ts';
import { UsageError, wholeNumberOption } from '../output.ts';

export interface SimulateArgs {
  nodes: number;
  port: number;
  basePort: number;
  host: string;
  network: NetworkName;
  hashPower: number[] | undefined;
  kernel: KernelName | 'auto';
  threads: number | undefined;
  mine: boolean;
  logLevel: LogLevel;
  logDir: string;
  token: string | undefined;
  dataDir: string | null;
  fresh: boolean;
  yes: boolean;
  reindex: boolean;
  relay: NodeRelay;
  advertise: string | undefined;
}

/** Checks and normalises the options; every problem is a UsageError naming the option. */
export function checkSimulateArgs(raw: Record<string, unknown>): SimulateArgs {
  const int = (name: string, min: number, max: number): number =>
    wholeNumberOption(kebab(name), raw[name], min, max);
  const nodes = int('nodes', 1, 256);
  const port = int('port', 1, 65535);
  const basePort = int('basePort', 1, 65535);
  if (basePort + nodes - 1 > 65535)
    throw new UsageError(`--base-port ${basePort} leaves no room for ${nodes} node ports below 65536`);
  if (port >= basePort && port < basePort + nodes) {
    throw new UsageError(
      `--port ${port} collides with the node ports ${basePort}..${basePort + nodes - 1}; change --port or --base-port`,
    );
  }
  const network = String(raw.network);
  if (!isNetworkName(network))
    throw new UsageError(
      `--network must be one of ${NETWORK_NAMES.join(', ')}, got ${JSON.stringify(network)}`,
    );
  let kernel: KernelName | 'auto';
  try {
    kernel = parseKernelChoice(String(raw.kernel));
  } catch (err) {
    throw new UsageError(`--kernel: ${(err as Error).message}`);
  }
  const hashPower =
    typeof raw.hashPower === 'string' || typeof raw.hashPower === 'number'
      ? parseHashPower(String(raw.hashPower), nodes)
      : undefined;
  const threads = raw.threads === undefined ? undefined : int('threads', 1, 256);
  const logLevel = String(raw.logLevel);
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(
      `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`,
    );
  }
  const relay = typeof raw.relay === 'string' ? raw.relay : 'ports';
  if (!(NODE_RELAYS as readonly string[]).includes(relay)) {
    throw new UsageError(`--relay must be one of ${NODE_RELAYS.join(', ')}, got ${JSON.stringify(relay)}`);
  }
  const host = String(raw.host);
  const advertise = typeof raw.advertise === 'string' && raw.advertise !== '' ? raw.advertise : undefined;
  if (advertise !== undefined && !/^[A-Za-z0-9.-]{1,253}$/.test(advertise))
    throw new UsageError(
      `--advertise must be a host name or IPv4 address (the ports are the nodes'), got ${JSON.stringify(advertise)}`,
    );
  try {
    advertisedAddress(host, basePort, advertise);
  } catch (err) {
    if (err instanceof AdvertiseError) throw new UsageError(err.message);
    throw err;
  }
  let token = typeof raw.token === 'string' && raw.token !== '' ? raw.token : undefined;
  if (!isLoopback(host) && !token) token = randomBytes(16).toString('hex');
  return {
    nodes,
    port,
    basePort,
    host,
    network,
    hashPower,
    kernel,
    threads,
    mine: Boolean(raw.mine),
    logLevel: logLevel as LogLevel,
    logDir: String(raw.logDir),
    token,
    dataDir: raw.inMemory ? null : String(raw.dataDir),
    fresh: Boolean(raw.fresh),
    yes: Boolean(raw.yes),
    reindex: Boolean(raw.reindex),
    relay: relay as NodeRelay,
    advertise,
  };
}

/** `40,30,10,10,5,5`: one positive percentage per node, summing to 100. */
export function parseHashPower(text: string, nodes: number): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.some((p) => p === '') || values.some((v) => !Number.isFinite(v))) {
    throw new UsageError(
      `--hash-power must be comma-separated numbers like 40,30,30; got ${JSON.stringify(text)}`,
    );
  }
  if (values.length !== nodes) {
    throw new UsageError(
      `--hash-power has ${values.length} share(s) but --nodes is ${nodes}: give one share per node`,
    );
  }
  const bad = values.find((v) => v <= 0);
  if (bad !== undefined) throw new UsageError(`--hash-power shares must be positive percentages; got ${bad}`);
  const sum = values.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 100) > 0.01) {
    throw new UsageError(
      `--hash-power shares are percentages and must sum to 100; these sum to ${Number(sum.toFixed(4))}`,
    );
  }
  return values;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** A filename-safe ISO-8601 timestamp: 2026-11-23T21-40-00.123Z. */
export function runId(date = new Date()): string {
  return date.toISOString().replace(/:/g, '-');
}

export function simulateCommand(y: Argv): Argv {
  return y.command(
    'simulate',
    'Run a network: the manager (HTTP on --port) and one node per worker thread (HTTP on --base-port + i)',
    (c) =>
      c
        .option('nodes', { alias: 'n', default: 6, describe: 'number of nodes' })
        .option('port', { default: 4999, describe: "the manager's HTTP port" })
        .option('base-port', { default: 5000, describe: 'node i listens on base-port + i' })
        .option('host', {
          type: 'string',
          default: '127.0.0.1',
          describe: 'address to bind; anything beyond loopback exposes the nodes and requires a bearer token',
        })
        .option('network', {
          type: 'string',
          default: 'sim',
          describe: `parameter preset (${NETWORK_NAMES.join(', ')})`,
        })
        .option('hash-power', {
          type: 'string',
          describe: 'percent of the pool per node, comma-separated, summing to 100 (default: equal shares)',
        })
        .option('kernel', {
          type: 'string',
          default: 'auto',
          describe:
            'proof-of-work kernel: auto (native if built and supported, else wasm-simd), native, wasm-simd, js',
        })
        .option('threads', {
          describe: `pool threads (default: one per core, ${availableParallelism()} here)`,
        })
        .option('mine', { type: 'boolean', default: false, describe: 'start continuous mining at once' })
        .option('log-level', {
          type: 'string',
          default: 'info',
          describe: `log detail (${LOG_LEVELS.join(', ')})`,
        })
        .option('log-dir', {
          type: 'string',
          default: 'logs',
          describe: 'logs go to <log-dir>/<run-start-ISO>/',
        })
        .option('token', {
          type: 'string',
          describe:
            'bearer token beyond loopback: mining, registration, shutdown and restarts on the manager and the nodes need it (default: random, printed)',
        })
        .option('advertise', {
          type: 'string',
          describe:
            'the host peers and the manager reach the nodes at, when --host is 0.0.0.0 (default: the first non-loopback IPv4 address)',
        })
        .option('data-dir', {
          type: 'string',
          default: 'data',
          describe:
            'node i keeps its identity and chain in <data-dir>/<network>/node-<base-port+i>/ (LevelDB); a second run continues the chain',
        })
        .option('fresh', {
          type: 'boolean',
          default: false,
          describe: "delete this network's data and start a new chain (asks first on a terminal)",
        })
        .option('yes', {
          alias: 'y',
          type: 'boolean',
          default: false,
          describe: 'do not ask before --fresh deletes data',
        })
        .option('reindex', {
          type: 'boolean',
          default: false,
          describe:
            "rebuild every node's index and UTXO set from its stored blocks first (repairing a damaged LevelDB)",
        })
        .option('relay', {
          type: 'string',
          default: 'ports',
          describe:
            'how nodes push blocks and transactions to each other: ports (serialised, through the manager; fast) or http (POST /block/new, /transactions/new, as to peers outside this process)',
        })
        .option('in-memory', {
          type: 'boolean',
          default: false,
          describe: 'keep every chain in memory only (nothing written to --data-dir)',
        })
        .example('$0 simulate --nodes 6', 'six nodes on 5000..5005, the manager on 4999')
        .example('$0 simulate --nodes 6 --hash-power 40,30,10,10,5,5 --mine', 'race with unequal hash power')
        .example('curl localhost:4999/start/mining', 'then: each node mines one block, 1-3 s apart')
        .example('$0 simulate --fresh --yes', 'throw the old chain away and start from genesis')
        .example('$0 simulate --relay http', 'nodes push blocks to each other over HTTP, visible on the wire')
        .epilog(
          'While it runs: GET :5000/chain, :4999/nodes, :4999/network, :4999/metrics. Stop with Ctrl-C or GET :4999/shutdown/all.',
        ),
    async (argv) => {
      const args = checkSimulateArgs(argv);
      await simulate(args);
    },
  );
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function simulate(args: SimulateArgs): Promise<void> {
  if (args.fresh && args.dataDir) {
    const target = join(args.dataDir, args.network);
    if (existsSync(target)) {
      if (
        process.stdin.isTTY &&
        !args.yes &&
        !(await confirm(`Delete ${target} and start a new ${args.network} chain? [y/N] `))
      ) {
        throw new UsageError('not deleted: run without --fresh to continue the existing chain');
      }
      removeDataDir(target);
      console.log(chalk.dim(`deleted ${target}`));
    }
  }
  const logDir = join(args.logDir, runId());
  const managerLog = join(logDir, 'manager.log');
  if (args.logLevel !== 'silent') {
    try {
      mkdirSync(logDir, { recursive: true });
    } catch (err) {
      throw new UsageError(`--log-dir: cannot create ${logDir}: ${(err as Error).message}`);
    }
  }
  const log =
    args.logLevel === 'silent'
      ? null
      : createFileLogger({
          file: managerLog,
          level: args.logLevel,
          onError: (err) =>
            console.error(chalk.yellow(`warning: ${managerLog} cannot be written: ${err.message}`)),
        });
  const logger = log?.logger ?? silentLogger();
  const tty = Boolean(process.stdout.isTTY);
  console.log(chalk.bold(`chainsim: starting ${args.nodes} node(s) on the ${args.network} network…`));
  let running: RunningSimulation;
  try {
    running = await runSimulation({
      nodes: args.nodes,
      port: args.port,
      basePort: args.basePort,
      host: args.host,
      network: args.network,
      ...(args.hashPower ? { hashPower: args.hashPower } : {}),
      kernel: args.kernel,
      ...(args.threads ? { threads: args.threads } : {}),
      logDir: args.logLevel === 'silent' ? null : logDir,
      logLevel: args.logLevel,
      logger,
      ...(args.token ? { token: args.token } : {}),
      dataDir: args.dataDir,
      ...(args.reindex ? { reindex: true } : {}),
      relay: args.relay,
      ...(args.advertise ? { advertise: args.advertise } : {}),
    });
  } catch (err) {
    if (err instanceof SimulationError) {
      // The run never started (a busy port, ...): the message says why, and its log folder would be clutter.
      await log?.end();
      rmSync(logDir, { recursive: true, force: true });
      throw new UsageError(err.message);
    }
    throw err;
  }
  const { sim } = running;
  sim.on('warning', (m) => console.error(chalk.yellow(`warning: ${m}`)));
  printBanner(running, args, logDir);

  const events: string[] = [];
  const note = (line: string): void => {
    const stamped = `${chalk.dim(new Date().toISOString())} ${line}`;
    if (tty) {
      events.push(stamped);
      if (events.length > 6) events.shift();
    } else {
      console.log(stamped);
    }
  };
  sim.on('tip', (node, tip) => {
    if (tip.mined) note(`node ${node.port} mined block ${tip.height} ${colorHash(tip.hash)}`);
    if (tip.disconnected > 0)
      note(
        chalk.yellow(
          `node ${node.port} reorganised: ${tip.disconnected} block(s) replaced, tip ${tip.height}`,
        ),
      );
  });
  sim.on('down', (node, reason) =>
    note(
      chalk.red(
        `node ${node.port} is down (${reason}); POST ${running.managerUrl}/nodes/${node.port}/restart brings it back`,
      ),
    ),
  );
  sim.on('up', (node) => note(chalk.green(`node ${node.port} is up`)));

  let lines = 0;
  const render = (): void => {
    const out = `${liveTable(sim.nodes)}\n${events.join('\n')}`;
    process.stdout.write(`${lines > 0 ? `\x1b[${lines}A\x1b[J` : ''}${out}\n`);
    lines = out.split('\n').length;
  };
  const timer = tty ? setInterval(render, 1000) : null;

  if (args.mine) sim.startContinuous();

  let signalled = false;
  const onSignal = (sig: string): void => {
    if (signalled) return;
    signalled = true;
    note(`${sig}: shutting down`);
    void running.shutdown();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const report = await running.stopped;
  if (timer) {
    clearInterval(timer);
    render();
  }
  printShutdown(report);
  await log?.end();
  process.exit(0);
}

function printBanner(running: RunningSimulation, args: SimulateArgs, logDir: string): void {
  const { sim } = running;
  const table = new Table({
    head: ['node', 'id', 'address', 'hash power'].map((h) => chalk.bold(h)),
    style: { head: [], border: [] },
  });
  for (const n of sim.nodes)
    table.push([String(n.index), n.id, `http://${n.address}`, `${n.share.toFixed(1)}%`]);
  const first = sim.nodes[0]!;
  const third = sim.nodes[Math.min(2, sim.nodes.length - 1)]!;
  console.log(table.toString());
  console.log(
    [
      `${chalk.bold('manager')}  ${running.managerUrl}   ${chalk.bold('network')} ${args.network}   ${chalk.bold('pool')} ${sim.kernelName} kernel   ${chalk.bold('height')} ${sim.nodes[0]?.status?.height ?? 0}`,
      `${chalk.bold('logs')}     ${args.logLevel === 'silent' ? '(off)' : logDir}`,
      `${chalk.bold('data')}     ${args.dataDir ? `${join(args.dataDir, args.network)}/node-<port>  (chains resume here; --fresh starts over)` : '(in memory)'}`,
      ...(args.token
        ? [
            `${chalk.bold('token')}    ${args.token}  (send Authorization: Bearer <token> to mine, register, restart and shut down)`,
          ]
        : []),
      '',
      chalk.bold('Try:'),
      `  curl http://${first.address}/node/id`,
      `  curl http://${first.address}/chain`,
      `  curl ${running.managerUrl}/start/mining       ${chalk.dim('# every node mines one block, 1-3 s apart')}`,
      `  curl http://${third.address}/chain`,
      `  curl ${running.managerUrl}/mining/start       ${chalk.dim('# continuous mining, by hash-power share')}`,
      `  curl ${running.managerUrl}/network`,
      `  curl ${running.managerUrl}/shutdown/all       ${chalk.dim('# or Ctrl-C')}`,
      '',
    ].join('\n'),
  );
}

function printShutdown(report: ShutdownReport): void {
  const summary = report.nodes.map((n) => `${n.port}: ${n.result}`).join(', ');
  console.log(chalk.bold(`shut down: ${summary}`));
}

const PALETTE = [
  chalk.cyan,
  chalk.magenta,
  chalk.yellow,
  chalk.green,
  chalk.blue,
  chalk.redBright,
  chalk.whiteBright,
];

/** A short tip hash coloured by its value: nodes that agree show the same colour. */
export function colorHash(hash: string): string {
  const short = hash.slice(0, 16);
  const color = PALETTE[parseInt(hash.slice(-4), 16) % PALETTE.length]!;
  return color(short);
}

function age(ms: number | undefined): string {
  if (!ms) return '-';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function rate(hps: number): string {
  if (hps >= 1e6) return `${(hps / 1e6).toFixed(2)} MH/s`;
  if (hps >= 1e3) return `${(hps / 1e3).toFixed(1)} kH/s`;
  return `${Math.round(hps)} H/s`;
}

function liveTable(nodes: readonly NodeHandle[]): string {
  const table = new Table({
    head: ['node', 'state', 'height', 'tip', 'peers', 'hash rate', 'mempool', 'last block'].map((h) =>
      chalk.bold(h),
    ),
    style: { head: [], border: [] },
  });
  for (const n of nodes) {
    const s = n.status;
    const state =
      n.state === 'up' ? chalk.green('up') : n.state === 'down' ? chalk.red('down') : chalk.dim(n.state);
    table.push([
      String(n.port),
      state,
      s ? String(s.height) : '-',
      s ? colorHash(s.tip) : '-',
      s ? String(s.peers) : '-',
      rate(n.pow?.hashRate() ?? 0),
      s ? String(s.mempool) : '-',
      age(s?.lastTipAt),
    ]);
  }
  return table.toString();
}
