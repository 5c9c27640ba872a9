/** How a consensus rejection is answered over HTTP: one mapping (errors.ts), used by every route. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsensusError, REJECT_REASONS, type RejectReason } from '../../../src/consensus/index.ts';
import { toHttpError } from '../../../src/node/http/server.ts';

const CONFLICTS: readonly RejectReason[] = [
  'txn-already-in-mempool',
  'txn-already-known',
  'txn-mempool-conflict',
];

test('every reject reason: 400 for bad-encoding, 409 for the mempool conflicts, 422 otherwise, coded by reason', () => {
  for (const reason of Object.keys(REJECT_REASONS) as RejectReason[]) {
    const err = new ConsensusError(reason, 'why');
    const e = toHttpError(err);
    const status = reason === 'bad-encoding' ? 400 : CONFLICTS.includes(reason) ? 409 : 422;
    assert.deepEqual(
      [e.status, e.toJSON()],
      [status, { error: { code: reason, message: err.message } }],
      reason,
    );
  }
});
