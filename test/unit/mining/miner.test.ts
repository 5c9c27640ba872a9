import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createChain } from '../../../src/chain/chain.ts';
import { bitsToTarget, blockHash, checkBlock, encodeHeader, networks } from '../../../src/consensus/index.ts';
import { selectKernel, targetToInternalBytes } from '../../../src/mining/kernels/index.ts';
import { createMiner } from '../../../src/mining/miner.ts';
import type { MineJob, MineOutcome, PowClient } from '../../../src/mining/scheduler.ts';
import { mineOn, PAYOUT } from '../../helpers/chain.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';

const params = networks.regtest;
const kernel = selectKernel('auto').kernel;

/** A PoW client whose answers the test scripts: each call gets the job and the signal. */
function scriptedPow(
  script: Array<(job: MineJob, signal?: AbortSignal) => Promise<MineOutcome>>,
): PowClient & { jobs: MineJob[] } {
  const jobs: MineJob[] = [];
  return {
    name: 'scripted',
    share: 1,
    jobs,
    setShare: () => undefined,
    hashRate: () => 0,
    close: () => undefined,
    mine(job, signal) {
      jobs.push(job);
      const step = script.shift();
      if (!step) throw new Error('no more scripted answers');
      return step(job, signal);
    },
  };
}

/** Solves the job with the real kernel. */
const solve = (job: MineJob): Promise<MineOutcome> => {
  const r = kernel.scan(job.header, job.target, 0, 1_000_000);
  return Promise.resolve(
    r.nonce === null
      ? { found: false, reason: 'exhausted', hashes: r.hashes }
      : { found: true, nonce: r.nonce, hashes: r.hashes },
  );
};

describe('miner', () => {
  test('a template whose nonce space runs out rolls the extra-nonce: new coinbase, new merkle root', async () => {
    const chain = createChain({ params, verifySchnorr: fastVerifySchnorr });
    const pow = scriptedPow([
      () => Promise.resolve({ found: false, reason: 'exhausted', hashes: 2 ** 32 }),
      solve,
    ]);
    const miner = createMiner({
      chain: { params, tip: () => chain.tip, onTip: (l) => chain.onTip(l) },
      pow,
      clock: () => chain.tip.time + 1,
      content: () => ({ coinbaseOutputs: [PAYOUT] }),
    });
    const block = await miner.mineBlock();
    assert.equal(miner.stats().extraNonceRolls, 1);
    const [first, second] = pow.jobs;
    assert.notDeepEqual(
      first!.header.subarray(36, 68),
      second!.header.subarray(36, 68),
      'the merkle root changed',
    );
    assert.deepEqual(encodeHeader(block.header).subarray(0, 76), second!.header.subarray(0, 76));
    checkBlock(block, params);
    assert.equal(chain.acceptBlock(block, 2_000_000_000).accepted, true);
    assert.deepEqual(first!.target, targetToInternalBytes(bitsToTarget(block.header.bits)));
  });

  test('a new tip cancels the search at once and the miner rebuilds on it', async () => {
    const chain = createChain({ params, verifySchnorr: fastVerifySchnorr });
    let cancelled = false;
    const pow = scriptedPow([
      // The first search never finds: it ends only when the tip changes (the signal aborts).
      (_job, signal) =>
        new Promise((resolve) =>
          signal!.addEventListener('abort', () => {
            cancelled = true;
            resolve({ found: false, reason: 'cancelled', hashes: 0 });
          }),
        ),
      solve,
    ]);
    const miner = createMiner({
      chain: { params, tip: () => chain.tip, onTip: (l) => chain.onTip(l) },
      pow,
      clock: () => chain.tip.time + 1,
      content: () => ({ coinbaseOutputs: [PAYOUT] }),
    });
    const mining = miner.mineBlock();
    await new Promise((r) => setImmediate(r));
    // A peer's block arrives: the tip moves.
    const theirs = mineOn(chain.tip, params);
    chain.acceptBlock(theirs, 2_000_000_000);
    const ours = await mining;
    assert.ok(cancelled);
    assert.equal(ours.header.prevHash, blockHash(theirs));
    assert.equal(miner.stats().staleTemplates, 1);
    assert.equal(chain.acceptBlock(ours, 2_000_000_000).entry.height, 2);
  });

  test('an abort signal stops mining with an AbortError', async () => {
    const chain = createChain({ params, verifySchnorr: fastVerifySchnorr });
    const pow = scriptedPow([
      (_job, signal) =>
        new Promise((resolve) =>
          signal!.addEventListener('abort', () => resolve({ found: false, reason: 'cancelled', hashes: 0 })),
        ),
    ]);
    const miner = createMiner({
      chain: { params, tip: () => chain.tip, onTip: (l) => chain.onTip(l) },
      pow,
      clock: () => chain.tip.time + 1,
      content: () => ({ coinbaseOutputs: [PAYOUT] }),
    });
    const ac = new AbortController();
    const mining = miner.mineBlock(ac.signal);
    ac.abort();
    await assert.rejects(mining, (err: unknown) => (err as Error).name === 'AbortError');
  });
});
