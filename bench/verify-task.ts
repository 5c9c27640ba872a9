/** Piscina task for `npm run bench -- tx`: verifies a batch of BIP-340 signatures, returns how many held. */
import { verifySchnorr } from '../src/consensus/index.ts';

export interface VerifyBatch {
  readonly sigs: Uint8Array[];
  readonly msgs: Uint8Array[];
  readonly keys: Uint8Array[];
}

export default function verifyBatch(batch: VerifyBatch): number {
  let ok = 0;
  for (let i = 0; i < batch.sigs.length; i++)
    if (verifySchnorr(batch.sigs[i]!, batch.msgs[i]!, batch.keys[i]!)) ok++;
  return ok;
}
