/**
 * A minimal wallet: one BIP-340 key per file, coin selection and payment building. No I/O here: the CLI reads
 * and writes the file and talks to the node; randomness (the secret key, BIP-340 auxiliary bytes) comes in.
 * Change goes back to the wallet's own address.
 */
import {
  addressFromKey,
  dataScript as dataScriptOf,
  getNetwork,
  keyFromAddress,
  keyScript,
  type NetworkParams,
  publicKeyOf,
  signTransaction,
  type Transaction,
  type TxOutput,
  SEQUENCE_FINAL,
} from '../consensus/index.ts';
import { bytesToHex, hexToBytes } from '../util/bytes.ts';
import { ChainsimError } from '../util/errors.ts';

export const WALLET_FORMAT = 'chainsim-wallet/1';

/** The file: JSON, written with mode 0600. */
export interface WalletFile {
  readonly format: typeof WALLET_FORMAT;
  readonly network: string;
  /** 32-byte secret key, hex. */
  readonly secretKey: string;
  readonly publicKey: string;
  readonly address: string;
  readonly created: string;
}

export interface Wallet {
  readonly params: NetworkParams;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly address: string;
  readonly script: Uint8Array;
}

export function walletFromSecret(secretKey: Uint8Array, params: NetworkParams): Wallet {
  const publicKey = publicKeyOf(secretKey);
  return {
    params,
    secretKey,
    publicKey,
    address: addressFromKey(publicKey, params),
    script: keyScript(publicKey),
  };
}

export function walletToFile(w: Wallet, created: Date): WalletFile {
  return {
    format: WALLET_FORMAT,
    network: w.params.name,
    secretKey: bytesToHex(w.secretKey),
    publicKey: bytesToHex(w.publicKey),
    address: w.address,
    created: created.toISOString(),
  };
}

/** A wallet file that is not one, or does not hold together (the message says what is wrong). */
export class WalletFileError extends ChainsimError<'bad-wallet-file'> {
  override readonly name = 'WalletFileError';
  constructor(message: string) {
    super('bad-wallet-file', message);
  }
}

/** Parses and checks a wallet file's JSON; throws a WalletFileError (or hexToBytes' error) saying what is wrong. */
export function walletFromFile(json: unknown): Wallet {
  if (typeof json !== 'object' || json === null)
    throw new WalletFileError('a wallet file holds a JSON object');
  const f = json as Partial<WalletFile>;
  if (f.format !== WALLET_FORMAT)
    throw new WalletFileError(`not a ${WALLET_FORMAT} file (format ${JSON.stringify(f.format)})`);
  const params = getNetwork(String(f.network));
  const secret = hexToBytes(String(f.secretKey), 'secretKey');
  if (secret.length !== 32) throw new WalletFileError('secretKey must be 32 bytes');
  const w = walletFromSecret(secret, params);
  if (f.address !== undefined && f.address !== w.address) {
    throw new WalletFileError(`the file's address ${f.address} does not belong to its key (${w.address})`);
  }
  return w;
}

/** An unspent output as `GET /address/:addr/utxos` lists it. */
export interface WalletUtxo {
  readonly txid: string;
  readonly vout: number;
  readonly value: number;
  readonly spendable: boolean;
  readonly height: number | null;
}

export class InsufficientFunds extends ChainsimError<'insufficient-funds'> {
  override readonly name = 'InsufficientFunds';
  constructor(
    readonly available: bigint,
    readonly needed: bigint,
  ) {
    super(
      'insufficient-funds',
      `insufficient funds: ${available} spendable, ${needed} needed (amount + fee)`,
    );
  }
}

export interface PaymentOptions {
  readonly wallet: Wallet;
  readonly utxos: readonly WalletUtxo[];
  /** The recipient's address (checked against the wallet's network). */
  readonly to: string;
  readonly amount: bigint;
  readonly fee: bigint;
  /** 32 fresh random bytes per signature (BIP-340 auxiliary randomness). */
  readonly auxRand: () => Uint8Array;
  /** Optional data output (1..80 bytes): text in the block. */
  readonly data?: Uint8Array;
}

export interface Payment {
  readonly tx: Transaction;
  readonly inputs: number;
  readonly change: bigint;
}

/**
 * Builds and signs a payment: spendable coins, confirmed ones oldest first then unconfirmed, until they cover
 * amount + fee; change back to the wallet when there is any. Throws RangeError for a bad address or amount,
 * InsufficientFunds when the coins do not cover it.
 */
export function buildPayment(opts: PaymentOptions): Payment {
  const { wallet, amount, fee } = opts;
  const toScript = keyScript(keyFromAddress(opts.to, wallet.params));
  if (amount <= 0n) throw new RangeError(`the amount must be positive, got ${amount}`);
  if (fee < 0n) throw new RangeError(`the fee cannot be negative, got ${fee}`);
  const candidates = opts.utxos
    .filter((u) => u.spendable)
    .sort((a, b) => (a.height ?? Infinity) - (b.height ?? Infinity) || b.value - a.value);
  const needed = amount + fee;
  const chosen: WalletUtxo[] = [];
  let total = 0n;
  for (const u of candidates) {
    if (total >= needed) break;
    chosen.push(u);
    total += BigInt(u.value);
  }
  if (total < needed) {
    throw new InsufficientFunds(
      candidates.reduce((n, u) => n + BigInt(u.value), 0n),
      needed,
    );
  }
  const change = total - needed;
  const outputs: TxOutput[] = [{ value: amount, script: toScript }];
  if (change > 0n) outputs.push({ value: change, script: wallet.script });
  if (opts.data) outputs.push({ value: 0n, script: dataScriptOf(opts.data) });
  const unsigned: Transaction = {
    version: 2,
    inputs: chosen.map((u) => ({
      prevout: { txid: u.txid as never, vout: u.vout },
      script: new Uint8Array(0),
      sequence: SEQUENCE_FINAL,
    })),
    outputs,
    lockTime: 0,
  };
  const spent = chosen.map((u) => ({ value: BigInt(u.value), script: wallet.script }));
  const tx = signTransaction(
    unsigned,
    spent,
    () => wallet.secretKey,
    () => opts.auxRand(),
  );
  return { tx, inputs: chosen.length, change };
}
