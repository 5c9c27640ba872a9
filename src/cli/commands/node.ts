/**
 * The `node` command's options; what it runs (a standalone node, a reindex) is in ../node-run.ts, loaded only
 * when it runs, so other commands (a virtual run, --help) do not load a node, its store and its pool.
 */
import type { Argv } from 'yargs';
import { commandRequired, examples } from '../help.ts';

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
          const { reindexNode } = await import('../node-run.ts');
          await reindexNode(argv);
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
          const { runStandaloneNode } = await import('../node-run.ts');
          await runStandaloneNode(argv);
        },
      )
      .demandCommand(1, commandRequired('node subcommand')),
  );
}
