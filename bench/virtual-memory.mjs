// The engine's retained memory per node and block (bench virtual): one bitcoin-2019 run in this process, the heap
// and array buffers measured after a full GC before and after it. Run with --expose-gc: node --expose-gc FILE N B.
import process from 'node:process';
import { networks } from '../dist/consensus/index.js';
import { runEngine } from '../dist/engine/index.js';
import { bitcoin2019Settings, buildBitcoin2019 } from '../dist/net/model/index.js';

const [nodes, blocks] = process.argv.slice(2).map(Number);
const net = buildBitcoin2019(nodes, 1);
const settings = bitcoin2019Settings(net, 1);
const used = () => {
  globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const before = used();
const run = runEngine({
  params: networks.bitcoin,
  settings,
  shares: Array.from(net.miningPower),
  stop: { blocks },
  network: { kind: 'bitcoin-2019', net },
});
const after = used();
process.stdout.write(
  `${JSON.stringify({ nodes, blocks, retainedBytes: after - before, events: run.events })}\n`,
);
