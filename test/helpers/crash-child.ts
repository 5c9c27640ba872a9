/**
 * The process the crash test kills: opens a node over a LevelDB store at argv[2] (regtest), serves it over HTTP
 * on a free port and mines forever, now and then spending a mature coinbase. Everything that acknowledges a
 * block reaches the test, which holds the node to each of them after the kill:
 *   - `GET /node/id` answers (the test polls them while the node mines);
 *   - the node's log lines (pino JSON lines on stdout: `new tip <height> <hash16>`, `reorg: ...`);
 *   - `connected <height> <hash>`, printed after each `node.mine()` returns.
 * Also `opened <height> <hash>` once the store is open and `listening <port>` once it serves.
 * stdout is a pipe, which Node writes synchronously on Linux: a line written before the kill is not lost.
 */
import { blockHash, networks, txid } from '../../src/consensus/index.ts';
import { hostNode } from '../../src/node/host.ts';
import { openNode } from '../../src/node/open.ts';
import { createLevelStore } from '../../src/store/store.ts';
import { createLineLogger } from '../../src/runtime/logger.ts';
import { testScheduler } from './nodes.ts';
import { spendTx, testKey } from './tx.ts';

const dir = process.argv[2]!;
const alice = testKey('alice');
const bob = testKey('bob');
const scheduler = testScheduler();
const node = await openNode({
  params: networks.regtest,
  pow: scheduler.addClient({ name: 'crash' }),
  logger: createLineLogger({ level: 'info', write: (line) => process.stdout.write(line) }),
  store: createLevelStore(dir),
});
process.stdout.write(`opened ${node.chain.height} ${node.chain.tip.hash}\n`);
const hosted = await hostNode({ node, port: 0 });
process.stdout.write(`listening ${hosted.port}\n`);
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
  const { block, height: h } = await node.mine(alice.script);
  process.stdout.write(`connected ${h} ${blockHash(block)}\n`);
}
