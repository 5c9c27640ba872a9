/**
 * `npm run bench -- tx`, HTTP part: one regtest node in its own thread, so the load generator in the main
 * thread does not share its event loop. It mines a coinbase with `outputs` outputs to the bench key, matures it,
 * serves HTTP on a free loopback port (it listens before the node has its chain: nothing reaches it before it
 * reports) and reports the coinbase's txid. Signatures are verified in a pool of `verifyThreads` threads (as
 * `chainsim node run` does), or in the node's thread when it is 0. On request it pre-fills the signature cache,
 * for the run that measures everything but signature verification.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { blockSubsidy, keyScript, networks, txid } from '../src/consensus/index.ts';
import { createInlineExecutor } from '../src/mining/executors.ts';
import { selectKernel } from '../src/mining/kernels/index.ts';
import { createPowScheduler } from '../src/mining/scheduler.ts';
import { startNode } from '../src/node/start.ts';
import { createPoolVerifier } from '../src/node/verifier-pool.ts';
import { inlineVerifier } from '../src/node/verifier.ts';
import { hexToBytes } from '../src/util/bytes.ts';

const { publicKey, outputs, verifyThreads } = workerData as {
  publicKey: string;
  outputs: number;
  /** 0: verify in the node's thread; otherwise a pool of that many threads, as `chainsim node run` has. */
  verifyThreads: number;
};
const params = networks.regtest;
const scheduler = createPowScheduler({ executor: createInlineExecutor(selectKernel('auto').kernel) });
const started = await startNode({
  params,
  pow: scheduler.addClient({ name: 'bench' }),
  logger: pino({ level: 'silent' }),
  verifier: verifyThreads === 0 ? inlineVerifier : createPoolVerifier({ threads: verifyThreads }),
  listen: { port: 0 },
});
const { node } = started;
const script = keyScript(hexToBytes(publicKey));
const each = blockSubsidy(1, params) / BigInt(outputs);
const funding = await node.miner.mineBlock(undefined, {
  coinbaseOutputs: Array.from({ length: outputs }, () => ({ value: each, script })),
});
node.chain.acceptBlock(funding, node.now());
for (let i = 0; i < params.coinbaseMaturity; i++) await node.mine();
parentPort!.postMessage({
  url: `http://${started.hosted!.address}`,
  coinbase: txid(funding.txs[0]!),
  value: each.toString(),
});
parentPort!.on('message', (msg: string | { prefill: string[] }) => {
  if (typeof msg === 'object') {
    // The warm run: these txids count as verified, as if a free verifier had checked them.
    for (const id of msg.prefill) node.chain.signatureCache.add(id);
    parentPort!.postMessage('prefilled');
  } else if (msg === 'stats') {
    parentPort!.postMessage({ mempool: node.mempool.size, bytes: node.mempool.bytes });
  } else if (msg === 'close') {
    void started
      .close()
      .then(() => scheduler.close())
      .then(() => process.exit(0));
  }
});
