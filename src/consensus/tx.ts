/**
 * Transactions in Bitcoin's own (pre-segwit) serialisation, so a txid here is a txid on Bitcoin:
 * version u32 | vin (CompactSize, then prevout txid 32B internal order, vout u32, script varbytes, sequence u32)
 * | vout (CompactSize, then value i64, script varbytes) | lockTime u32.
 *
 * Scripts are carried as bytes. The coinbase's input script commits to the block height (BIP-34); the signed
 * UTXO model (x-only public keys, BIP-340 signatures) gives the other scripts their meaning.
 */
import { assertU32, bytesToHex, hexToBytes } from '../util/bytes.ts';
import { describeValue } from '../util/describe.ts';
import { ByteReader, ByteWriter } from './encoding.ts';
import { ConsensusError } from './errors.ts';
import {
  type DisplayHash,
  displayFromInternal,
  hash256,
  internalFromDisplay,
  parseDisplayHash,
  ZERO_HASH,
} from './hash.ts';

/** 21 million coins of 10^8 units: Core's MAX_MONEY. */
export const MAX_MONEY = 21_000_000n * 100_000_000n;
/** The null outpoint's index (Core COutPoint::NULL_INDEX). */
export const NULL_INDEX = 0xffffffff;
export const SEQUENCE_FINAL = 0xffffffff;

export interface OutPoint {
  readonly txid: DisplayHash;
  readonly vout: number;
}

export interface TxInput {
  readonly prevout: OutPoint;
  readonly script: Uint8Array;
  readonly sequence: number;
}

export interface TxOutput {
  /** In the smallest unit; bigint so sums never lose precision (CVE-2010-5139). */
  readonly value: bigint;
  readonly script: Uint8Array;
}

export interface Transaction {
  readonly version: number;
  readonly inputs: readonly TxInput[];
  readonly outputs: readonly TxOutput[];
  readonly lockTime: number;
}

export function writeTx(w: ByteWriter, tx: Transaction): void {
  w.u32(tx.version);
  w.varint(tx.inputs.length);
  for (const input of tx.inputs) {
    w.bytes(internalFromDisplay(input.prevout.txid, 'prevout txid'));
    w.u32(input.prevout.vout);
    w.varbytes(input.script);
    w.u32(input.sequence);
  }
  w.varint(tx.outputs.length);
  for (const output of tx.outputs) {
    w.i64(output.value);
    w.varbytes(output.script);
  }
  w.u32(tx.lockTime);
}

export function encodeTx(tx: Transaction): Uint8Array {
  const w = new ByteWriter(64 + tx.inputs.length * 110 + tx.outputs.length * 45);
  writeTx(w, tx);
  return w.finish();
}

/** Smallest encodings of an input (36 + 1 + 4) and an output (8 + 1). */
const MIN_INPUT_SIZE = 41;
const MIN_OUTPUT_SIZE = 9;

export function readTx(r: ByteReader): Transaction {
  const version = r.u32();
  const nIn = r.count(MIN_INPUT_SIZE);
  const inputs: TxInput[] = [];
  for (let i = 0; i < nIn; i++) {
    const txid = displayFromInternal(r.bytes(32));
    const vout = r.u32();
    const script = r.varbytes();
    const sequence = r.u32();
    inputs.push({ prevout: { txid, vout }, script, sequence });
  }
  const nOut = r.count(MIN_OUTPUT_SIZE);
  const outputs: TxOutput[] = [];
  for (let i = 0; i < nOut; i++) {
    const value = r.i64();
    const script = r.varbytes();
    outputs.push({ value, script });
  }
  const lockTime = r.u32();
  return { version, inputs, outputs, lockTime };
}

export function decodeTx(bytes: Uint8Array | string): Transaction {
  const buf = typeof bytes === 'string' ? txHexToBytes(bytes) : bytes;
  const r = new ByteReader(buf, 'transaction');
  const tx = readTx(r);
  r.end();
  return tx;
}

function txHexToBytes(hex: string): Uint8Array {
  try {
    return hexToBytes(hex, 'transaction hex');
  } catch (err) {
    throw new ConsensusError('bad-encoding', (err as Error).message);
  }
}

