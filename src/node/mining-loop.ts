/**
 * A node's mining: one block at a time, each on the tip of its moment. `GET /mine` asks for one block (after a
 * bounded catch-up with peers); continuous mining races the other nodes block after block. Both go through one
 * queue, which never waits for a peer: a requested block's answer waits a little for its pushes, outside it.
 */
import type { Logger } from 'pino';
import { type Block, blockHash } from '../consensus/index.ts';
import type { Miner, TemplateContent } from '../mining/miner.ts';
import type { TemplateParent } from '../mining/template.ts';

export interface MiningLoopOptions {
  readonly miner: Miner;
  readonly log: Logger;
  /** The catch-up with peers before a requested block (bounded by the caller). */
  readonly catchUp: () => Promise<unknown>;
  /** What a block on `parent` carries, its coinbase paying `payTo`. */
  readonly content: (parent: TemplateParent, payTo: Uint8Array) => TemplateContent;
  /** Connects and stores a mined block; resolves with its height once it is stored. */
  readonly store: (block: Block) => Promise<number>;
  /** Pushes a stored block to peers; resolves when the pushes have answered. */
  readonly announce: (block: Block) => Promise<void>;
  /** A requested block's answer waits at most this long for its pushes. */
  readonly relayWaitMs: number;
}

/** How many of its latest blocks a node remembers having mined (minedRecently). */
export const RECENT_MINED = 256;

export class MiningLoop {
  blocksMined = 0;
  /** Hash of the last block mined (set before it is connected, so tip listeners can tell). */
  lastMinedHash = '';
  /** The last RECENT_MINED hashes mined, oldest first (a Set keeps insertion order). */
  private readonly recent = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private continuous: AbortController | null = null;

  constructor(private readonly opts: MiningLoopOptions) {}

  /** Whether this loop mined `hash`, among its last RECENT_MINED blocks. */
  minedRecently(hash: string): boolean {
    return this.recent.has(hash);
  }

  get running(): boolean {
    return this.continuous !== null;
  }

  /**
   * `GET /mine`: catch up, mine one block on the best tip (paying `payTo`, else the node's key), store it, announce
   * it. Calls queue: one block at a time.
   */
  async mineRequested(payTo?: Uint8Array): Promise<{ block: Block; height: number }> {
    const run = this.queue.then(async () => {
      await this.opts.catchUp();
      return this.mineOne(undefined, payTo);
    });
    this.queue = run.catch(() => undefined);
    const { block, height, relayed } = await run;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([relayed, new Promise((r) => (timer = setTimeout(r, this.opts.relayWaitMs)))]);
    clearTimeout(timer);
    return { block, height };
  }

  /** Continuous mining until `stop`. */
  start(): void {
    if (this.continuous) return;
    const ac = new AbortController();
    this.continuous = ac;
    const loop = async (): Promise<void> => {
      while (!ac.signal.aborted) {
        const step = this.queue.then(() => this.mineOne(ac.signal));
        this.queue = step.catch(() => undefined);
        try {
          await step;
        } catch (err) {
          if (ac.signal.aborted) break;
          this.opts.log.error({ err: (err as Error).message }, 'continuous mining failed; retrying in 1 s');
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    void loop();
    this.opts.log.info('continuous mining started');
  }

  stop(): void {
    if (!this.continuous) return;
    this.continuous.abort();
    this.continuous = null;
    this.opts.log.info('continuous mining stopped');
  }

  private async mineOne(
    signal: AbortSignal | undefined,
    payTo?: Uint8Array,
  ): Promise<{ block: Block; height: number; relayed: Promise<void> }> {
    const block = await this.opts.miner.mineBlock(
      signal,
      payTo ? (parent) => this.opts.content(parent, payTo) : undefined,
    );
    this.lastMinedHash = blockHash(block);
    this.recent.add(this.lastMinedHash);
    if (this.recent.size > RECENT_MINED) this.recent.delete(this.recent.values().next().value!);
    const height = await this.opts.store(block);
    this.blocksMined++;
    return { block, height, relayed: this.opts.announce(block) };
  }
}
