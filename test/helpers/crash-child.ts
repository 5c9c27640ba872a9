/**
 * The process the crash test kills: opens a node over a LevelDB store at argv[2] (regtest) and mines forever,
 * now and then spending a mature coinbase, printing `connected <height> <hash>` after each block is written
 * (that line is the acknowledgement the test holds it to).
 */
import { networks, txid } from '../../src/consensus/index.ts';
import { openNode } from '../../src/node/open.ts';
import { createLevelStore } from '../../src/store/store.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { testScheduler } from './nodes.ts';
import { spendTx, testKey } from './tx.ts';

const dir = process.argv[2]!;
const alice = testKey('alice');
const bob = testKey('bob');
const scheduler = testScheduler();
const node = await openNode({
  params: networks.regtest,
  pow: scheduler.addClient({ name: 'crash' }),
  logger: silentLogger(),
  store: createLevelStore(dir),
});
process.stdout.write(`opened ${node.chain.height} ${node.chain.tip.hash}\n`);
for (;;) {
  const height = node.chain.height + 1;
  // Spend the coinbase of the block 101 back (mature at regtest's 100), when it paid alice.
  const old = node.chain.at(height - 101);
  if (old) {
    const cb = node.chain.getBlock(old.hash)!.txs[0]!;
    const out = cb.outputs[0]!;
    if (Buffer.from(out.script).equals(Buffer.from(alice.script)) && node.chain.utxos.has(`${txid(cb)}:0`)) {
      const tx = spendTx(
        [{ txid: txid(cb), vout: 0, coin: out, signer: alice }],
        [{ value: out.value - 1000n, script: bob.script }],
      );
      await node.receiveTransaction(tx);
    }
  }
  const { block: _b, height: h } = await node.mine(alice.script);
  process.stdout.write(`connected ${h} ${node.chain.at(h)!.hash}\n`);
}
