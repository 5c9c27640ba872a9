/**
 * The `simulate` command's options. What it runs is loaded only when it runs: a live run (options checked in
 * simulate-args.ts, run by simulate-live.ts) or a virtual one (simulate-virtual.ts), so neither loads the other.
 */
import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import { NETWORK_NAMES } from '../../consensus/index.ts';
import { LOG_LEVELS } from '../../runtime/logger.ts';
import { examples } from '../help.ts';
import { UsageError } from '../output.ts';

/** The flags written on the command line (kebab-case, aliases resolved, `--no-x` as `x`). */
export function givenFlags(tokens: readonly string[]): Set<string> {
  const aliases: Record<string, string> = { n: 'nodes', y: 'yes', h: 'help' };
  const given = new Set<string>();
  for (const t of tokens) {
    if (t === '--') break;
    if (t.startsWith('--')) {
      const name = t
        .slice(2)
        .split('=')[0]!
        .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      given.add(name.startsWith('no-') ? name.slice(3) : name);
    } else if (/^-[a-zA-Z]$/.test(t)) given.add(aliases[t.slice(1)] ?? t.slice(1));
  }
  return given;
}

export function simulateCommand(y: Argv, tokens: readonly string[] = []): Argv {
  return y.command(
    'simulate',
    'Run a network: the manager (HTTP on --port) and one node per worker thread (HTTP on --base-port + i)',
    (c) =>
      examples(c, [
        ['six nodes on 5000..5005, the manager on 4999', '$0 simulate --nodes 6'],
        ['a race with unequal hash power', '$0 simulate --nodes 6 --hash-power 40,30,10,10,5,5 --mine'],
        [
          'then, from another terminal: each node mines a block, 1-3 s apart',
          'curl localhost:4999/start/mining',
        ],
        ['throw the old chain away and start from genesis', '$0 simulate --fresh --yes'],
        ['nodes push blocks to each other over HTTP, visible on the wire', '$0 simulate --relay http'],
        [
          'twelve nodes, 4 links each, slow links, reproducible',
          '$0 simulate --nodes 12 --topology random:4 \\',
          '  --latency pareto:200ms --bandwidth 1MB/s --loss 1% --seed 7',
        ],
        [
          'start split in two halves (POST :4999/network/heal joins them)',
          '$0 simulate --nodes 12 --partition 5000-5005/5006-5011',
        ],
        ['end by itself after 50 blocks; results in results/<run>/', '$0 simulate --mine --blocks 50'],
        [
          'virtual time: 1,000 nodes, 100 Bitcoin blocks (10-minute mean), in seconds',
          '$0 simulate --virtual --nodes 1000 --blocks 100 \\',
          '  --latency pareto:100ms --seed 1',
        ],
        [
          'eight seeds in parallel on every core, and the spread of each metric',
          '$0 simulate --virtual --nodes 1000 --blocks 100 \\',
          '  --latency pareto:2s --sweep seed=1..8',
        ],
        [
          "10,000 nodes on SimBlock's measured Bitcoin network",
          '$0 simulate --virtual --nodes 10000 --blocks 100 \\',
          '  --model bitcoin-2019 --seed 1',
        ],
      ])
        // No yargs `default` on the numbers: yargs would give a bare `--nodes` its default (args.ts).
        .option('nodes', { alias: 'n', defaultDescription: '6', describe: 'number of nodes' })
        .option('port', { defaultDescription: '4999', describe: "the manager's HTTP port" })
        .option('base-port', { defaultDescription: '5000', describe: 'node i listens on base-port + i' })
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
        .option('topology', {
          type: 'string',
          defaultDescription: 'random:8',
          describe:
            "who links to whom: full, random:K (each node opens K links to random others, like Bitcoin Core's 8 outbound; the full mesh up to K+1 nodes), ring, line, star, or a FILE of links (one a line: 5000 5003 [latency=500ms] ...)",
        })
        .option('latency', {
          type: 'string',
          defaultDescription: '0',
          describe:
            "every link's latency: 50ms, uniform:10ms-50ms, normal:100ms,20ms (mean, sd), pareto:200ms (mean; SimBlock's shape 5)",
        })
        .option('bandwidth', {
          type: 'string',
          defaultDescription: 'unlimited',
          describe:
            'per link and direction, like 1MB/s: a message takes its size over it, queued behind the ones before',
        })
        .option('loss', {
          type: 'string',
          defaultDescription: '0',
          describe:
            'chance a block or transaction push is lost, 1% or 0.01 (the receiver fetches the block when the next one shows the gap)',
        })
        .option('jitter', {
          type: 'string',
          defaultDescription: '0',
          describe: 'each message also waits a uniform draw from 0 to this, like 5ms',
        })
        .option('links', {
          type: 'string',
          describe:
            'FILE of per-link settings, one link a line: 5000 5003 latency=500ms bandwidth=100kB/s loss=5% jitter=2ms',
        })
        .option('partition', {
          type: 'string',
          describe:
            'start partitioned: groups of ports split by /, like 5000-5005/5006-5011 (a node in no group is alone)',
        })
        .option('seed', {
          defaultDescription: 'random, printed',
          describe: 'every random choice of the network model follows it (topology, latency draws, loss)',
        })
        .option('results', {
          type: 'string',
          defaultDescription: 'results',
          describe:
            'when the run ends, write <results>/<run>/summary.json and blocks.csv (--no-results: none)',
        })
        .option('duration', { describe: 'end the run by itself after this many seconds' })
        .option('blocks', {
          describe: 'end the run by itself once it added this many blocks to the best chain',
        })
        .option('virtual', {
          type: 'boolean',
          default: false,
          describe:
            'virtual time: a discrete-event run of the same chain code and network model, as fast as the machine goes (up to 100,000 nodes; needs --blocks or --duration in virtual seconds; nodes are numbered 0..N-1 where a live run names ports; the network defaults to bitcoin)',
        })
        .option('model', {
          type: 'string',
          describe:
            "virtual runs: a named network model instead of the flags above: bitcoin-2019 (SimBlock's measured Bitcoin network: six regions, their latencies and bandwidths, degree distribution, 535 kB blocks, inv/getdata, compact blocks)",
        })
        .option('sweep', {
          type: 'string',
          describe:
            'virtual runs: one run per point, in parallel on every core: seed=1..8, a grid nodes=100:500:100 or a list interval=1,2,5 (seed, nodes, interval, blocks, duration; repeat for a product, at most 10,000 points); results per run, and <results>/sweep-<hash>/sweep.csv, sweep.json',
        })
        .option('jobs', {
          defaultDescription: `one per core, ${availableParallelism()} here`,
          describe: 'sweeps: how many runs at a time (worker threads)',
        })
        .option('interval', {
          defaultDescription: "the network's target spacing",
          describe: 'virtual runs: the mean seconds between blocks',
        })
        .epilog(
          [
            'Units: durations in ms or s (a bare number is ms); bandwidth in B/s, kB/s, MB/s, GB/s (SI: k = 1000) or KiB/s, MiB/s (1024); loss as a percentage (1%) or a fraction (0.01).',
            'While it runs: GET :5000/chain, :4999/nodes, :4999/network, :4999/metrics; POST :4999/network/partition, /network/heal, /network/links, /nodes/:port/stop, /start, /hash-power (docs/network-model.md). Stop with Ctrl-C or GET :4999/shutdown/all.',
          ].join('\n\n'),
        ),
    async (argv) => {
      if (argv.virtual) {
        const given = givenFlags(tokens);
        if (argv.sweep !== undefined) {
          const { checkSweep, runSweep } = await import('../simulate-sweep.ts');
          await runSweep(checkSweep(argv, given));
          return;
        }
        if (argv.jobs !== undefined) throw new UsageError('--jobs applies to --sweep runs only');
        const { checkVirtualArgs, runVirtual } = await import('../simulate-virtual.ts');
        await runVirtual(checkVirtualArgs(argv, given));
        return;
      }
      for (const flag of ['interval', 'model', 'sweep', 'jobs'])
        if (argv[flag] !== undefined) throw new UsageError(`--${flag} applies to --virtual runs only`);
      const { checkSimulateArgs } = await import('../simulate-args.ts');
      const { simulate } = await import('../simulate-live.ts');
      await simulate(checkSimulateArgs(argv));
    },
  );
}
