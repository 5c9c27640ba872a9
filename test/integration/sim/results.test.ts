import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startQuietSim } from '../../helpers/sim.ts';

test('a run with stopAfter { blocks: 5 } ends by itself and leaves summary.json and blocks.csv', async () => {
  const results = mkdtempSync(join(tmpdir(), 'chainsim-results-'));
  const nodes = 3;
  try {
    const run = await startQuietSim(nodes, {
      results,
      runId: 'stop-after-5',
      stopAfter: { blocks: 5 },
    });
    run.sim.startContinuous();
    // Nobody calls shutdown: the run must end by itself.
    const report = await run.stopped;
    assert.equal(report.results, join(results, 'stop-after-5'));
    assert.ok(report.nodes.every((n) => n.result === 'exited'));

    const summary = JSON.parse(readFileSync(join(report.results, 'summary.json'), 'utf8')) as {
      mode: string;
      seed: number;
      nodes: number;
      endedBy: string;
      blocksMined: number;
      staleBlocks: number;
      staleRate: number;
      settings: { topology: { spec: string }; shares: unknown[] };
      propagation: Record<'t50Ms' | 't90Ms' | 't100Ms', { p50: number | null; max: number | null }>;
      revenue: Array<{ node: number; blocksOnBestChain: number; revenueShare: number }>;
      wallSeconds: number;
    };
    assert.equal(summary.mode, 'live');
    assert.equal(summary.nodes, nodes);
    assert.equal(summary.endedBy, 'blocks');
    assert.equal(typeof summary.seed, 'number');
    assert.equal(summary.settings.topology.spec, 'random:8');
    assert.equal(summary.settings.shares.length, nodes);
    assert.ok(summary.wallSeconds > 0);

    const [header, ...lines] = readFileSync(join(report.results, 'blocks.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(header, 'hash,height,parent,miner,minedAt,t50Ms,t90Ms,t100Ms,bestChain');
    const rows = lines.map((l) => {
      const [hash, height, parent, miner, minedAt, t50, t90, t100, best] = l.split(',');
      return { hash, height: Number(height), parent, miner: Number(miner), minedAt, t50, t90, t100, best };
    });
    const onBest = rows.filter((r) => r.best === 'true');
    assert.ok(onBest.length >= 5, `${onBest.length} best-chain rows`);
    // Every row names its miner, and blocksMined counts exactly those rows.
    const ports = run.sim.nodes.map((n) => n.port);
    assert.ok(rows.every((r) => ports.includes(r.miner)));
    assert.equal(summary.blocksMined, rows.length);
    assert.equal(summary.staleBlocks, rows.length - onBest.length);
    assert.equal(
      summary.revenue.reduce((s, r) => s + r.blocksOnBestChain, 0),
      onBest.length,
    );
    // The best chain is a chain: each best row's parent is the best row below it (or the first).
    const bestByHeight = new Map(onBest.map((r) => [r.height, r]));
    for (const r of onBest) {
      const below = bestByHeight.get(r.height - 1);
      if (below) assert.equal(r.parent, below.hash);
    }
    for (const r of rows) {
      assert.ok(!Number.isNaN(Date.parse(r.minedAt!)));
      const ms = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));
      const [t50, t90, t100] = [ms(r.t50), ms(r.t90), ms(r.t100)];
      if (t90 !== null) assert.ok(t50 !== null && t90 >= t50, `t90 ${t90} >= t50 ${t50}`);
      if (t100 !== null) assert.ok(t90 !== null && t100 >= t90, `t100 ${t100} >= t90 ${t90}`);
    }
    const p = summary.propagation;
    assert.ok(p.t100Ms.max === null || p.t100Ms.max >= (p.t90Ms.max ?? 0));
    assert.ok((p.t90Ms.max ?? 0) >= (p.t50Ms.max ?? 0));
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
});
