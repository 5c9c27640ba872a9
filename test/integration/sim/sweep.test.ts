/**
 * `simulate --virtual --sweep` through the real CLI: one run per value on worker threads, each exactly the single
 * run its flag makes, the sweep's rows and spread, and the refusals.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../helpers/cli.ts';

const BASE = ['simulate', '--virtual', '--nodes', '50', '--blocks', '30', '--latency', 'pareto:2s'];

test('seed=1..4: four runs, each the single run of its seed, and sweep.csv / sweep.json over them', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainsim-sweep-'));
  const single = mkdtempSync(join(tmpdir(), 'chainsim-sweep-single-'));
  try {
    const r = runCli([...BASE, '--sweep', 'seed=1..4', '--jobs', '2', '--results', root], {
      timeoutMs: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /a sweep of 4 virtual run\(s\) over seed, 2 at a time/);
    assert.match(r.stderr, /sweep 4 of 4 done/);
    assert.match(r.stdout, /staleRate/);
    const folders = readdirSync(root).sort();
    const sweepDir = folders.find((f) => f.startsWith('sweep-seed-4x-'));
    assert.ok(sweepDir, folders.join(' '));
    const runs = folders.filter((f) => f.startsWith('virtual-'));
    assert.equal(runs.length, 4);

    const [header, ...lines] = readFileSync(join(root, sweepDir, 'sweep.csv'), 'utf8')
      .trimEnd()
      .split('\n');
    assert.equal(
      header,
      'seed,runId,blocksMined,staleBlocks,staleRate,t50MsP50,t90MsP50,t100MsP50,reorgs,maxReorgDepth,events,virtualSeconds,wallSeconds',
    );
    assert.deepEqual(
      lines.map((l) => l.split(',')[0]),
      ['1', '2', '3', '4'],
    );
    const json = JSON.parse(readFileSync(join(root, sweepDir, 'sweep.json'), 'utf8')) as {
      points: Array<{ seed: number; runId: string; blocksMined: number; staleBlocks: number }>;
      spread: Record<string, { mean: number; min: number; max: number }>;
    };
    // Each row is its run's summary.
    for (const p of json.points) {
      const s = JSON.parse(readFileSync(join(root, p.runId, 'summary.json'), 'utf8')) as {
        seed: number;
        blocksMined: number;
        staleBlocks: number;
      };
      assert.deepEqual([s.seed, s.blocksMined, s.staleBlocks], [p.seed, p.blocksMined, p.staleBlocks]);
    }
    const mined = json.points.map((p) => p.blocksMined);
    assert.equal(json.spread.blocksMined!.min, Math.min(...mined));
    assert.equal(json.spread.blocksMined!.max, Math.max(...mined));

    // The point for seed 3 is the run `--seed 3` makes: the same folder name and the same files.
    const one = runCli([...BASE, '--seed', '3', '--results', single], { timeoutMs: 60_000 });
    assert.equal(one.status, 0, one.stderr);
    const [run] = readdirSync(single);
    const point = json.points.find((p) => p.seed === 3)!;
    assert.equal(run, point.runId);
    const wall = (t: string): string => t.replace(/"wallSeconds": [\d.]+/, '"wallSeconds": 0');
    for (const file of ['summary.json', 'blocks.csv'])
      assert.ok(
        wall(readFileSync(join(single, run, file), 'utf8')) ===
          wall(readFileSync(join(root, point.runId, file), 'utf8')),
        `${file} of the sweep's point differs from the single run's`,
      );
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(single, { recursive: true, force: true });
  }
});

test('bad sweeps exit 2 with the reason, and run nothing', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--sweep', 'alpha=1..3'], /unknown key "alpha"/],
    [['--sweep', 'seed=3..1'], /the range is empty/],
    [
      ['--sweep', 'nodes=10,20', '--hash-power', Array.from({ length: 50 }, () => '2').join(',')],
      /--hash-power/,
    ],
    [['--sweep', 'seed=1..2', '--jobs', '0'], /--jobs/],
    [['--jobs', '2'], /--jobs goes with --sweep/],
  ];
  for (const [flags, message] of cases) {
    const r = runCli([...BASE, '--no-results', ...flags]);
    assert.equal(r.status, 2, `${flags.join(' ')}: ${r.status} ${r.stderr}`);
    assert.match(r.stderr, message, flags.join(' '));
    assert.doesNotMatch(r.stdout, /a sweep of/);
  }
  const live = runCli(['simulate', '--sweep', 'seed=1..2', '--no-results']);
  assert.equal(live.status, 2);
  assert.match(live.stderr, /--sweep applies to --virtual runs only/);
});
