import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import type { Argv } from 'yargs';
import { networks, type NetworkParams } from '../../consensus/index.ts';
import { type Wallet, walletFromFile, walletFromSecret, walletToFile } from '../../wallet/wallet.ts';
import { nodeRequest, nodeUrl } from '../client.ts';
import { getNetworkOrUsage } from './header.ts';
import { bad, printFields, printJSON, UsageError } from '../output.ts';

/** `~/.chainsim/wallet-<network>.json`, or under $CHAINSIM_HOME when set. */
export function defaultWalletPath(network: string): string {
  const home = process.env.CHAINSIM_HOME ?? join(homedir(), '.chainsim');
  return join(home, `wallet-${network}.json`);
}

export interface WalletArgs {
  wallet?: string | undefined;
  network: string;
}

export function walletPath(argv: WalletArgs): string {
  return resolve(argv.wallet ?? defaultWalletPath(argv.network));
}

/** Reads the wallet file; usage errors (exit 2) say which file and what is wrong. */
export function loadWallet(argv: WalletArgs): { wallet: Wallet; path: string } {
  const path = walletPath(argv);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(
      missing
        ? `no wallet at ${path}: create one with \`chainsim wallet new${argv.wallet ? ` --wallet ${argv.wallet}` : ''}\``
        : `cannot read ${path}: ${(err as Error).message}`,
    );
  }
  let wallet: Wallet;
  try {
    wallet = walletFromFile(JSON.parse(text));
  } catch (err) {
    throw new UsageError(`${path} is not a valid wallet: ${(err as Error).message}`);
  }
  if ((statSync(path).mode & 0o077) !== 0) {
    console.error(bad(`warning: ${path} is readable by others; run chmod 600 ${path}`));
  }
  return { wallet, path };
}

export function formatUnits(units: number | bigint): string {
  const n = BigInt(units);
  const whole = n / 100_000_000n;
  const frac = (n % 100_000_000n).toString().padStart(8, '0').replace(/0+$/, '');
  return `${n} units (${whole}${frac ? `.${frac}` : ''} coins)`;
}

const walletOption = {
  type: 'string',
  describe:
    'wallet file (default: ~/.chainsim/wallet-<network>.json, or $CHAINSIM_HOME/wallet-<network>.json)',
} as const;
const networkOption = {
  type: 'string',
  default: 'sim',
  describe: `network of the wallet (${Object.keys(networks).join(', ')}); picks the default file`,
} as const;

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
            v
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
              .example(
                '$0 wallet new --network regtest --wallet alice.json',
                'a regtest wallet in alice.json',
              ),
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
            v
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
            v
              .option('wallet', walletOption)
              .option('network', networkOption)
              .option('node', {
                type: 'string',
                default: 'http://127.0.0.1:5000',
                describe: 'node URL (or port)',
              })
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
        .demandCommand(1, 'name a wallet subcommand: new, address or balance'),
  );
}

/** 32 fresh bytes for each BIP-340 signature. */
export const auxRand = (): Uint8Array => new Uint8Array(randomBytes(32));
