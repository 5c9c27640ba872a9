/**
 * Verifying a run of consecutive raw headers that starts at a network's genesis (what
 * `chainsim headers verify` does): linkage, proof-of-work, required bits and timestamps, through the same
 * block tree a node uses.
 */
import {
  ConsensusError,
  createHeaderHasher,
  decodeHeaderAt,
  displayFromInternal,
  displayFromInternalAt,
  HEADER_SIZE,
  hash256,
  type DisplayHash,
  type NetworkParams,
  type RejectReason,
  networks,
} from '../consensus/index.ts';
import { createBlockTree } from './block-tree.ts';

export interface HeadersVerifyOk {
  readonly ok: true;
  readonly network: string;
  readonly count: number;
  readonly tip: DisplayHash;
  readonly height: number;
  readonly chainwork: bigint;
}

export interface HeadersVerifyFailure {
  readonly ok: false;
  readonly network: string;
  readonly count: number;
  readonly height: number;
  readonly reason: RejectReason;
  readonly message: string;
  readonly hash: DisplayHash | null;
}

export type HeadersVerifyResult = HeadersVerifyOk | HeadersVerifyFailure;

export interface HeadersVerifierOptions {
  readonly params: NetworkParams;
  /** Unix seconds: bounds timestamps (the 2-hour future limit). */
  readonly now: number;
  /** How many headers the whole input holds (reported as `count`, and to `onProgress`). */
  readonly total: number;
  /** Called every `progressEvery` headers with the headers checked so far and `total`. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  readonly progressEvery?: number | undefined;
}

/**
 * Headers fed in order, chunk by chunk, so an input of any size is checked in constant memory per chunk
 * (beyond the block tree): `push` each chunk (a whole number of headers; the verifier keeps nothing that
 * points into it), then `finish`.
 */
export interface HeadersVerifier {
  /** Checks the next headers; returns the first invalid one's failure (then and on every later call), else null. */
  push(chunk: Uint8Array): HeadersVerifyFailure | null;
  /** The result, once all `total` headers were pushed or one failed. */
  finish(): HeadersVerifyResult;
}

/** The network whose genesis header is `first` (80 bytes), if any. */
export function networkOfGenesis(first: Uint8Array): NetworkParams | undefined {
  const hash = displayFromInternal(hash256(first));
  return Object.values(networks).find((n) => n.genesisHash === hash);
}

export function createHeadersVerifier(opts: HeadersVerifierOptions): HeadersVerifier {
  const { params, now, total, onProgress } = opts;
  const progressEvery = opts.progressEvery ?? 10_000;
  const fail = (height: number, err: unknown, hash: DisplayHash | null): HeadersVerifyFailure => {
    if (!(err instanceof ConsensusError)) throw err;
    return {
      ok: false,
      network: params.name,
      count: total,
      height,
      reason: err.reason,
      message: err.message,
      hash,
    };
  };
  const tree = createBlockTree({ params });
  // One hasher and two digest buffers (this header's, its parent's) for the whole run, so hashing allocates
  // nothing per header (see docs/decisions.md, "Verifying headers without allocating").
  const hasher = createHeaderHasher();
  let digest = new Uint8Array(32);
  const parent = { display: '' as DisplayHash, internal: new Uint8Array(32) };
  let seen = 0;
  let failure: HeadersVerifyFailure | null = null;

  const push = (chunk: Uint8Array): HeadersVerifyFailure | null => {
    if (failure) return failure;
    if (chunk.length % HEADER_SIZE !== 0) {
      throw new RangeError(`header data is ${chunk.length} bytes, not a multiple of ${HEADER_SIZE}`);
    }
    const n = chunk.length / HEADER_SIZE;
    if (seen + n > total) throw new RangeError(`${seen + n} headers pushed, but the input holds ${total}`);
    let first = 0;
    if (seen === 0 && n > 0) {
      hasher.hashInto(chunk, 0, parent.internal);
      const genesis = displayFromInternalAt(parent.internal, 0);
      if (genesis !== params.genesisHash) {
        failure = fail(
          0,
          new ConsensusError(
            'bad-genesis',
            `first header ${genesis} is not the ${params.name} genesis ${params.genesisHash}`,
          ),
          genesis,
        );
        return failure;
      }
      parent.display = genesis;
      first = 1;
    }
    for (let i = first; i < n; i++) {
      const h = seen + i;
      const offset = i * HEADER_SIZE;
      hasher.hashInto(chunk, offset, digest);
      const hash = displayFromInternalAt(digest, 0);
      try {
        const header = decodeHeaderAt(chunk, offset, parent);
        if (header.prevHash !== parent.display) {
          throw new ConsensusError(
            'prev-blk-not-found',
            `header ${h} names parent ${header.prevHash}, but header ${h - 1} is ${parent.display}`,
          );
        }
        tree.addHeader(header, now, hash);
      } catch (err) {
        failure = fail(h, err, hash);
        return failure;
      }
      const spare = parent.internal;
      parent.display = hash;
      parent.internal = digest;
      digest = spare;
      if (onProgress && h % progressEvery === 0) onProgress(h, total);
    }
    seen += n;
    return null;
  };

  const finish = (): HeadersVerifyResult => {
    if (failure) return failure;
    if (total === 0) return fail(0, new ConsensusError('bad-genesis', 'no headers: the file is empty'), null);
    if (seen !== total) throw new RangeError(`finish() after ${seen} of ${total} headers`);
    const tip = tree.bestHeader;
    return {
      ok: true,
      network: params.name,
      count: total,
      tip: tip.hash,
      height: tip.height,
      chainwork: tip.chainwork,
    };
  };

  return { push, finish };
}

/**
 * Checks `data` (a multiple of 80 bytes) header by header. `now` (Unix seconds) bounds timestamps;
 * `onProgress` is called every `progressEvery` headers.
 */
export function verifyHeaders(
  data: Uint8Array,
  params: NetworkParams,
  now: number,
  onProgress?: (done: number, total: number) => void,
  progressEvery = 10_000,
): HeadersVerifyResult {
  if (data.length % HEADER_SIZE !== 0) {
    throw new RangeError(`header data is ${data.length} bytes, not a multiple of ${HEADER_SIZE}`);
  }
  const verifier = createHeadersVerifier({
    params,
    now,
    total: data.length / HEADER_SIZE,
    onProgress,
    progressEvery,
  });
  verifier.push(data);
  return verifier.finish();
}
