/**
 * Binary records of the store (values; keys are short strings). Canonical, versioned by the store's schema
 * version, and checked on the way in: a truncated or garbled value throws `StoreCorruption` naming the record.
 */
import {
  type BlockHeader,
  ByteReader,
  ByteWriter,
  type Coin,
  decodeHeader,
  encodeHeader,
  HEADER_SIZE,
} from '../consensus/index.ts';

export type StoredStatus = 'valid-header' | 'valid' | 'invalid';
const STATUS_CODES: readonly StoredStatus[] = ['valid-header', 'valid', 'invalid'];

/** One block-index entry: the header, its height and validation status (chainwork is recomputed on load). */
export interface IndexRecord {
  readonly header: BlockHeader;
  readonly height: number;
  readonly status: StoredStatus;
}

export class StoreCorruption extends Error {
  override readonly name = 'StoreCorruption';
  constructor(
    readonly record: string,
    message: string,
  ) {
    super(`damaged record ${record}: ${message}`);
  }
}

function reading<T>(record: string, bytes: Uint8Array, read: (r: ByteReader) => T): T {
  try {
    const r = new ByteReader(bytes, record);
    const value = read(r);
    r.end();
    return value;
  } catch (err) {
    if (err instanceof StoreCorruption) throw err;
    throw new StoreCorruption(record, (err as Error).message);
  }
}

export function encodeIndexRecord(rec: IndexRecord): Uint8Array {
  return new ByteWriter(90)
    .bytes(encodeHeader(rec.header))
    .u32(rec.height)
    .u8(STATUS_CODES.indexOf(rec.status))
    .finish();
}

export function decodeIndexRecord(record: string, bytes: Uint8Array): IndexRecord {
  return reading(record, bytes, (r) => {
    const header = decodeHeader(r.bytes(HEADER_SIZE));
    const height = r.u32();
    const status = STATUS_CODES[r.u8()];
    if (!status) throw new StoreCorruption(record, 'unknown status');
    return { header, height, status };
  });
}

function writeCoin(w: ByteWriter, c: Coin): void {
  w.i64(c.value)
    .varbytes(c.script)
    .u32(c.height)
    .u8(c.coinbase ? 1 : 0);
}

function readCoin(r: ByteReader): Coin {
  const value = r.i64();
  const script = r.varbytes();
  const height = r.u32();
  const flag = r.u8();
  if (flag > 1) throw new Error('bad coinbase flag');
  return { value, script, height, coinbase: flag === 1 };
}

export function encodeCoin(c: Coin): Uint8Array {
  const w = new ByteWriter(64);
  writeCoin(w, c);
  return w.finish();
}

export function decodeCoin(record: string, bytes: Uint8Array): Coin {
  return reading(record, bytes, readCoin);
}

/** Core's CBlockUndo: for each non-coinbase transaction, the coins its inputs spent. */
export function encodeUndo(undo: readonly (readonly Coin[])[]): Uint8Array {
  const w = new ByteWriter(64);
  w.varint(undo.length);
  for (const spent of undo) {
    w.varint(spent.length);
    for (const c of spent) writeCoin(w, c);
  }
  return w.finish();
}

export function decodeUndo(record: string, bytes: Uint8Array): Coin[][] {
  return reading(record, bytes, (r) => {
    const n = r.count(1);
    const out: Coin[][] = [];
    for (let i = 0; i < n; i++) {
      const m = r.count(14);
      const spent: Coin[] = [];
      for (let j = 0; j < m; j++) spent.push(readCoin(r));
      out.push(spent);
    }
    return out;
  });
}
