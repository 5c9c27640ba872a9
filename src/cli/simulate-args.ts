/**
 * The `simulate` command's options, checked and normalised: each problem is a UsageError naming the option
 * (exit 2). Also the run id that names a run's log folder.
 */
import { randomBytes } from 'node:crypto';
import { isNetworkName, NETWORK_NAMES, type NetworkName } from '../consensus/index.ts';
import { type KernelName, parseKernelChoice } from '../mining/kernels/index.ts';
import { AdvertiseError, advertisedAddress } from '../net/address.ts';
import { isLoopback } from '../net/peers.ts';
import { type ModelOptions, NODE_RELAYS, type NodeRelay } from '../sim/types.ts';
import { LOG_LEVELS, type LogLevel } from '../runtime/logger.ts';
import { wholeNumberOption } from './args.ts';
import { UsageError } from './output.ts';
import { modelOptionsFrom, type RunLengthArgs, runLengthFrom } from './simulate-model-args.ts';

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
  /** The network model (topology, links, partition), with the run's seed (random when --seed is absent). */
  model: ModelOptions & { seed: number };
  results: RunLengthArgs['results'];
  stopAfter: RunLengthArgs['stopAfter'];
}

/** Checks and normalises the options; every problem is a UsageError naming the option. */
export function checkSimulateArgs(raw: Record<string, unknown>): SimulateArgs {
  const int = (name: string, min: number, max: number, fallback?: number): number =>
    wholeNumberOption(kebab(name), raw[name], min, max, fallback);
  const nodes = int('nodes', 1, 256, 6);
  const port = int('port', 1, 65535, 4999);
  const basePort = int('basePort', 1, 65535, 5000);
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
  const ports = Array.from({ length: nodes }, (_, i) => basePort + i);
  const model = modelOptionsFrom(raw, ports);
  const { results, stopAfter } = runLengthFrom(raw);
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
    model,
    results,
    stopAfter,
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
