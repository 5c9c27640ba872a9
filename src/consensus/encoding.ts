/**
 * Bitcoin's serialisation primitives: little-endian integers and CompactSize lengths
 * (Core serialize.h WriteCompactSize / ReadCompactSize, which rejects non-canonical sizes).
 * Hashes are always taken over these canonical bytes, never over JSON.
 */
import { ConsensusError } from './errors.ts';

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  /** Throws a RangeError outside [0, 2^32): a wrapped value would serialise as another one. */
  u32(v: number): this {
    if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) throw new RangeError(`u32 out of range: ${v}`);
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  /** Signed 64-bit little-endian (Bitcoin's CAmount). Throws a RangeError outside the field, never wraps. */
  i64(v: bigint): this {
    if (BigInt.asIntN(64, v) !== v) throw new RangeError(`i64 out of range: ${v}`);
    this.ensure(8);
    this.view.setBigInt64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** CompactSize: 1, 3, 5 or 9 bytes. */
  varint(n: number): this {
    if (n < 0xfd) return this.u8(n);
    if (n <= 0xffff) {
      this.u8(0xfd);
      this.ensure(2);
      this.view.setUint16(this.pos, n, true);
      this.pos += 2;
      return this;
    }
    if (n <= 0xffffffff) return this.u8(0xfe).u32(n);
    this.u8(0xff);
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt(n), true);
    this.pos += 8;
    return this;
  }

  varbytes(b: Uint8Array): this {
    return this.varint(b.length).bytes(b);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

export function varintSize(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

export class ByteReader {
  private readonly view: DataView;
  pos = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what = 'data',
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new ConsensusError(
        'bad-encoding',
        `${this.what} ends early: needs ${n} more byte(s) at offset ${this.pos}`,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  varint(): number {
    const first = this.u8();
    let n: number;
    let min: number;
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      this.need(2);
      n = this.view.getUint16(this.pos, true);
      this.pos += 2;
      min = 0xfd;
    } else if (first === 0xfe) {
      n = this.u32();
      min = 0x10000;
    } else {
      this.need(8);
      const big = this.view.getBigUint64(this.pos, true);
      this.pos += 8;
      if (big > BigInt(Number.MAX_SAFE_INTEGER))
        throw new ConsensusError('bad-encoding', `${this.what}: size too large`);
      n = Number(big);
      min = 0x100000000;
    }
    if (n < min)
      throw new ConsensusError(
        'bad-encoding',
        `${this.what}: non-canonical CompactSize at offset ${this.pos}`,
      );
    return n;
  }

  /** A CompactSize length then that many bytes; the length is checked against what is left first. */
  varbytes(): Uint8Array {
    const n = this.varint();
    if (n > this.remaining) {
      throw new ConsensusError(
        'bad-encoding',
        `${this.what}: length ${n} exceeds the ${this.remaining} byte(s) left`,
      );
    }
    return this.bytes(n);
  }

  /** A count of items that each take at least `minItemSize` bytes; rejects counts the data cannot hold. */
  count(minItemSize: number): number {
    const n = this.varint();
    if (n * minItemSize > this.remaining) {
      throw new ConsensusError(
        'bad-encoding',
        `${this.what}: ${n} item(s) cannot fit in ${this.remaining} byte(s)`,
      );
    }
    return n;
  }

  end(): void {
    if (this.pos !== this.buf.length) {
      throw new ConsensusError(
        'bad-encoding',
        `${this.what}: ${this.buf.length - this.pos} unexpected trailing byte(s)`,
      );
    }
  }
}
