import type { Argv } from 'yargs';
import { merkleBranch, merkleRoot } from '../../consensus/index.ts';
import { wholeNumberOption } from '../args.ts';
import { examples } from '../help.ts';
import { UsageError, bad, ok, printFields, printJSON } from '../output.ts';

export function merkleCommand(y: Argv): Argv {
  return y.command(
    'merkle <txids..>',
    'Compute the merkle root of transaction ids (display order, as explorers show them)',
    (c) =>
      examples(c, [
        [
          'the merkle root of block 170, and the proof for its second transaction',
          '$0 merkle --branch 1 \\',
          '  b1fea52486ce0c62bb442b530a3f0132b826c74e473d1f2c220bfa78111c5082 \\',
          '  f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16',
        ],
      ])
        .positional('txids', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'txids, 64 hex chars each',
        })
        .option('branch', {
          describe: 'also print the merkle branch (proof) for the txid at this index',
        })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' }),
    (argv) => {
      const txids = argv.txids.map(String);
      let result;
      try {
        result = merkleRoot(txids);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      let branch;
      if (argv.branch !== undefined) {
        branch = merkleBranch(txids, wholeNumberOption('branch', argv.branch, 0, txids.length - 1));
      }
      if (argv.json) {
        printJSON({ ...result, count: txids.length, ...(branch ? { branch } : {}) });
        return;
      }
      const rows: Array<[string, string]> = [
        ['transactions', String(txids.length)],
        ['root', result.root],
        ['mutated', result.mutated ? bad('yes: duplicate hashes in a level (CVE-2012-2459)') : ok('no')],
      ];
      if (branch) {
        rows.push(['branch index', String(branch.index)]);
        branch.siblings.forEach((s, i) => rows.push([`sibling ${i}`, s]));
      }
      printFields('merkle', rows);
    },
  );
}
