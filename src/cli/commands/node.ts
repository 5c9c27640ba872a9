import { randomBytes } from 'node:crypto';
import chalk from 'chalk';
import type { Argv } from 'yargs';
import { parseKernelChoice } from '../../mining/kernels/index.ts';
import { createPowService } from '../../mining/pow-service.ts';
import { type StartedNode, startNode } from '../../node/start.ts';
import { StartupError } from '../../node/startup-error.ts';
import { createPoolVerifier } from '../../node/verifier-pool.ts';
import { inlineVerifier } from '../../node/verifier.ts';
import { libsecp256k1 } from '../../runtime/secp256k1.ts';
import { isAddress, isLoopback, isNodeId } from '../../net/peers.ts';
import { httpJSON } from '../../net/http-client.ts';
import { silentLogger } from '../../runtime/logger.ts';
import { rebuildStore } from '../../node/reindex.ts';
import { createLevelStore, hasLevelFiles, StoreError } from '../../store/store.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getNetworkOrUsage, wholeNumberOption } from '../args.ts';
import { commandRequired, examples } from '../help.ts';
import { EXIT_INVALID, UsageError, bad, ok, printFields, printJSON } from '../output.ts';

export function nodeCommand(y: Argv): Argv {
  return y.command('node', "Run a standalone node (run), or rebuild a node's data directory (reindex)", (c) =>
    c
      .command(
        'reindex',
        "Rebuild a node's block index, UTXO set, undo data and tip from its stored blocks (validating them again), repairing the database first when it is damaged",
        (v) =>
          examples(v, [
            [
              'repair a node whose database, index or UTXO set is damaged',
              '$0 node reindex --data-dir data/sim/node-5000',
            ],
          ])
            .option('data-dir', {
              type: 'string',
              demandOption: true,
              describe: "the node's directory, e.g. data/sim/node-5000",
            })
            .option('network', {
              type: 'string',
              default: 'sim',
              describe: 'the network the data belongs to',
            })
            .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' })
            .epilog(
              'When LevelDB reports the database damaged (it does not open, or its blocks do not read), ' +
                "LevelDB's repair runs first (damaged files are kept in <data-dir>/lost/); then every block " +
                'that can still be read is validated again from genesis. Blocks lost, damaged or rejected are ' +
                'fetched from peers when the node runs again.\n\n' +
                'Exit status: 0 the chain was rebuilt and the node can run (even if blocks were lost: see the ' +
                'report); 1 the database could not be rebuilt, even after the repair; 2 the command cannot ' +
                'run here (no such directory or no database in it, data of another network or schema, in use ' +
                'by another process, or an I/O error).',
            ),
        async (argv) => {
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
        },
      )
      .command(
        'run',
        'Run one standalone node in this process, with its own proof-of-work pool (for nodes on separate hosts)',
        (v) =>
          examples(v, [
            [
              'a node that talks to a peer on another host',
              '$0 node run --port 5000 --peer 10.0.0.2:5000 --host 0.0.0.0',
            ],
          ])
            .option('port', { default: 5000, describe: 'HTTP port (0 picks a free one)' })
            .option('host', {
              type: 'string',
              default: '127.0.0.1',
              describe: 'bind address; beyond loopback a bearer token is required',
            })
            .option('network', { type: 'string', default: 'sim', describe: 'parameter preset' })
            .option('data-dir', {
              type: 'string',
              describe: 'where the node keeps its chain (default data/<network>/node-<port>)',
            })
            .option('in-memory', {
              type: 'boolean',
              default: false,
              describe: 'keep the chain in memory only',
            })
            .option('peer', {
              type: 'string',
              array: true,
              default: [],
              describe: 'a peer to connect to, host:port (repeatable)',
            })
            .option('kernel', {
              type: 'string',
              default: 'auto',
              describe: 'proof-of-work kernel: auto, native, wasm-simd, js',
            })
            .option('threads', { describe: 'pool threads (default: one per core)' })
            .option('verify-threads', {
              describe:
                'threads that verify the signatures of received transactions, off the HTTP thread ' +
                '(default: one per core; 0 verifies in the HTTP thread)',
            })
            .option('mine', { type: 'boolean', default: false, describe: 'mine continuously' })
            .option('token', {
              type: 'string',
              describe:
                'bearer token when bound beyond loopback (default: random, printed); also sent to --peer nodes when registering with them, so nodes on several hosts share one token',
            })
            .option('advertise', {
              type: 'string',
              describe:
                'the host (or host:port) peers reach this node at, when --host is 0.0.0.0 (default: the first non-loopback IPv4 address)',
            }),
        async (argv) => {
          await runStandaloneNode(argv);
        },
      )
      .demandCommand(1, commandRequired('node subcommand')),
  );
}

interface RunArgs {
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

async function runStandaloneNode(argv: RunArgs): Promise<void> {
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