export function txid(tx: Transaction): DisplayHash {
  return displayFromInternal(hash256(encodeTx(tx)));
}

export function isNullOutPoint(p: OutPoint): boolean {
  return p.vout === NULL_INDEX && p.txid === ZERO_HASH;
}

/** Core CTransaction::IsCoinBase: exactly one input, spending the null outpoint. */
export function isCoinbase(tx: Transaction): boolean {
  return tx.inputs.length === 1 && isNullOutPoint(tx.inputs[0]!.prevout);
}

/** Core's MoneyRange. */
export function moneyRange(value: bigint): boolean {
  return value >= 0n && value <= MAX_MONEY;
}

/**
 * Core consensus/tx_check.cpp CheckTransaction: the rules that need no chain state.
 * `maxSize` is the network's block size limit.
 */
export function checkTransaction(tx: Transaction, maxSize: number, size = encodeTx(tx).length): void {
  if (tx.inputs.length === 0) throw new ConsensusError('bad-txns-vin-empty');
  if (tx.outputs.length === 0) throw new ConsensusError('bad-txns-vout-empty');
  if (size > maxSize) throw new ConsensusError('bad-txns-oversize');
  let total = 0n;
  for (const [i, output] of tx.outputs.entries()) {
    if (output.value < 0n) throw new ConsensusError('bad-txns-vout-negative', `output ${i}`);
    if (output.value > MAX_MONEY) throw new ConsensusError('bad-txns-vout-toolarge', `output ${i}`);
    total += output.value;
    if (!moneyRange(total)) throw new ConsensusError('bad-txns-txouttotal-toolarge');
  }
  const seen = new Set<string>();
  for (const input of tx.inputs) {
    const key = `${input.prevout.txid}:${input.prevout.vout}`;
    if (seen.has(key)) throw new ConsensusError('bad-txns-inputs-duplicate', key);
    seen.add(key);
  }
  if (isCoinbase(tx)) {
    const len = tx.inputs[0]!.script.length;
    if (len < 2 || len > 100) throw new ConsensusError('bad-cb-length', `coinbase script is ${len} bytes`);
  } else {
    for (const input of tx.inputs) {
      if (isNullOutPoint(input.prevout)) throw new ConsensusError('bad-txns-prevout-null');
    }
  }
}

// --- BIP-34: the coinbase script starts with the height, as Core's `CScript() << nHeight` writes it ---

/** Minimal little-endian script number (Core CScriptNum::serialize), for non-negative n. */
function scriptNum(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v > 0) {
    out.push(v & 0xff);
    v = Math.floor(v / 256);
  }
  // A set top bit would read as negative: add a sign byte.
  if (out.length > 0 && (out[out.length - 1]! & 0x80) !== 0) out.push(0);
  return Uint8Array.from(out);
}

/** `CScript() << height`: OP_0, OP_1..OP_16, or a push of the minimal script number. */
export function heightScript(height: number): Uint8Array {
  assertU32(height, 'height');
  if (height === 0) return Uint8Array.of(0x00);
  if (height <= 16) return Uint8Array.of(0x50 + height);
  const num = scriptNum(height);
  return Uint8Array.of(num.length, ...num);
}

