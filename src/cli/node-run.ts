/**
 * What the `node` command runs (commands/node.ts has its options): a standalone node with its own pool, and the
 * reindex of a node's data directory.
 */
import { randomBytes } from 'node:crypto';
import chalk from 'chalk';
import { parseKernelChoice } from '../mining/kernels/index.ts';
import { createPowService } from '../mining/pow-service.ts';
import { type StartedNode, startNode } from '../node/start.ts';
import { StartupError } from '../node/startup-error.ts';
import { createPoolVerifier } from '../node/verifier-pool.ts';
import { inlineVerifier } from '../node/verifier.ts';
import { libsecp256k1 } from '../runtime/secp256k1.ts';
import { isAddress, isLoopback, isNodeId } from '../net/peers.ts';
import { httpJSON } from '../net/http-client.ts';
import { silentLogger } from '../runtime/logger.ts';
import { rebuildStore } from '../node/reindex.ts';
import { createLevelStore, hasLevelFiles, StoreError } from '../store/store.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getNetworkOrUsage, wholeNumberOption } from './args.ts';
import { EXIT_INVALID, UsageError, bad, ok, printFields, printJSON } from './output.ts';

/** `node reindex`: rebuilds a node's index, UTXO set and tip from its stored blocks. */
export async function reindexNode(argv: { dataDir: string; network: string; json: boolean }): Promise<void> {
  const params = getNetworkOrUsage(argv.network);
  if (!existsSync(argv.dataDir)) throw new UsageError(`${argv.dataDir} does not exist`);
  if (!hasLevelFiles(argv.dataDir))
    throw new UsageError(
      `${argv.dataDir} holds no node database (no CURRENT, MANIFEST-*, .ldb or .log file)`,
    );
  let r;
  try {
    r = await rebuildStore(createLevelStore(argv.dataDir), params, Math.floor(Date.now() / 1000));
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    if (err.kind !== 'damaged') throw new UsageError(err.message);
    console.error(bad(`error: ${err.message}`));
    process.exitCode = EXIT_INVALID;
    return;
  }
  if (argv.json) {
    printJSON(r);
    return;
  }
  printFields(`${ok('reindexed')} ${argv.dataDir}`, [
    ['repaired', r.repairReason === null ? 'no' : `yes (${r.repairReason})`],
    ['blocks read', String(r.blocksStored)],
    ['blocks accepted', String(r.blocksAccepted)],
    ['tip', `${r.height} ${r.tip}`],
    ['damaged (deleted)', r.damaged.length === 0 ? '0' : bad(r.damaged.join(', '))],
    [
      'rejected',
      r.rejected.length === 0
        ? '0'
        : bad(r.rejected.map((x) => `${x.hash.slice(0, 16)} ${x.reason}`).join(', ')),
    ],
    ['without ancestry', String(r.orphaned)],
  ]);
  if (r.repaired)
    console.log(
      `LevelDB's repair set aside the files it replaced or could not read, in ${join(argv.dataDir, 'lost')}.`,
    );
  if (r.repaired || r.damaged.length > 0 || r.rejected.length > 0 || r.orphaned > 0) {
    console.log('Missing blocks are fetched from peers when the node runs again (GET /block/new).');
  }
}

export interface RunArgs {
  port: unknown;
  host: string;
  network: string;
  dataDir?: string | undefined;
  inMemory: boolean;
  peer: Array<string | number>;
  kernel: string;
  threads?: unknown;
  verifyThreads?: unknown;
  mine: boolean;
  token?: string | undefined;
  advertise?: string | undefined;
}

