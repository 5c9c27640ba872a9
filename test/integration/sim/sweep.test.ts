/**
 * `simulate --virtual --sweep` as a user runs it: four seeds on worker threads write four runs and
 * sweep.csv/sweep.json whose rows are the runs' summaries, one point is byte for byte the single run of its seed
 * (but wallSeconds), and bad specs or a sweep outside --virtual exit 2 with the reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../helpers/cli.ts';

const FLAGS = ['--nodes', '50', '--blocks', '30', '--latency', 'pareto:2s'];
const withoutWall = (raw: string): string => raw.replace(/"wallSeconds": [\d.]+/, '"wallSeconds": 0');

test('a seed=1..4 sweep writes four runs, sweep.csv and sweep.json; one point is the single run', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainsim-sweep-'));
  const single = mkdtempSync(join(tmpdir(), 'chainsim-sweep-single-'));
  try {
    const r = runCli(
      ['simulate', '--virtual', ...FLAGS, '--sweep', 'seed=1..4', '--jobs', '2', '--results', root],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /sweep 4\/4 points/);
    assert.match(r.stdout, /metric\s.*mean\s.*sd\s.*min\s.*max/);
    assert.match(r.stdout, /staleRate/);
    const entries = readdirSync(root).sort();
    const runs = entries.filter((e) => e.startsWith('virtual-'));
    const sweeps = entries.filter((e) => e.startsWith('sweep-'));
    assert.equal(runs.length, 4, entries.join(' '));
    assert.equal(sweeps.length, 1, entries.join(' '));
    const dir = join(root, sweeps[0]!);

    const csv = readFileSync(join(dir, 'sweep.csv'), 'utf8').trimEnd().split('\n');
    const header = csv[0]!.split(',');
    assert.deepEqual(header.slice(0, 2), ['seed', 'runId']);
    assert.equal(csv.length, 5);
    const json = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as {
      rows: Array<Record<string, number | string | null>>;
      spread: Record<string, { mean: number; sd: number; min: number; max: number }>;
    };
    assert.deepEqual(
      json.rows.map((row) => row.seed),
      [1, 2, 3, 4],
    );
    const mined: number[] = [];
    json.rows.forEach((row, i) => {
      const s = JSON.parse(readFileSync(join(root, String(row.runId), 'summary.json'), 'utf8')) as {
        seed: number;
        runId: string;
        blocksMined: number;
        staleBlocks: number;
        staleRate: number;
        propagation: Record<string, { p50: number | null }>;
        reorgs: { count: number; maxDepth: number };
        events: number;
        virtualSeconds: number;
      };
      assert.equal(s.seed, row.seed);
      assert.equal(s.runId, row.runId);
      assert.equal(row.blocksMined, s.blocksMined);
      assert.equal(row.staleBlocks, s.staleBlocks);
      assert.equal(row.staleRate, s.staleRate);
      assert.equal(row.t50MsP50, s.propagation.t50Ms!.p50);
      assert.equal(row.t90MsP50, s.propagation.t90Ms!.p50);
      assert.equal(row.t100MsP50, s.propagation.t100Ms!.p50);
      assert.equal(row.reorgs, s.reorgs.count);
      assert.equal(row.reorgMaxDepth, s.reorgs.maxDepth);
      assert.equal(row.events, s.events);
      assert.equal(row.virtualSeconds, s.virtualSeconds);
      // The csv row says the same.
      const cells = csv[i + 1]!.split(',');
      assert.equal(cells[header.indexOf('runId')], s.runId);
      assert.equal(Number(cells[header.indexOf('events')]), s.events);
      mined.push(s.blocksMined);
    });
    const spread = json.spread.blocksMined!;
    assert.equal(spread.min, Math.min(...mined));
    assert.equal(spread.max, Math.max(...mined));
    assert.equal(spread.mean, mined.reduce((a, b) => a + b, 0) / mined.length);

    const one = runCli(['simulate', '--virtual', ...FLAGS, '--seed', '3', '--results', single], {
      timeoutMs: 60_000,
    });
    assert.equal(one.status, 0, one.stderr);
    const [run] = readdirSync(single);
    assert.equal(run, json.rows[2]!.runId, "the single run has the point's runId");
    for (const file of ['blocks.csv', 'summary.json']) {
      const a = withoutWall(readFileSync(join(single, run!, file), 'utf8'));
      const b = withoutWall(readFileSync(join(root, run!, file), 'utf8'));
      assert.ok(a === b, `${file} of seed 3 differs between the sweep and the single run`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(single, { recursive: true, force: true });
  }
});

test('bad sweeps exit 2 with the reason', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--virtual', ...FLAGS, '--sweep', 'foo=1..3'], /unknown key "foo"/],
    [['--virtual', ...FLAGS, '--sweep', 'seed=4..1'], /empty range/],
    [['--virtual', ...FLAGS, '--sweep', 'seed=1..20000'], /20,000 points, more than 10,000/],
    [['--virtual', ...FLAGS, '--sweep', 'seed=1..2', '--jobs', '0'], /--jobs must be a whole number/],
    [['--virtual', ...FLAGS, '--jobs', '2'], /--jobs applies to --sweep runs only/],
    [['--nodes', '2', '--sweep', 'seed=1..2'], /--sweep applies to --virtual runs only/],
  ];
  for (const [flags, message] of cases) {
    const r = runCli(['simulate', ...flags]);
    assert.equal(r.status, 2, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, flags.join(' '));
  }
});
