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

export type HeadersVerifyResult =
  | {
      readonly ok: true;
      readonly network: string;
      readonly count: number;
      readonly tip: DisplayHash;
      readonly height: number;
      readonly chainwork: bigint;
    }
  | {
      readonly ok: false;
      readonly network: string;
      readonly count: number;
      readonly height: number;
      readonly reason: RejectReason;
      readonly message: string;
      readonly hash: DisplayHash | null;
    };

/** The network whose genesis header is `first` (80 bytes), if any. */
export function networkOfGenesis(first: Uint8Array): NetworkParams | undefined {
  const hash = displayFromInternal(hash256(first));
  return Object.values(networks).find((n) => n.genesisHash === hash);
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
  const count = data.length / HEADER_SIZE;
  const fail = (height: number, err: unknown, hash: DisplayHash | null): HeadersVerifyResult => {
    if (!(err instanceof ConsensusError)) throw err;
    return { ok: false, network: params.name, count, height, reason: err.reason, message: err.message, hash };
  };
  if (count === 0) {
    return fail(0, new ConsensusError('bad-genesis', 'no headers: the file is empty'), null);
  }
  const tree = createBlockTree({ params });
  // One hasher and two digest buffers (this header's, its parent's) for the whole run: hashing allocated
  // per header before (see consensus/header-hasher.ts for the measurements).
  const hasher = createHeaderHasher();
  let digest = new Uint8Array(32);
  hasher.hashInto(data, 0, digest);
  const genesis = displayFromInternalAt(digest, 0);
  if (genesis !== params.genesisHash) {
    return fail(
      0,
      new ConsensusError(
        'bad-genesis',
        `first header ${genesis} is not the ${params.name} genesis ${params.genesisHash}`,
      ),
      genesis,
    );
  }
  const parent = { display: genesis, internal: digest };
  digest = new Uint8Array(32);
  for (let h = 1; h < count; h++) {
    const offset = h * HEADER_SIZE;
    hasher.hashInto(data, offset, digest);
    const hash = displayFromInternalAt(digest, 0);
    try {
      const header = decodeHeaderAt(data, offset, parent);
      if (header.prevHash !== parent.display) {
        throw new ConsensusError(
          'prev-blk-not-found',
          `header ${h} names parent ${header.prevHash}, but header ${h - 1} is ${parent.display}`,
        );
      }
      tree.addHeader(header, now, hash);
    } catch (err) {
      return fail(h, err, hash);
    }
    const spare = parent.internal;
    parent.display = hash;
    parent.internal = digest;
    digest = spare;
    if (onProgress && h % progressEvery === 0) onProgress(h, count);
  }
  const tip = tree.bestHeader;
  return {
    ok: true,
    network: params.name,
    count,
    tip: tip.hash,
    height: tip.height,
    chainwork: tip.chainwork,
  };
}
