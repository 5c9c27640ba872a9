import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { getNetwork, type TxProof, verifyTxProof } from '../../consensus/index.ts';
import { getNetworkOrUsage } from '../args.ts';
import { commandRequired, examples } from '../help.ts';
import { bad, EXIT_INVALID, hex256, ok, printFields, printJSON, UsageError } from '../output.ts';

function readProof(file: string): TxProof {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
    return value as TxProof;
  } catch (err) {
    throw new UsageError(
      `${file} is not a proof (the JSON of GET /tx/:txid/proof): ${(err as Error).message}`,
    );
  }
}

export function proofCommand(y: Argv): Argv {
  return y.command('proof', 'Simplified payment verification (Bitcoin paper §8)', (c) =>
    c
      .command(
        'verify <file>',
        "Check offline that a transaction is in a block: the header's proof-of-work, the merkle branch, the headers built on it",
        (v) =>
          examples(v, [
            [
              'check a payment offline once a block holds it (TXID: what send printed)',
              'curl -s "localhost:5000/tx/$TXID/proof" > proof.json',
              '$0 proof verify proof.json',
            ],
          ])
            .positional('file', {
              type: 'string',
              demandOption: true,
              describe: 'the JSON of GET /tx/:txid/proof, or - for stdin',
            })
            .option('network', {
              type: 'string',
              describe: "rules to apply (default: the proof's network field)",
            })
            .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' })
            .epilog(
              'Exit status: 0 the proof holds, 1 it does not (the reason is printed), 2 usage error. The bits are checked against the powLimit, not the retarget rule: that needs the headers from genesis (chainsim headers verify).',
            ),
        (argv) => {
          const proof = readProof(argv.file);
          const name = argv.network ?? proof.network;
          if (!name) throw new UsageError('the proof names no network: pass --network');
          const params = argv.network ? getNetworkOrUsage(argv.network) : getNetworkSafe(name);
          const r = verifyTxProof(proof, params);
          if (argv.json)
            printJSON(
              r.ok ? { ...r, work: hex256(r.work), network: params.name } : { ...r, network: params.name },
            );
          else if (r.ok) {
            printFields(`${ok('valid')} proof (${params.name})`, [
              ['txid', r.txid],
              ['block', r.blockHash],
              ['confirmations', `${r.confirmations} (the block and ${r.confirmations - 1} header(s) on it)`],
              ['work', `${hex256(r.work)} (${r.work})`],
            ]);
          } else {
            printFields(`${bad('invalid')} proof (${params.name})`, [
              ['reason', bad(r.reason)],
              ['message', r.message],
            ]);
          }
          if (!r.ok) process.exitCode = EXIT_INVALID;
        },
      )
      .demandCommand(1, commandRequired('proof subcommand')),
  );
}

function getNetworkSafe(name: string) {
  try {
    return getNetwork(name);
  } catch (err) {
    throw new UsageError(`the proof's network: ${(err as Error).message}; pass --network`);
  }
}
