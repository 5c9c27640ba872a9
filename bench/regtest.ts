/** Regtest blocks built directly for benchmarks (about two hashes each), without a node's miner. */
import { bitsToTarget, blockSubsidy, encodeHeader, networks } from '../dist/consensus/index.js';
import { selectKernel } from '../dist/mining/kernels/index.js';
import { targetToInternalBytes } from '../dist/mining/kernels/types.js';
import { createBlockTemplate } from '../dist/mining/template.js';

const kernel = selectKernel('auto').kernel;
const params = networks.regtest;

/** A valid regtest block on `parent`, one second after it, its coinbase told apart by `extraNonce`. */
export function regtestBlockOn(
  parent: Parameters<typeof createBlockTemplate>[0]['parent'],
  extraNonce: bigint,
) {
  const template = createBlockTemplate({
    parent,
    params,
    now: parent.time + 1,
    coinbaseOutputs: [
      {
        value: blockSubsidy(parent.height + 1, params),
        script: Uint8Array.of(0x51, 0x20, ...new Uint8Array(32)),
      },
    ],
    extraNonce,
  });
  const header = { ...template.header, time: parent.time + 1 };
  const r = kernel.scan(encodeHeader(header), targetToInternalBytes(bitsToTarget(header.bits)), 0, 1000);
  if (r.nonce === null) throw new Error('no nonce in 1000 tries');
  return { header: { ...header, nonce: r.nonce }, txs: template.txs };
}