/** Core ContextualCheckBlock's BIP-34 test: the coinbase script begins with `CScript() << height`. */
export function coinbaseCommitsToHeight(tx: Transaction, height: number): boolean {
  const script = tx.inputs[0]?.script;
  if (!script) return false;
  const expected = heightScript(height);
  if (script.length < expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (script[i] !== expected[i]) return false;
  return true;
}

// --- JSON (the edges only; hashes are always over the bytes above) ---

export interface TxInputJSON {
  txid: string;
  vout: number;
  script: string;
  sequence: number;
}

export interface TxOutputJSON {
  /** Smallest units; a number (exact below 2^53) or a decimal string. */
  value: number | string;
  script: string;
}

export interface TransactionJSON {
  txid?: string;
  version: number;
  inputs: TxInputJSON[];
  outputs: TxOutputJSON[];
  lockTime: number;
}

export function txToJSON(tx: Transaction): TransactionJSON & { txid: string } {
  return {
    txid: txid(tx),
    version: tx.version,
    inputs: tx.inputs.map((i) => ({
      txid: i.prevout.txid,
      vout: i.prevout.vout,
      script: bytesToHex(i.script),
      sequence: i.sequence,
    })),
    outputs: tx.outputs.map((o) => ({
      value:
        o.value >= -BigInt(Number.MAX_SAFE_INTEGER) && o.value <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(o.value)
          : o.value.toString(),
      script: bytesToHex(o.script),
    })),
    lockTime: tx.lockTime,
  };
}

/**
 * Parses and range-checks JSON; a malformed field throws `bad-encoding` naming it. A `txid` field is ignored:
 * the txid is always recomputed from the canonical bytes, so an altered field shows up as the merkle mismatch
 * it causes.
 */
export function txFromJSON(json: unknown, where = 'transaction'): Transaction {
  return asEncodingError(() => {
    const obj = record(json, where);
    const inputs = array(obj.inputs, `${where}.inputs`).map((raw, i) => {
      const inp = record(raw, `${where}.inputs[${i}]`);
      return {
        prevout: {
          txid: parseDisplayHash(inp.txid as string, `${where}.inputs[${i}].txid`),
          vout: assertU32(inp.vout, `${where}.inputs[${i}].vout`),
        },
        script: hexToBytes(inp.script as string, `${where}.inputs[${i}].script`),
        sequence:
          inp.sequence === undefined
            ? SEQUENCE_FINAL
            : assertU32(inp.sequence, `${where}.inputs[${i}].sequence`),
      };
    });
    const outputs = array(obj.outputs, `${where}.outputs`).map((raw, i) => {
      const out = record(raw, `${where}.outputs[${i}]`);
      return {
        value: parseAmount(out.value, `${where}.outputs[${i}].value`),
        script: hexToBytes(out.script as string, `${where}.outputs[${i}].script`),
      };
    });
    const tx: Transaction = {
      version: assertU32(obj.version, `${where}.version`),
      inputs,
      outputs,
      lockTime: obj.lockTime === undefined ? 0 : assertU32(obj.lockTime, `${where}.lockTime`),
    };
    return tx;
  });
}

/** The range of an output value's wire field: a signed 64-bit integer (Core's CAmount, int64_t). */
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/**
 * An amount as JSON gives it: a safe integer, or a canonical decimal string (no leading zeros, no "-0"). A value
 * outside the int64 wire field is malformed input, decided here before anything is hashed: written modulo 2^64 it
 * would have another block's exact bytes and hash while failing a rule that is remembered, so the genuine block
 * would be refused as known-invalid ever after.
 */
function parseAmount(value: unknown, what: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value === 0 ? 0 : value);
  if (typeof value === 'string' && /^(?:0|-?[1-9]\d{0,18})$/.test(value)) {
    const v = BigInt(value);
    if (v >= I64_MIN && v <= I64_MAX) return v;
    throw new RangeError(`${what} ${value} does not fit a 64-bit signed amount`);
  }
  throw new TypeError(
    `${what} must be an integer number of units (a JSON integer, or a decimal string without leading zeros), got ${describeValue(value)}`,
  );
}

export function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${what} must be an object`);
  return value as Record<string, unknown>;
}

export function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${what} must be an array`);
  return value;
}

/** Runs `fn`, turning TypeError/RangeError from field checks into `bad-encoding`. */
export function asEncodingError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConsensusError) throw err;
    throw new ConsensusError('bad-encoding', (err as Error).message);
  }
}

/** Core GetBlockSubsidy: the initial subsidy halved every `halvingInterval` blocks, zero after 64 halvings. */
export function blockSubsidy(
  height: number,
  params: { initialSubsidy: bigint; halvingInterval: number },
): bigint {
  const halvings = Math.floor(height / params.halvingInterval);
  if (halvings >= 64) return 0n;
  return params.initialSubsidy >> BigInt(halvings);
}
