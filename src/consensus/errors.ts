/**
 * Consensus rejections: a closed set of reason codes, named as Bitcoin Core names them where Core has a name
 * (validation.cpp / tx_check.cpp reject reasons), each with the ban score a peer earns for sending it and
 * whether the block may be remembered as invalid.
 *
 * `remember: false` marks failures that do not prove the *header* bad: a mutated body (CVE-2012-2459, a wrong
 * merkle root: the genuine block with the same hash may still arrive, Core's BLOCK_MUTATED), a timestamp too far
 * ahead of our clock (valid later, Core's BLOCK_TIME_FUTURE), an unknown parent (Core's BLOCK_MISSING_PREV).
 * Those also cost the sender nothing: a relaying peer cannot tell a mutated copy from the genuine block
 * without the very check that failed, so it is not punished for passing one on.
 *
 * `status` is the HTTP status a node answers the reason with (http/errors.ts reads it from here, so each reason
 * says its own): 422 for an invalid block or transaction, 400 for bytes that do not decode. Mempool policy
 * refusals are not consensus rules: they are PolicyErrors (mempool/policy.ts).
 */
import { ChainsimError } from '../util/errors.ts';

export const REJECT_REASONS = {
  // --- encoding (chainsim's name: Core drops a peer whose message does not deserialise) ---
  'bad-encoding': {
    score: 100,
    remember: false,
    status: 400,
    doc: 'bytes or JSON that do not decode to a header, block or transaction',
  },
  // --- headers (Core CheckBlockHeader / ContextualCheckBlockHeader / AcceptBlockHeader) ---
  'high-hash': {
    score: 50,
    remember: true,
    status: 422,
    doc: 'the header hash is above the target its bits encode',
  },
  'bad-diffbits': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'bits are malformed (negative, overflow, zero, above powLimit) or not the required next work',
  },
  'time-too-old': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'time is not above the median of the previous 11 blocks',
  },
  'time-too-new': {
    score: 0,
    remember: false,
    status: 422,
    doc: "time is more than 2 hours ahead of this node's clock",
  },
  'prev-blk-not-found': { score: 0, remember: false, status: 422, doc: 'the parent block is unknown' },
  'bad-prevblk': { score: 100, remember: true, status: 422, doc: 'the parent block is known to be invalid' },
  'duplicate-invalid': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'this block is already known to be invalid',
  },
  'bad-genesis': {
    score: 100,
    remember: true,
    status: 422,
    doc: "the chain does not start at this network's genesis block (chainsim)",
  },
  // --- block body (Core CheckBlock / ContextualCheckBlock) ---
  'bad-txnmrklroot': {
    score: 0,
    remember: false,
    status: 422,
    doc: 'the merkle root does not match the transactions',
  },
  'bad-txns-duplicate': {
    score: 0,
    remember: false,
    status: 422,
    doc: 'mutated merkle tree: duplicate transactions (CVE-2012-2459)',
  },
  'bad-blk-length': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'no transactions, or the block exceeds the size limit',
  },
  'bad-cb-missing': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'the first transaction is not a coinbase',
  },
  'bad-cb-multiple': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'a transaction other than the first is a coinbase',
  },
  'bad-cb-length': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'the coinbase script is not 2..100 bytes',
  },
  'bad-cb-height': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'the coinbase does not start with the block height (BIP-34)',
  },
  // chainsim's own rule: a block the virtual-time engine made (its nonce never searched) is never valid live.
  'virtual-block': {
    score: 100,
    remember: true,
    status: 422,
    doc: "the coinbase carries the virtual-time engine's mark: the block was never mined",
  },
  // --- transactions, context-free (Core CheckTransaction) ---
  'bad-txns-vin-empty': { score: 100, remember: true, status: 422, doc: 'a transaction has no inputs' },
  'bad-txns-vout-empty': { score: 100, remember: true, status: 422, doc: 'a transaction has no outputs' },
  'bad-txns-oversize': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'a transaction exceeds the block size limit',
  },
  'bad-txns-vout-negative': { score: 100, remember: true, status: 422, doc: 'an output value is negative' },
  'bad-txns-vout-toolarge': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'an output value exceeds the maximum supply',
  },
  'bad-txns-txouttotal-toolarge': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'the sum of output values exceeds the maximum supply',
  },
  'bad-txns-inputs-duplicate': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'a transaction spends the same outpoint twice (CVE-2018-17144)',
  },
  'bad-txns-prevout-null': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'a non-coinbase input spends the null outpoint',
  },
  'bad-txns-vout-script': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'an output script is neither pay-to-key (OP_1 <32 bytes>) nor one data push of at most 80 bytes after OP_RETURN with value 0, or a transaction has two data outputs (chainsim: Core leaves scripts to policy)',
  },
  // --- transactions against the UTXO set (Core Consensus::CheckTxInputs, ConnectBlock) ---
  'bad-txns-inputs-missingorspent': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'an input spends an output that does not exist or is already spent (also: spent earlier in the same block)',
  },
  'bad-txns-premature-spend-of-coinbase': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'an input spends a coinbase output before coinbaseMaturity confirmations',
  },
  'bad-txns-inputvalues-outofrange': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'a spent value or the sum of spent values is outside [0, MAX_MONEY]',
  },
  'bad-txns-in-belowout': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'the outputs are worth more than the inputs',
  },
  'bad-txns-fee-outofrange': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'the fee is outside [0, MAX_MONEY]',
  },
  'bad-txns-accumulated-fee-outofrange': {
    score: 100,
    remember: true,
    status: 422,
    doc: "the block's fees add up to more than MAX_MONEY",
  },
  'mandatory-script-verify-flag-failed': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'an input script is not a valid BIP-340 signature of the sighash by the key the spent output pays',
  },
  'bad-txns-BIP30': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'a transaction has the txid of one whose outputs are still unspent (BIP-30)',
  },
  'bad-cb-amount': {
    score: 100,
    remember: true,
    status: 422,
    doc: 'the coinbase pays more than the subsidy plus the fees of the block',
  },
} as const satisfies Record<string, { score: number; remember: boolean; status: number; doc: string }>;

export type RejectReason = keyof typeof REJECT_REASONS;

/** The plain-object form of a ConsensusError, for MessagePorts and HTTP answers. */
export interface ConsensusErrorObject {
  readonly name: 'ConsensusError';
  readonly reason: RejectReason;
  readonly message: string;
}

/** A consensus rejection. Thrown by consensus/ and chain/; `code` (also `reason`) is the stable reason code. */
export class ConsensusError extends ChainsimError<RejectReason> {
  override readonly name = 'ConsensusError';

  constructor(reason: RejectReason, message?: string) {
    super(reason, message ? `${reason}: ${message}` : reason);
  }

  /** The reason code, as Bitcoin Core names it (the same as `code`). */
  get reason(): RejectReason {
    return this.code;
  }

  /** Ban score a peer earns for sending this (Core's Misbehaving() amounts). */
  get score(): number {
    return REJECT_REASONS[this.reason].score;
  }

  /** False when the block must not be cached as invalid (mutated, too new, unknown parent). */
  get remember(): boolean {
    return REJECT_REASONS[this.reason].remember;
  }

  toObject(): ConsensusErrorObject {
    return { name: 'ConsensusError', reason: this.reason, message: this.message };
  }

  static fromObject(obj: ConsensusErrorObject): ConsensusError {
    const err = new ConsensusError(obj.reason);
    err.message = obj.message;
    return err;
  }
}

export function isConsensusError(value: unknown): value is ConsensusError {
  return value instanceof ConsensusError;
}
