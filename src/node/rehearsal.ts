/**
 * A rehearsal of a simulator node's start-up and block path, run by the throwaway worker that makes the V8
 * code cache every node starts from (worker-loader.ts).
 *
 * V8 compiles a function the first time it runs. A cache made from start-up alone held none of the block
 * path, so every node compiled all of it at the same moment: when the first block arrived. Six nodes on two
 * cores then took 4 to 21 ms to accept block 1 (under 1 ms later on), and API requests to every node waited
 * behind them.
 *
 * The rehearsal runs two scratch regtest nodes in memory, hosted on ephemeral loopback ports, through what
 * the manager and the network do to a node: `GET /node/id`, `POST /nodes/register`, then B mines
 * continuously (on a PoW client that never finds a block) while A mines two blocks by `GET /mine`'s path
 * (sync with peers, template, proof of work with the js kernel, connect, write, relay), which B validates,
 * connects and rebuilds its template on. The first block goes to B over a link, as the simulator's nodes push
 * to each other by default (serialised, through the manager); the second over HTTP, as with `--relay http`.
 */
import { getNetwork } from '../consensus/index.ts';
import { createJsKernel } from '../mining/kernels/js.ts';
import type { MineOutcome, PowClient } from '../mining/scheduler.ts';
import { createLineLogger } from '../runtime/logger.ts';
import { httpJSON } from '../net/http-client.ts';
import { LocalLinks } from './local-link.ts';
import type { ChainsimNode } from './node.ts';
import { startNode } from './start.ts';

/** A PoW client for regtest (about two hashes a block): the js kernel inline, or, with `find` false, none. */
function rehearsalPow(find: boolean): PowClient {
  const kernel = createJsKernel();
  return {
    name: 'rehearsal',
    share: 1,
    setShare: () => undefined,
    hashRate: () => 0,
    close: () => undefined,
    mine(job, signal): Promise<MineOutcome> {
      const cancelled: MineOutcome = { found: false, reason: 'cancelled', hashes: 0 };
      if (!find) {
        return new Promise((resolve) => {
          if (signal?.aborted) resolve(cancelled);
          else signal?.addEventListener('abort', () => resolve(cancelled), { once: true });
        });
      }
      const start = job.startNonce ?? 0;
      const { nonce, hashes } = kernel.scan(job.header, job.target, start, 2 ** 32 - start);
      return Promise.resolve(
        nonce === null ? { found: false, reason: 'exhausted', hashes } : { found: true, nonce, hashes },
      );
    },
  };
}

/** Polls `done` every millisecond for at most 5 s. */
async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !done(); i++) await new Promise((r) => setTimeout(r, 1));
  if (!done()) throw new Error('the second scratch node did not take the first block from the link');
}

/** Runs the rehearsal; resolves once the scratch nodes are closed, rejects if any step went wrong. */
export async function rehearseBlockPath(): Promise<void> {
  const params = getNetwork('regtest');
  // Logged as a simulator node logs (lines to the manager), so that code is in the cache too; the lines are dropped.
  const logger = createLineLogger({ level: 'info', write: () => undefined });
  const links = new LocalLinks();
  const start = async (find: boolean) => {
    let node!: ChainsimNode;
    const started = await startNode({
      params,
      logger,
      pow: rehearsalPow(find),
      store: 'memory',
      link: links.for(() => node),
      onOpen: (opened) => (node = opened),
      listen: { port: 0 },
    });
    links.join(node);
    return { node, hosted: started.hosted!, close: started.close };
  };
  const a = await start(true);
  const b = await start(false);
  try {
    const both = [a, b];
    // As the manager does it (non-2xx answers reject).
    await Promise.all(both.map((n) => httpJSON(`http://${n.hosted.address}/node/id`, { timeoutMs: 5000 })));
    const body = { nodes: both.map((n) => n.node.id), addresses: both.map((n) => n.hosted.address) };
    await Promise.all(
      both.map((n) =>
        httpJSON(`http://${n.hosted.address}/nodes/register`, { method: 'POST', body, timeoutMs: 5000 }),
      ),
    );
    b.node.startMining();
    await a.node.mine();
    // The link delivers in a later macrotask; B must have the first block before the second comes over HTTP.
    await waitFor(() => b.node.chain.height === 1);
    links.enabled = false;
    await a.node.mine();
    if (b.node.chain.height !== 2)
      throw new Error(`the second scratch node is at height ${b.node.chain.height}, not 2`);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}
