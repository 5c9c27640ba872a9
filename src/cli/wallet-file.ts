/**
 * The wallet file as the `wallet` and `send` commands use it: where it is, reading it, their shared options,
 * and how amounts print. The format and the payments themselves are wallet/'s.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { networks } from '../consensus/index.ts';
import { type Wallet, walletFromFile } from '../wallet/wallet.ts';
import { bad, UsageError } from './output.ts';

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

/** 32 fresh bytes for each BIP-340 signature. */
export const auxRand = (): Uint8Array => new Uint8Array(randomBytes(32));

export const walletOption = {
  type: 'string',
  describe:
    'wallet file (default: ~/.chainsim/wallet-<network>.json, or $CHAINSIM_HOME/wallet-<network>.json)',
} as const;

export const networkOption = {
  type: 'string',
  default: 'sim',
  describe: `network of the wallet (${Object.keys(networks).join(', ')}); picks the default file`,
} as const;

export const nodeOption = {
  type: 'string',
  default: 'http://127.0.0.1:5000',
  describe: 'node URL (or port)',
} as const;
