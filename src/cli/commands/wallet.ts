import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import type { Argv } from 'yargs';
import type { NetworkParams } from '../../consensus/index.ts';
import { walletFromSecret, walletToFile } from '../../wallet/wallet.ts';
import { getNetworkOrUsage } from '../args.ts';
import { nodeRequest, nodeUrl } from '../client.ts';
import { commandRequired, examples } from '../help.ts';
import { printFields, printJSON, UsageError } from '../output.ts';
import {
  formatUnits,
  loadWallet,
  networkOption,
  nodeOption,
  walletOption,
  walletPath,
} from '../wallet-file.ts';

export interface Balance {
  address: string;
  height: number;
  confirmed: number;
  immature: number;
  unconfirmed: number;
  spentInMempool: number;
  spendable: number;
  utxos: number;
}

export function walletCommand(y: Argv): Argv {
  return y.command(
    'wallet',
    'A one-key wallet in a file (mode 0600): create it, show its address and balance',
    (c) =>
      c
        .command(
          'new',
          'Create a wallet file with a fresh random key (refuses to overwrite one)',
          (v) =>
            examples(v, [
              ['a wallet for the sim network, in ~/.chainsim/wallet-sim.json', '$0 wallet new'],
              [
                'another in alice.json (--network regtest: a regtest one)',
                '$0 wallet new --wallet alice.json',
              ],
            ])
              .option('wallet', walletOption)
              .option('network', networkOption)
              .option('force', {
                type: 'boolean',
                default: false,
                describe: 'overwrite an existing wallet file',
              })
              .option('show-secret', {
                type: 'boolean',
                default: false,
                describe: 'also print the secret key',
              })
              .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' })
              .epilog('The file holds the secret key: whoever reads it can spend the coins.'),
          (argv) => {
            const params: NetworkParams = getNetworkOrUsage(argv.network);
            const path = walletPath(argv);
            if (existsSync(path) && !argv.force) {
              throw new UsageError(
                `${path} exists: refusing to overwrite a wallet (its coins would be lost); pass --force`,
              );
            }
            const wallet = walletFromSecret(schnorr.utils.randomSecretKey(), params);
            const file = walletToFile(wallet, new Date());
            mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
            writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, {
              mode: 0o600,
              flag: argv.force ? 'w' : 'wx',
            });
            chmodSync(path, 0o600); // an overwritten file keeps its old mode otherwise
            const shown = {
              file: path,
              network: params.name,
              address: wallet.address,
              publicKey: file.publicKey,
            };
            if (argv.json) printJSON(argv.showSecret ? { ...shown, secretKey: file.secretKey } : shown);
            else
              printFields('new wallet', [
                ['file', `${path} (mode 0600)`],
                ['network', params.name],
                ['address', wallet.address],
                ...(argv.showSecret ? [['secret key', file.secretKey] as [string, string]] : []),
              ]);
          },
        )
        .command(
          'address',
          "Print the wallet's address",
          (v) =>
            examples(v, [
              ["the default wallet's address (~/.chainsim/wallet-sim.json)", '$0 wallet address'],
              [
                'fund it: node 5000 mines a block whose coinbase pays it',
                'curl "localhost:5000/mine?address=$($0 wallet address)"',
              ],
            ])
              .option('wallet', walletOption)
              .option('network', networkOption)
              .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' }),
          (argv) => {
            const { wallet } = loadWallet(argv);
            if (argv.json) printJSON({ address: wallet.address, network: wallet.params.name });
            else console.log(wallet.address);
          },
        )
        .command(
          'balance',
          "Ask a node for the wallet's balance",
          (v) =>
            examples(v, [
              ["the default wallet's balance as node 5000 sees it", '$0 wallet balance'],
              [
                "alice.json's, as node 5001 sees it, in JSON",
                '$0 wallet balance --wallet alice.json --node 5001 --json',
              ],
            ])
              .option('wallet', walletOption)
              .option('network', networkOption)
              .option('node', nodeOption)
              .option('json', { type: 'boolean', default: false, describe: 'print JSON for scripts' }),
          async (argv) => {
            const { wallet } = loadWallet(argv);
            const b = await nodeRequest<Balance>(nodeUrl(argv.node), `/address/${wallet.address}/balance`);
            if (argv.json) printJSON(b);
            else
              printFields(`balance at height ${b.height}`, [
                ['address', wallet.address],
                ['confirmed', formatUnits(b.confirmed)],
                ['  of which immature', formatUnits(b.immature)],
                ['unconfirmed incoming', formatUnits(b.unconfirmed)],
                ['spent in mempool', formatUnits(b.spentInMempool)],
                ['spendable now', formatUnits(b.spendable)],
              ]);
          },
        )
        .demandCommand(1, commandRequired('wallet subcommand')),
  );
}
