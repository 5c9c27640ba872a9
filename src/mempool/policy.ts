/**
 * Mempool policy refusals (Core's MemPoolAccept): this node's choice of which loose transactions it keeps, not a
 * consensus rule, so never a reason to reject a block and never charged to the peer that relayed it. The codes
 * are Core's own strings; `status` is the HTTP status a node answers each with (409 when the transaction, or a
 * spend of its inputs, is already there; 422 otherwise).
 */
import { ChainsimError } from '../util/errors.ts';

export const POLICY_REASONS = {
  coinbase: { status: 422, doc: 'a coinbase cannot be relayed loose, only in its block' },
  'txn-already-in-mempool': { status: 409, doc: 'the transaction is already in the mempool' },
  'txn-already-known': { status: 409, doc: 'the transaction is already confirmed in the active chain' },
  'txn-mempool-conflict': {
    status: 409,
    doc: 'an input is already spent by a transaction in the mempool (no replacement)',
  },
  'min relay fee not met': {
    status: 422,
    doc: "the fee is below the node's minimum relay fee rate times the size",
  },
  'mempool full': {
    status: 422,
    doc: 'the mempool is at its size limit and the fee rate is too low to evict anything',
  },
} as const satisfies Record<string, { status: number; doc: string }>;

export type PolicyReason = keyof typeof POLICY_REASONS;

/**
 * A transaction this node's mempool refuses. Unlike a ConsensusError, the message does not start with the
 * code: it says what was wrong once, and the code travels beside it (`error.code` in an HTTP answer), so a
 * client printing both says the reason once.
 */
export class PolicyError extends ChainsimError<PolicyReason> {
  override readonly name = 'PolicyError';
}

export function isPolicyError(value: unknown): value is PolicyError {
  return value instanceof PolicyError;
}
