/** Loads the copied vectors in test/vectors/ (see its README for provenance). */
import { readFileSync } from 'node:fs';

const dir = new URL('../vectors/', import.meta.url);

export function vectorPath(name: string): string {
  return new URL(name, dir).pathname;
}

export function readVector(name: string): Buffer {
  return readFileSync(new URL(name, dir));
}

export interface HeaderVector {
  height: number;
  hash: string;
  header: string;
  version: number;
  prevHash: string;
  merkleRoot: string;
  time: number;
  bits: string;
  nonce: number;
  chainwork?: string;
}

export interface PublicVectors {
  headers: HeaderVector[];
  merkle: Array<{
    height: number | string;
    blockHash: string;
    txids: string[];
    merkleRoot: string;
    duplicatesLastAtSomeLevel: boolean;
  }>;
  retarget: Array<{
    name: string;
    firstBlockTime: number;
    lastBlockTime: number;
    lastBits: string;
    expectedNewBits: string;
    targetTimespan: number;
    actualTimespan: number;
    clampedTimespan: number;
  }>;
  compact: Array<
    | { bits: string; target: string; note?: string }
    | {
        cases: Array<{
          bits?: string;
          value?: string;
          target?: string;
          negative?: boolean;
          overflow?: boolean;
          reEncode?: string;
          getCompact?: string;
          reEncodeWithSign?: string;
        }>;
      }
  >;
  difficulty: Array<{ height: number; bits: string; difficulty: string }>;
  chainwork: Array<{ height?: number; hash?: string; chainwork?: string; workOfBits_1d00ffff?: string }>;
  sha256_kat: Array<{ message: string; length?: number; sha256?: string; sha256d?: string }>;
}

export const publicVectors = JSON.parse(readVector('bitcoin-public.json').toString('utf8')) as PublicVectors;