export async function runStandaloneNode(argv: RunArgs): Promise<void> {
  const params = getNetworkOrUsage(argv.network);
  let kernel;
  try {
    kernel = parseKernelChoice(argv.kernel);
  } catch (err) {
    throw new UsageError(`--kernel: ${(err as Error).message}`);
  }
  const port = wholeNumberOption('port', argv.port, 0, 65535);
  const threads = argv.threads === undefined ? undefined : wholeNumberOption('threads', argv.threads, 1, 256);
  const verifyThreads =
    argv.verifyThreads === undefined
      ? undefined
      : wholeNumberOption('verify-threads', argv.verifyThreads, 0, 256);
  const peers = argv.peer.map(String);
  const badPeer = peers.find((p) => !isAddress(p));
  if (badPeer !== undefined) throw new UsageError(`--peer must be host:port, got ${JSON.stringify(badPeer)}`);
  const token = isLoopback(argv.host) ? argv.token : (argv.token ?? randomBytes(16).toString('hex'));
  const warn = (m: string): void => console.error(chalk.yellow(`warning: ${m}`));
  // The same PoW interface as in the simulator, over a pool of its own.
  const service = createPowService({ kernel, threads, warn });
  let pool;
  try {
    pool = await service.ready;
  } catch (err) {
    await service.close();
    throw err;
  }
  const dataDir = argv.inMemory ? null : (argv.dataDir ?? `data/${params.name}/node-${port}`);
  const verifier =
    verifyThreads === 0
      ? inlineVerifier
      : createPoolVerifier(verifyThreads === undefined ? {} : { threads: verifyThreads });
  let started: StartedNode;
  try {
    started = await startNode({
      params,
      pow: service.scheduler.addClient({ name: 'node' }),
      logger: silentLogger(),
      store: dataDir ? { dataDir } : 'memory',
      verifier,
      listen: {
        host: argv.host,
        port,
        ...(token ? { token } : {}),
        ...(argv.advertise ? { advertise: argv.advertise } : {}),
        onShutdown: () => void stop(),
      },
    });
  } catch (err) {
    await service.close();
    if (!(err instanceof StartupError) || err.code === 'other') throw err;
    throw new UsageError(
      err.code === 'address-in-use'
        ? `port ${port} is already in use: choose another with --port`
        : err.message,
    );
  }
  const { node, hosted } = started;
  const ownAddress = hosted!.address;
  const connect = async (address: string): Promise<boolean> => {
    try {
      const info = await httpJSON<{ node: string }>(`http://${address}/node/id`, { timeoutMs: 5000 });
      if (!isNodeId(info.node)) return false;
      await node.registerPeers([{ id: info.node, address }]);
      // And introduce ourselves, so blocks flow both ways.
      await httpJSON(`http://${address}/nodes/register`, {
        method: 'POST',
        body: { nodes: [node.id], addresses: [ownAddress] },
        timeoutMs: 5000,
        token,
      });
      return true;
    } catch {
      return false;
    }
  };
  let pending: string[] = [];
  for (const address of peers) if (!(await connect(address))) pending.push(address);
  if (peers.length > pending.length) await node.syncWithPeers();
  if (pending.length > 0) {
    console.error(
      chalk.yellow(`peer(s) not answering yet: ${pending.join(', ')}; retrying every 2 s for a minute`),
    );
    // Peers on other hosts may start later: keep trying for a while (bounded).
    const until = Date.now() + 60_000;
    const retry = setInterval(() => {
      void (async () => {
        const still: string[] = [];
        for (const address of pending) if (!(await connect(address))) still.push(address);
        if (still.length < pending.length) await node.syncWithPeers().catch(() => undefined);
        pending = still;
        if (pending.length === 0 || Date.now() > until) clearInterval(retry);
      })();
    }, 2000);
    retry.unref();
  }
  printFields(`${ok('node')} http://${ownAddress}`, [
    ['id', node.id],
    ['network', params.name],
    ['height', `${node.chain.height} ${node.chain.tip.hash}`],
    ['mining address', node.miningAddress],
    ['pool', `${pool.threads} thread(s), ${pool.kernel} kernel`],
    [
      'signatures',
      `${libsecp256k1().name}, ${verifier === inlineVerifier ? 'in the HTTP thread' : `in a ${verifier.kind}`}`,
    ],
    ['data', dataDir ?? '(in memory)'],
    ['peers', String(node.peers.size)],
    ...(token ? ([['token', token]] as Array<[string, string]>) : []),
  ]);
  if (argv.mine) node.startMining();
  let stopping = false;
  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    await started.close();
    await service.close();
    process.exit(0);
  }
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
