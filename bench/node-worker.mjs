/**
 * A real chainsim node in a worker thread, for `npm run bench -- mining` to measure HTTP latency while the
 * proof-of-work pool in the main thread is saturated. It hosts the node on a free loopback port, posts
 * `{ port }`, and closes when it receives `'close'`. The node never mines: what is measured is the request
 * path of a worker thread competing with pool threads for the CPU.
 *
 * Plain JavaScript over the built code in dist/, started without tsx (`execArgv: []`), so the node runs as it
 * does in production. (Node 20 does not apply `--import tsx` to a worker's .ts entry file.)
 */
import { parentPort } from 'node:worker_threads';
import pino from 'pino';
import { networks } from '../dist/consensus/index.js';
import { createInlineExecutor } from '../dist/mining/executors.js';
import { createJsKernel } from '../dist/mining/kernels/js.js';
import { createPowScheduler } from '../dist/mining/scheduler.js';
import { hostNode } from '../dist/node/host.js';
import { createNode } from '../dist/node/node.js';

if (!parentPort) throw new Error('bench/node-worker.mjs runs as a worker thread');
const port = parentPort;

const scheduler = createPowScheduler({ executor: createInlineExecutor(createJsKernel()) });
const node = createNode({
  params: networks.regtest,
  pow: scheduler.addClient({ name: 'bench-node' }),
  logger: pino({ level: 'silent' }),
});
const hosted = await hostNode({ node, port: 0 });
port.on('message', (message) => {
  if (message !== 'close') return;
  void hosted
    .close()
    .then(() => scheduler.close())
    .finally(() => port.close());
});
port.postMessage({ port: hosted.port });
