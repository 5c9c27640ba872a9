/**
 * `chainsim scenario` as a user runs it: every example in scenarios/ validates; a run writes summary.json with its
 * strategies entry and report.html; a sweep over alpha writes sweep.csv with the theory beside each point; a bad
 * file exits 2 with FILE:LINE:COL and runs nothing; a live run refuses what live nodes cannot do yet.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { selfishRevenue } from '../../../src/results/theory.ts';
import { runCli, runCliAsync } from '../../helpers/cli.ts';
import { freePortRun } from '../../helpers/ports.ts';

const SMALL = ['--nodes', '6', '--blocks', '400', '--network', 'regtest'];

test('every example scenario validates and says what it would run', () => {
  const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));
  for (const name of [
    'partition-and-heal',
    'latency-vs-stale-rate',
    'selfish-mining',
    'double-spend',
    'majority-attack',
    'eclipse',
  ])
    assert.ok(files.includes(`${name}.yaml`), `scenarios/${name}.yaml`);
  for (const f of files) {
    const r = runCli(['scenario', 'validate', join('scenarios', f)]);
    assert.equal(r.status, 0, `${f}: ${r.stderr}`);
    assert.match(r.stdout, /^valid: scenarios\/.*a virtual run of \d+ node\(s\)/);
  }
});

test('a selfish-mining run: summary.json strategies, report.html beside it', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainsim-scenario-'));
  try {
    const r = runCli(['scenario', 'run', 'scenarios/selfish-mining.yaml', ...SMALL, '--results', root], {
      timeoutMs: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /node 0\s+│ selfish gamma=0\.5, share 30\.0%, revenue/);
    const [run] = readdirSync(root);
    assert.deepEqual(readdirSync(join(root, run!)).sort(), ['blocks.csv', 'report.html', 'summary.json']);
    const summary = JSON.parse(readFileSync(join(root, run!, 'summary.json'), 'utf8')) as {
      mode: string;
      seed: number;
      nodes: number;
      strategies: Array<Record<string, unknown>>;
    };
    assert.equal(summary.mode, 'virtual');
    assert.equal(summary.seed, 5, "the file's seed");
    assert.equal(summary.nodes, 6, 'the flag over the file');
    assert.deepEqual(
      { ...summary.strategies[0], revenueShare: undefined },
      {
        name: 'node 0',
        node: 0,
        strategy: 'selfish',
        share: 0.3,
        params: { gamma: 0.5 },
        revenueShare: undefined,
      },
    );
    assert.match(
      readFileSync(join(root, run!, 'report.html'), 'utf8'),
      /Selfish mining: revenue share against hash share/,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a sweep over alpha: one row per point with the theory beside the measurement', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainsim-scenario-sweep-'));
  try {
    const r = runCli(
      [
        'scenario',
        'run',
        'scenarios/selfish-mining.yaml',
        ...SMALL,
        '--sweep',
        'alpha=0.2,0.4',
        '--jobs',
        '2',
        '--results',
        root,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const sweep = readdirSync(root).find((e) => e.startsWith('sweep-'))!;
    assert.ok(readdirSync(join(root, sweep)).includes('report.html'));
    const [header, ...lines] = readFileSync(join(root, sweep, 'sweep.csv'), 'utf8')
      .trim()
      .split('\n');
    const cols = header!.split(',');
    assert.deepEqual(cols.slice(0, 2), ['alpha', 'runId']);
    for (const c of ['strategy', 'share', 'measured', 'theory']) assert.ok(cols.includes(c), c);
    assert.equal(lines.length, 2);
    for (const line of lines) {
      const row: Record<string, string> = Object.fromEntries(line.split(',').map((v, i) => [cols[i]!, v]));
      assert.equal(row.strategy, 'selfish');
      assert.equal(Number(row.share), Number(row.alpha));
      assert.ok(Math.abs(Number(row.theory) - selfishRevenue(Number(row.alpha), 0.5)) < 1e-9);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a bad file exits 2 with FILE:LINE:COL and runs nothing; live refuses a strategic miner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chainsim-scenario-bad-'));
  try {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'nodes: 4\nblocks: 10\nminers:\n  - { node: 0, share: 0.7 }\n  - { node: 1, share: 0.6 }\n',
    );
    for (const command of ['validate', 'run']) {
      const r = runCli(['scenario', command, bad, ...(command === 'run' ? ['--results', dir] : [])]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`${bad.replaceAll('/', '\\/')}:4:23: the listed shares sum to 1\\.3, above 1`),
      );
    }
    assert.deepEqual(readdirSync(dir), ['bad.yaml'], 'nothing ran');
    const path = runCli(['scenario', 'run', 'scenarios/selfish-mining.yaml', '--sweep', 'timeline.0.at=1,2']);
    assert.equal(path.status, 2);
    assert.match(
      path.stderr,
      /--sweep timeline\.0\.at: scenarios\/selfish-mining\.yaml has no timeline to vary/,
    );
    const share = runCli([
      'scenario',
      'run',
      'scenarios/selfish-mining.yaml',
      '--sweep',
      'miners.0.share=0.5,1.5',
    ]);
    assert.equal(share.status, 2);
    assert.match(share.stderr, /with --sweep miners\.0\.share=1\.5: miners\.0\.share: must be <= 1/);
    const live = runCli(['scenario', 'run', 'scenarios/selfish-mining.yaml', '--live']);
    assert.equal(live.status, 2);
    assert.match(live.stderr, /strategic miners run in virtual mode only so far/);
    const tx = join(dir, 'tx.yaml');
    writeFileSync(
      tx,
      'mode: live\nnodes: 2\nblocks: 5\ntimeline:\n  - { at: 1, transactions: { perSecond: 2 } }\n',
    );
    const txRun = runCli(['scenario', 'run', tx]);
    assert.equal(txRun.status, 2);
    assert.match(txRun.stderr, /transactions at a rate are not built yet/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an honest scenario on live nodes: run as the simulate it stands for, results with mode live', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chainsim-scenario-live-'));
  try {
    const file = join(dir, 'live.yaml');
    writeFileSync(
      file,
      `mode: live\nnodes: 3\nblocks: 3\nchain: regtest\nnetwork: { latency: 5ms }\nresults: ${join(dir, 'results')}\ninMemory: true\nlogDir: ${join(dir, 'logs')}\n`,
    );
    const first = await freePortRun(4);
    // --live on the command line, over the file's (default) virtual mode.
    const r = await runCliAsync(
      ['scenario', 'run', file, '--live', '--port', String(first), '--base-port', String(first + 1)],
      { timeoutMs: 90_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /as: chainsim simulate --mine .*--network regtest --latency 5ms --nodes 3/);
    const [run] = readdirSync(join(dir, 'results'));
    const summary = JSON.parse(readFileSync(join(dir, 'results', run!, 'summary.json'), 'utf8')) as {
      mode: string;
      nodes: number;
      endedBy: string;
      bestTip: { height: number };
    };
    assert.deepEqual([summary.mode, summary.nodes, summary.endedBy], ['live', 3, 'blocks']);
    assert.ok(summary.bestTip.height >= 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a live timeline: each event becomes the manager call a script would make, at its height', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chainsim-scenario-live-timeline-'));
  try {
    const file = join(dir, 'split.yaml');
    writeFileSync(
      file,
      [
        'nodes: 4',
        'blocks: 200',
        'chain: regtest',
        'inMemory: true',
        `logDir: ${join(dir, 'logs')}`,
        `results: ${join(dir, 'results')}`,
        'timeline:',
        '  - { at: { height: 5 }, partition: [[0, 1], [2, 3]] }',
        '  - { at: { height: 15 }, heal: true }',
        '',
      ].join('\n'),
    );
    const first = await freePortRun(5);
    // --live on the command line, over the file's (default) virtual mode.
    const r = await runCliAsync(
      ['scenario', 'run', file, '--live', '--port', String(first), '--base-port', String(first + 1)],
      { timeoutMs: 90_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /timeline \(height 5\): partition -> POST \/network\/partition/);
    assert.match(r.stdout, /timeline \(height 15\): heal -> POST \/network\/heal/);
    const [run] = readdirSync(join(dir, 'results'));
    const summary = JSON.parse(readFileSync(join(dir, 'results', run!, 'summary.json'), 'utf8')) as {
      timeToAgreementMs: unknown[];
      settings: { partition: unknown };
    };
    assert.equal(summary.timeToAgreementMs.length, 1, 'the heal was timed');
    assert.equal(summary.settings.partition, null, 'healed at the end');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
