import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually } from '../../helpers/nodes.ts';
import { startQuietSim } from '../../helpers/sim.ts';

interface NetworkAnswer {
  agree: boolean;
  blocksMined: number;
  staleBlocks: number;
  forks: number;
  reorgs: { count: number; maxDepth: number };
  propagation: { t100Ms: { count: number } };
  timeToAgreementMs: Array<number | null>;
}

test('the ledger live: blocksMined survives a restart, a partition forks, the heal is timed, /metrics shows it', async () => {
  const run = await startQuietSim(3, { results: null });
  const url = run.managerUrl;
  const json = async <T>(path: string, method = 'GET', body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
    return (await res.json()) as T;
  };
  const [a, b, c] = run.sim.nodes.map((n) => n.port) as [number, number, number];
  const mine = async (port: number): Promise<void> => {
    assert.equal((await fetch(`http://127.0.0.1:${port}/mine`)).status, 200);
  };
  const mined = async (): Promise<number[]> =>
    (await json<{ nodes: Array<{ blocksMined: number }> }>('/nodes')).nodes.map((n) => n.blocksMined);
  try {
    for (let i = 0; i < 3; i++) await mine(a);
    await eventually(async () => (await mined()).join() === '3,0,0');
    // Stop and start the miner: its count stays (the node's own counter starts again at 0).
    await json(`/nodes/${a}/stop`, 'POST');
    await json(`/nodes/${a}/start`, 'POST');
    assert.deepEqual(await mined(), [3, 0, 0]);

    await json('/network/partition', 'POST', { groups: [[a], [b, c]] });
    await mine(a);
    await mine(b);
    await mine(b);
    let view = await json<NetworkAnswer>('/network');
    assert.equal(view.agree, false);
    assert.equal(view.forks, 1);
    await json('/network/heal', 'POST');
    await eventually(
      async () => (view = await json<NetworkAnswer>('/network')).timeToAgreementMs[0] !== null,
    );
    assert.equal(view.agree, true);
    assert.ok(view.timeToAgreementMs[0]! >= 0);
    // a's block at the fork lost to b's two: one stale block, one reorg of depth 1 (on a).
    assert.equal(view.blocksMined, 6);
    assert.equal(view.staleBlocks, 1);
    assert.deepEqual([view.reorgs.count, view.reorgs.maxDepth], [1, 1]);
    assert.ok(view.propagation.t100Ms.count >= 3);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^chainsim_stale_blocks 1$/m);
    assert.match(metrics, /^chainsim_forks 1$/m);
    assert.match(metrics, /^chainsim_reorg_depth_count 1$/m);
    assert.match(metrics, /^chainsim_block_reach_seconds_count\{level="t100"\} \d+$/m);
    assert.match(metrics, new RegExp(`^chainsim_revenue_share\\{node="${b}"\\} `, 'm'));
  } finally {
    await run.shutdown();
  }
});
