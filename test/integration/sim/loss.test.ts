/**
 * Loss delays but never wedges: on a lossy line, pushes go missing, and each node fetches what it missed by its
 * normal locator sync when the next block shows the gap. Through the whole simulator (manager, workers, model).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredBlock } from '../../../src/node/worker-protocol.ts';
import type { NodeHandle } from '../../../src/sim/types.ts';
import { eventually } from '../../helpers/nodes.ts';
import { startQuietSim } from '../../helpers/sim.ts';

test('on a 3-node line losing half its pushes, blocks arrive late (by sync) but every node ends on the tip', async () => {
  const run = await startQuietSim(3, {
    results: null,
    model: { seed: 3, topology: { kind: 'line' }, defaults: { loss: 0.5 } },
  });
  const ports = run.sim.nodes.map((n) => n.port);
  const stored = new Map<string, Map<number, StoredBlock>>();
  run.sim.on('block', (node: NodeHandle, block: StoredBlock) => {
    let by = stored.get(block.hash);
    if (!by) stored.set(block.hash, (by = new Map<number, StoredBlock>()));
    by.set(node.port, block);
  });
  const height = async (port: number): Promise<{ height: number; tip: string }> =>
    (await fetch(`http://127.0.0.1:${port}/node/id`)).json() as Promise<{ height: number; tip: string }>;
  const mine = async (): Promise<void> => {
    assert.equal((await fetch(`http://127.0.0.1:${ports[0]}/mine`)).status, 200);
    await new Promise((r) => setTimeout(r, 20));
  };
  try {
    const blocks = 20;
    for (let i = 0; i < blocks; i++) await mine();
    // With the loss removed, one more block shows every node the gap it still has, and each fills it.
    const answer = await fetch(`${run.managerUrl}/network/links`, {
      method: 'POST',
      body: JSON.stringify({ loss: 0 }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(answer.status, 200, await answer.text());
    await mine();
    const tip = (await height(ports[0]!)).tip;
    await eventually(async () => {
      for (const p of ports) if ((await height(p)).tip !== tip) return false;
      return true;
    }, 20_000);
    for (const p of ports) assert.equal((await height(p)).height, blocks + 1);

    // Every block reached every node, and some only after the miner had mined the next one: they were lost on
    // the way and fetched by the sync the next block started.
    const minedAt = new Map<number, number>();
    for (const by of stored.values()) {
      const own = by.get(ports[0]!);
      assert.ok(own?.mined, 'the first node mined every block');
      minedAt.set(own.height, own.at);
    }
    assert.equal(minedAt.size, blocks + 1);
    let late = 0;
    for (const by of stored.values()) {
      assert.deepEqual([...by.keys()].sort(), [...ports].sort(), 'every node stored every block');
      const next = minedAt.get(by.get(ports[0]!)!.height + 1);
      if (next !== undefined) for (const p of ports.slice(1)) if (by.get(p)!.at >= next) late++;
    }
    assert.ok(late >= 3, `${late} blocks reached a node only after the next one was mined`);
  } finally {
    await run.shutdown();
  }
});
