/**
 * The 80-byte block header (Bitcoin Core primitives/block.h CBlockHeader):
 * version u32le | prevHash 32B | merkleRoot 32B | time u32le | bits u32le | nonce u32le.
 * Its hash is hash256 of these 80 bytes; proof-of-work commits to every field, so to every transaction
 * through the merkle root.
 */
import { assertU32, hexToBytes, readU32LE, writeU32LE } from '../util/bytes.ts';
import { ConsensusError } from './errors.ts';
import {
  type DisplayHash,
  displayFromInternal,
  displayFromInternalAt,
  hash256,
  internalFromDisplay,
  parseDisplayHash,
} from './hash.ts';

export const HEADER_SIZE = 80;

export interface BlockHeader {
  readonly version: number;
  /** Display order. */
  readonly prevHash: DisplayHash;
  /** Display order. */
  readonly merkleRoot: DisplayHash;
  /** Seconds since the Unix epoch. */
  readonly time: number;
  /** Compact target (see pow.ts). */
  readonly bits: number;
  readonly nonce: number;
}

/** Header fields as callers may give them: hashes as any-case hex strings. */
export interface HeaderFields {
  readonly version: number;
  readonly prevHash: string;
  readonly merkleRoot: string;
  readonly time: number;
  readonly bits: number;
  readonly nonce: number;
}

/** 80 raw bytes, or 160 hex chars of them. Throws `bad-encoding` on anything else. */
export function headerBytes(header: Uint8Array | string): Uint8Array {
  if (typeof header === 'string') {
    if (header.length !== HEADER_SIZE * 2) {
      throw new ConsensusError(
        'bad-encoding',
        `a header is ${HEADER_SIZE * 2} hex chars, got ${header.length}`,
      );
    }
    try {
      return hexToBytes(header, 'header');
    } catch (err) {
      throw new ConsensusError('bad-encoding', (err as Error).message);
    }
  }
  if (!(header instanceof Uint8Array) || header.length !== HEADER_SIZE) {
    throw new ConsensusError(
      'bad-encoding',
      `a header is ${HEADER_SIZE} bytes, got ${String(header?.length)}`,
    );
  }
  return header;
}

export function encodeHeader(fields: HeaderFields): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE);
  writeU32LE(out, 0, assertU32(fields.version, 'version'));
  out.set(internalFromDisplay(fields.prevHash, 'prevHash'), 4);
  out.set(internalFromDisplay(fields.merkleRoot, 'merkleRoot'), 36);
  writeU32LE(out, 68, assertU32(fields.time, 'time'));
  writeU32LE(out, 72, assertU32(fields.bits, 'bits'));
  writeU32LE(out, 76, assertU32(fields.nonce, 'nonce'));
  return out;
}

export function decodeHeader(header: Uint8Array | string): BlockHeader {
  const b = headerBytes(header);
  return {
    version: readU32LE(b, 0),
    prevHash: displayFromInternalAt(b, 4),
    merkleRoot: displayFromInternalAt(b, 36),
    time: readU32LE(b, 68),
    bits: readU32LE(b, 72),
    nonce: readU32LE(b, 76),
  };
}

/** A hash the caller already holds in both forms (see decodeHeaderAt). */
export interface KnownHash {
  readonly display: DisplayHash;
  readonly internal: Uint8Array;
}

/**
 * decodeHeader for the 80 bytes at `data[offset]`, for code that walks a run of headers (`headers verify`).
 * When the header's prevHash bytes are `parent.internal`, the decoded header shares the string
 * `parent.display` instead of building an equal one: one hex conversion and one 64-char string fewer per
 * header, and the block tree's parent lookup reuses that string's cached hash. Any other prevHash is
 * decoded as usual, so the result always equals decodeHeader's.
 */
export function decodeHeaderAt(data: Uint8Array, offset: number, parent?: KnownHash): BlockHeader {
  if (!Number.isInteger(offset) || offset < 0 || offset + HEADER_SIZE > data.length) {
    throw new ConsensusError('bad-encoding', `no ${HEADER_SIZE}-byte header at offset ${offset}`);
  }
  let prevHash: DisplayHash | undefined;
  if (parent && parent.internal.length === 32) {
    prevHash = parent.display;
    for (let i = 0; i < 32; i++) {
      if (data[offset + 4 + i] !== parent.internal[i]) {
        prevHash = undefined;
        break;
      }
    }
  }
  return {
    version: readU32LE(data, offset),
    prevHash: prevHash ?? displayFromInternalAt(data, offset + 4),
    merkleRoot: displayFromInternalAt(data, offset + 36),
    time: readU32LE(data, offset + 68),
    bits: readU32LE(data, offset + 72),
    nonce: readU32LE(data, offset + 76),
  };
}

/** Checks field types and ranges and normalises hash case; throws TypeError/RangeError naming the field. */
export function headerFromFields(fields: HeaderFields): BlockHeader {
  return {
    version: assertU32(fields.version, 'version'),
    prevHash: parseDisplayHash(fields.prevHash, 'prevHash'),
    merkleRoot: parseDisplayHash(fields.merkleRoot, 'merkleRoot'),
    time: assertU32(fields.time, 'time'),
    bits: assertU32(fields.bits, 'bits'),
    nonce: assertU32(fields.nonce, 'nonce'),
  };
}

/** Display-order hash of an encoded header (80 bytes or 160 hex chars). */
export function headerHash(header: Uint8Array | string): DisplayHash {
  return displayFromInternal(hash256(headerBytes(header)));
}

/** Display-order hash of a decoded header. */
export function hashHeader(header: HeaderFields): DisplayHash {
  return displayFromInternal(hash256(encodeHeader(header)));
}
