/**
 * A run of `GET /start/mining`: mining requests (`GET /mine`) sent to the nodes that are up, in turn, a random
 * interval apart, and what came back (blocks and errors), readable while it runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { httpJSON } from '../net/http-client.ts';
import type { MiningRun, NodeHandle } from './types.ts';

export interface MiningRequestsOptions {
  readonly count: number;
  /** The wait before each request after the first: a random [min, max] ms. */
  readonly intervalMs: readonly [number, number];
  /** The nodes up when a request is sent; they take the requests in turn. */
  readonly upNodes: () => readonly NodeHandle[];
  /** Bearer token for nodes bound beyond loopback. */
  readonly token: string | undefined;
  readonly log: Logger;
}

/** Starts the requests; `run` fills in as they answer, `done` resolves once every one has. */
export function startMiningRequests(o: MiningRequestsOptions): { run: MiningRun; done: Promise<MiningRun> } {
  const run: MiningRun = {
    requests: o.count,
    sent: 0,
    completed: 0,
    running: true,
    blocks: [],
    errors: [],
    startedAt: new Date().toISOString(),
    finishedAt: null,
  };
  const done = (async () => {
    const pending: Array<Promise<void>> = [];
    for (let i = 0; i < o.count; i++) {
      if (i > 0) {
        const [min, max] = o.intervalMs;
        const wait = min + Math.random() * (max - min);
        if (wait > 0) await sleep(wait);
      }
      const up = o.upNodes();
      if (up.length === 0) {
        run.errors.push({ node: -1, message: 'no node is up' });
        break;
      }
      const target = up[i % up.length]!;
      run.sent++;
      o.log.info(
        { node: target.port, request: i + 1 },
        `mining request ${i + 1}/${o.count} -> node ${target.port}`,
      );
      pending.push(
        httpJSON<{ block: { hash: string; height: number } }>(`http://${target.address}/mine`, {
          timeoutMs: 600_000,
          token: o.token,
        }).then(
          (r) => {
            run.completed++;
            run.blocks.push({ node: target.port, hash: r.block.hash, height: r.block.height });
          },
          (err: unknown) => {
            run.completed++;
            run.errors.push({ node: target.port, message: (err as Error).message });
          },
        ),
      );
    }
    await Promise.all(pending);
    run.running = false;
    run.finishedAt = new Date().toISOString();
    return run;
  })();
  return { run, done };
}
