/**
 * The signature pool's task file (node/verifier-pool.ts): verifies a packed batch of BIP-340 checks and returns, for
 * each transaction in it, the index of its first failing check, or -1.
 */
import { type SignatureCheck, firstFailedCheck } from '../consensus/index.ts';
import { CHECK_BYTES, type VerifyTask } from './verifier-pool.ts';
import { fastVerifySchnorr } from './verifier.ts';

export default function verifyBatch(task: VerifyTask): number[] {
  const { packed, counts } = task;
  const out: number[] = [];
  let at = 0;
  for (const count of counts) {
    const checks: SignatureCheck[] = [];
    for (let i = 0; i < count; i++, at += CHECK_BYTES) {
      const hasKey = packed[at + 128] === 1;
      checks.push({
        signature: packed.subarray(at, at + 64),
        message: packed.subarray(at + 64, at + 96),
        key: hasKey ? packed.subarray(at + 96, at + 128) : packed.subarray(0, 0),
      });
    }
    out.push(firstFailedCheck(checks, fastVerifySchnorr));
  }
  return out;
}
