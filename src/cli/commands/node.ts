import type { Argv } from 'yargs';
import { reindexStore } from '../../store/reindex.ts';
import { createLevelStore, StoreError } from '../../store/store.ts';
import { existsSync } from 'node:fs';
import { getNetworkOrUsage } from './header.ts';
import { EXIT_INVALID, UsageError, bad, ok, printFields, printJSON } from '../output.ts';

export function nodeCommand(y: Argv): Argv {
  return y.command('node', "Work with a node's data directory", (c) =>
    c
      .command(
        'reindex',
        "Rebuild a node's block index, UTXO set, undo data and tip from its stored blocks (validating them again)",
        (v) =>
          v
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
            .example(
              '$0 node reindex --data-dir data/sim/node-5000',
              'repair a node whose index or UTXO set is damaged',
            ),
        async (argv) => {
          const params = getNetworkOrUsage(argv.network);
          if (!existsSync(argv.dataDir)) throw new UsageError(`${argv.dataDir} does not exist`);
          const store = createLevelStore(argv.dataDir);
          try {
            await store.open(params.name);
          } catch (err) {
            if (err instanceof StoreError) throw new UsageError(err.message);
            throw err;
          }
          try {
            const r = await reindexStore(store, params, Math.floor(Date.now() / 1000));
            if (argv.json) {
              printJSON(r);
            } else {
              printFields(`${ok('reindexed')} ${argv.dataDir}`, [
                ['blocks stored', String(r.blocksStored)],
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
              if (r.damaged.length > 0 || r.orphaned > 0) {
                console.log(
                  'Missing blocks are fetched from peers when the node runs again (GET /block/new).',
                );
              }
            }
            if (r.damaged.length > 0 || r.rejected.length > 0) process.exitCode = EXIT_INVALID;
          } finally {
            await store.close();
          }
        },
      )
      .demandCommand(1, 'name a node subcommand, e.g. `chainsim node reindex --data-dir data/sim/node-5000`'),
  );
}
