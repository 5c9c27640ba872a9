import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createBlockLedger } from '../../../src/results/ledger.ts';
import { blocksCsv, buildSummary, CSV_COLUMNS, writeResults } from '../../../src/results/results.ts';

const GENESIS = '00'.repeat(32);
const h = (name: string): string => name.padEnd(64, '0');

/** A small run: a1 <- a2 on the best chain, b1 stale; a2 never reached every node. */
function run() {
  const ports = [5000, 5001, 5002];
  const l = createBlockLedger({ eligible: () => ports, upTips: () => [] });
  const block = (port: number, hash: string, prev: string, height: number, at: number, mined = false) =>
    l.onBlock(port, { hash: h(hash), prev, height, time: 1_700_000_000 + height, at, mined });
  const t0 = Date.UTC(2026, 11, 2, 10, 0, 0);
  block(5000, 'a1', GENESIS, 1, t0, true);
  block(5001, 'a1', GENESIS, 1, t0 + 12.5);
  block(5002, 'a1', GENESIS, 1, t0 + 20);
  block(5002, 'b1', GENESIS, 1, t0 + 5, true);
  block(5001, 'a2', h('a1'), 2, t0 + 1000, true);
  block(5000, 'a2', h('a1'), 2, t0 + 1010);
  l.onTip(5002, { hash: h('a1'), height: 1, at: t0 + 30, disconnected: 1 });
  const metrics = l.metrics(h('a2'), new Map(ports.map((p) => [p, 100 / 3])));
  const summary = buildSummary({
    runId: 'run-1',
    seed: 7,
    nodes: 3,
    network: 'regtest',
    settings: { topology: 'random:8' },
    startedAt: t0 - 500,
    endedAt: t0 + 2000,
    endedBy: 'blocks',
    metrics,
  });
  return { t0, summary, rows: l.rows(h('a2')) };
}

describe('the results files', () => {
  test('blocks.csv: the documented header, one row per block, empty cells for levels never reached', () => {
    const { t0, rows } = run();
    const lines = blocksCsv(rows).trimEnd().split('\n');
    assert.equal(lines[0], 'hash,height,parent,miner,minedAt,t50Ms,t90Ms,t100Ms,bestChain');
    assert.deepEqual([...CSV_COLUMNS], lines[0].split(','));
    assert.equal(lines.length, 4);
    const cells = lines.slice(1).map((l) => l.split(','));
    assert.deepEqual(cells[0], [
      h('a1'),
      '1',
      GENESIS,
      '5000',
      new Date(t0).toISOString(),
      '12.5',
      '20',
      '20',
      'true',
    ]);
    assert.deepEqual(cells[1]!.slice(0, 4).concat(cells[1]!.slice(5)), [
      h('b1'),
      '1',
      GENESIS,
      '5002',
      '',
      '',
      '',
      'false',
    ]);
    assert.deepEqual(cells[2]!.slice(5), ['10', '', '', 'true']);
  });

  test("summary.json: the issue's field names with their types", () => {
    const { summary } = run();
    const json = JSON.parse(JSON.stringify(summary)) as Record<string, unknown>;
    assert.equal(json.mode, 'live');
    assert.equal(json.schema, 1);
    assert.equal(json.seed, 7);
    assert.equal(json.nodes, 3);
    assert.equal(typeof json.settings, 'object');
    assert.equal(json.blocksMined, 3);
    assert.equal(json.staleBlocks, 1);
    assert.equal(json.staleRate, 1 / 3);
    assert.equal(json.forks, 1);
    assert.equal(json.wallSeconds, 2.5);
    assert.equal(json.startedAt, '2026-12-02T09:59:59.500Z');
    const prop = json.propagation as Record<string, Record<string, number | null>>;
    for (const level of ['t50Ms', 't90Ms', 't100Ms'])
      for (const key of ['p50', 'p90', 'p99', 'max'])
        assert.ok(key in prop[level]!, `propagation.${level}.${key}`);
    assert.equal(prop.t100Ms!.max, 20);
    const reorgs = json.reorgs as Record<string, unknown>;
    assert.deepEqual([reorgs.count, reorgs.maxDepth], [1, 1]);
    const revenue = json.revenue as Array<Record<string, number>>;
    assert.deepEqual(
      revenue.map((r) => [r.node, Math.round(r.share! * 1000) / 1000, r.blocksOnBestChain, r.revenueShare]),
      [
        [5000, 0.333, 1, 0.5],
        [5001, 0.333, 1, 0.5],
        [5002, 0.333, 0, 0],
      ],
    );
    assert.deepEqual(json.timeToAgreementMs, []);
  });

  test('writeResults puts both files in <root>/<runId>/, replacing older ones whole, with no temporary file left', async () => {
    const root = mkdtempSync(join(tmpdir(), 'chainsim-results-'));
    try {
      const { summary, rows } = run();
      mkdirSync(join(root, 'run-1'));
      writeFileSync(join(root, 'run-1', 'summary.json'), 'x'.repeat(100_000));
      const dir = await writeResults(root, summary, rows);
      assert.equal(dir, join(root, 'run-1'));
      assert.deepEqual(readdirSync(dir).sort(), ['blocks.csv', 'report.html', 'summary.json']);
      assert.deepEqual(
        JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')),
        JSON.parse(JSON.stringify(summary)),
      );
      assert.equal(readFileSync(join(dir, 'blocks.csv'), 'utf8'), blocksCsv(rows));
      // A folder that cannot be made fails loudly (the manager turns it into a warning).
      writeFileSync(join(root, 'file'), '');
      await assert.rejects(writeResults(join(root, 'file'), summary, rows));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
