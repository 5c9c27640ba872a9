import type { Argv } from 'yargs';
import { encodeTx, isAddress, txToJSON } from '../../consensus/index.ts';
import { utf8 } from '../../util/bytes.ts';
import { buildPayment, InsufficientFunds } from '../../wallet/wallet.ts';
import { amountOption } from '../args.ts';
import { NodeError, nodeRequest, nodeUrl } from '../client.ts';
import { type FundingHintOptions, fundingHint, type NodeUtxo } from '../funding.ts';
import { examples } from '../help.ts';
import { bad, EXIT_INVALID, printFields, printJSON, UsageError } from '../output.ts';
import { auxRand, formatUnits, loadWallet, networkOption, nodeOption, walletOption } from '../wallet-file.ts';

export function sendCommand(y: Argv): Argv {
  return y.command(
    'send',
    'Pay an address from the wallet: fetch its coins from a node, build and sign a transaction, submit it, print the txid',
    (c) =>
      examples(c, [
        [
          "pay 1.5 coins from the default wallet to alice.json's, via node 5001",
          '$0 send --node 5001 --amount 1.5 \\',
          '  --to "$($0 wallet address --wallet alice.json)"',
        ],
        [
          'the same in units: a bare whole number, or with a u',
          '$0 send --node 5001 --amount 150000000u \\',
          '  --to "$($0 wallet address --wallet alice.json)"',
        ],
      ])
        .option('to', {
          type: 'string',
          demandOption: true,
          describe: "recipient's address (bech32m, the wallet's network)",
        })
        .option('amount', {
          type: 'string',
          demandOption: true,
          describe:
            'coins with a decimal point (1.5, as Bitcoin Core) or units (150000000u; a bare whole number is units, 10^8 to a coin)',
        })
        .option('fee', {
          type: 'string',
          describe: 'fee, written as --amount (default: 1 unit per byte, the minimum relay fee)',
        })
        .option('data', {
          type: 'string',
          describe: 'text to put in the block (a data output, at most 80 bytes)',
        })
        .option('node', nodeOption)
        .option('wallet', walletOption)
        .option('network', networkOption)
        .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' })
        .epilog(
          'Exit status: 0 sent, 1 refused (insufficient funds: how to fund the wallet is printed; node unreachable; node rejected it: its reason is printed), 2 usage error (bad address or amount).',
        ),
    async (argv) => {
      const { wallet } = loadWallet(argv);
      if (!isAddress(argv.to, wallet.params)) {
        throw new UsageError(
          `--to ${argv.to} is not a ${wallet.params.name} address (bech32m, prefix "${wallet.params.addressPrefix}1p")`,
        );
      }
      const amount = amountOption('amount', argv.amount);
      if (amount === 0n) throw new UsageError('--amount must be positive');
      const data = argv.data === undefined ? undefined : utf8(argv.data);
      if (data && (data.length < 1 || data.length > 80))
        throw new UsageError(`--data is 1..80 bytes, got ${data.length}`);
      const base = nodeUrl(argv.node);
      let funding: Omit<FundingHintOptions, 'needed'> | undefined;
      try {
        const info = await nodeRequest<{ network: string }>(base, '/node/id');
        if (info.network !== wallet.params.name) {
          throw new UsageError(
            `the node at ${base} runs ${info.network}, the wallet is for ${wallet.params.name}`,
          );
        }
        const { utxos, height } = await nodeRequest<{ utxos: NodeUtxo[]; height: number }>(
          base,
          `/address/${wallet.address}/utxos`,
        );
        funding = { address: wallet.address, utxos, height, params: wallet.params, node: base };
        const build = (fee: bigint) =>
          buildPayment({ wallet, utxos, to: argv.to, amount, fee, auxRand, ...(data ? { data } : {}) });
        let fee = argv.fee === undefined ? 0n : amountOption('fee', argv.fee);
        let payment = build(fee);
        // Default fee: the minimum relay fee, 1 unit per byte. The size depends on the coins chosen, which
        // depend on the fee: a few rounds settle it (signatures are always 64 bytes).
        for (let i = 0; argv.fee === undefined && i < 4; i++) {
          const size = BigInt(encodeTx(payment.tx).length);
          if (fee >= size) break;
          fee = size;
          payment = build(fee);
        }
        const res = await nodeRequest<{ txid: string }>(base, '/transactions/new', {
          method: 'POST',
          body: txToJSON(payment.tx),
        });
        if (argv.json) {
          printJSON({
            txid: res.txid,
            amount: Number(amount),
            fee: Number(fee),
            change: Number(payment.change),
            inputs: payment.inputs,
          });
        } else {
          console.log(res.txid);
          printFields('sent', [
            ['to', argv.to],
            ['amount', formatUnits(amount)],
            ['fee', formatUnits(fee)],
            ['change', formatUnits(payment.change)],
            ['node', base],
          ]);
        }
      } catch (err) {
        if (err instanceof InsufficientFunds || err instanceof NodeError) {
          console.error(bad(`error: ${err.message}`));
          if (err instanceof InsufficientFunds && funding)
            console.error(fundingHint({ ...funding, needed: err.needed }));
          process.exitCode = EXIT_INVALID;
          return;
        }
        throw err;
      }
    },
  );
}
