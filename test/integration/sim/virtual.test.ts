/**
 * `simulate --virtual` as a user runs it: its results files, the same seed and flags giving byte-identical
 * results (but wallSeconds), a partition from the start, and the options it refuses (exit 2, with the reason).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../helpers/cli.ts';

function resultsOf(root: string): { summary: Record<string, unknown>; csv: string; raw: string } {
  const [run] = readdirSync(root);
  assert.ok(run, `no run folder in ${root}`);
  const raw = readFileSync(join(root, run, 'summary.json'), 'utf8');
  return {
    summary: JSON.parse(raw) as Record<string, unknown>,
    csv: readFileSync(join(root, run, 'blocks.csv'), 'utf8'),
    raw,
  };
}

test('the same seed and flags give byte-identical blocks.csv and summary.json, but wallSeconds', () => {
  const roots = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'chainsim-virtual-')));
  try {
    const flags = ['--nodes', '200', '--blocks', '60', '--topology', 'random:4', '--latency', 'pareto:2s'];
    const runs = roots.map((root, i) => {
      const r = runCli(['simulate', '--virtual', ...flags, '--seed', i < 2 ? '5' : '6', '--results', root], {
        timeoutMs: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /virtual run/);
      assert.match(r.stdout, /results: .*summary\.json/);
      assert.match(r.stderr, /virtual .* · height 60 · mined \d+ · [\d,]+ events\/s/);
      return resultsOf(root);
    });
    const [a, b, other] = runs as [(typeof runs)[0], (typeof runs)[0], (typeof runs)[0]];
    assert.ok(a.csv === b.csv, 'blocks.csv differs between two runs of the same seed');
    const withoutWall = (raw: string): string => raw.replace(/"wallSeconds": [\d.]+/, '"wallSeconds": 0');
    assert.ok(withoutWall(a.raw) === withoutWall(b.raw), 'summary.json differs beyond wallSeconds');
    assert.ok(a.csv !== other.csv, 'another seed gave the same blocks');

    const s = a.summary;
    assert.equal(s.mode, 'virtual');
    assert.equal(s.seed, 5);
    assert.equal(s.nodes, 200);
    assert.equal(s.network, 'bitcoin');
    assert.equal(s.endedBy, 'blocks');
    assert.equal(typeof s.virtualSeconds, 'number');
    assert.ok((s.events as number) > 200 * 60, `${String(s.events)} events`);
    // With a 2 s mean latency on 10-minute blocks, propagation takes seconds and a few blocks may go stale.
    const prop = s.propagation as Record<string, { p50: number }>;
    assert.ok(prop.t100Ms!.p50 > 2000, `t100 p50 ${prop.t100Ms!.p50}`);
    const lines = a.csv.trimEnd().split('\n');
    assert.equal(lines[0], 'hash,height,parent,miner,minedAt,t50Ms,t90Ms,t100Ms,bestChain');
    assert.equal(lines.length - 1, s.blocksMined);
    // Virtual time starts at the genesis block's time: Bitcoin's, 3 January 2009.
    assert.match(lines[1]!, /,2009-01-0\dT/);
  } finally {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  }
});

test('a partition from the start (nodes by number) keeps two chains to the end', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainsim-virtual-'));
  try {
    const run = runCli(
      [
        'simulate',
        '--virtual',
        '--nodes',
        '6',
        '--duration',
        '36000',
        '--partition',
        '0-2/3-5',
        '--seed',
        '2',
        '--results',
        root,
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    const { summary } = resultsOf(root);
    assert.equal(summary.endedBy, 'duration');
    assert.equal(summary.virtualSeconds, 36000);
    // Ten hours of 10-minute blocks on two sides: about 60 blocks, and the shorter side's are stale.
    assert.ok((summary.staleBlocks as number) >= 10, `${String(summary.staleBlocks)} stale`);
    assert.deepEqual((summary.settings as { partition: unknown }).partition, [
      [0, 1, 2],
      [3, 4, 5],
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('options a virtual run cannot take: exit 2 with the reason, and nothing written', () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ['--port', '4000', '--blocks', '5'],
      /--port does not apply to --virtual: a virtual run has no HTTP API/,
    ],
    [['--kernel', 'js', '--blocks', '5'], /--kernel does not apply to --virtual/],
    [['--threads', '2', '--blocks', '5'], /--threads does not apply to --virtual/],
    [['--nodes', '0', '--blocks', '5'], /--nodes/],
    [['--blocks', '0'], /--blocks/],
    [['--blocks', '5', '--seed', '1.5'], /--seed/],
    [[], /--virtual needs an end: --blocks N .* or --duration S/],
    [['--blocks', '5', '--network', 'mainnet'], /--network must be one of bitcoin, sim, regtest/],
    [['--blocks', '5', '--partition', '0-2/9'], /--partition/],
    [['--blocks', '5', '--interval', '-1'], /--interval is the mean time between blocks in seconds/],
    [
      ['--blocks', '5', '--model', 'bitcoin-2020'],
      /--model: unknown model "bitcoin-2020"; known models: bitcoin-2019/,
    ],
    [
      ['--blocks', '5', '--model', 'bitcoin-2019', '--latency', '50ms'],
      /--latency does not go with --model bitcoin-2019: it draws each message's latency from its region matrix/,
    ],
  ];
  for (const [flags, message] of cases) {
    const r = runCli(['simulate', '--virtual', '--no-results', ...flags]);
    assert.equal(r.status, 2, `${flags.join(' ')}: ${r.status} ${r.stderr}`);
    assert.match(r.stderr, message, flags.join(' '));
    assert.doesNotMatch(r.stdout, /virtual run of/, 'it never started');
  }
  for (const flag of ['interval', 'model']) {
    const live = runCli(['simulate', `--${flag}`, flag === 'model' ? 'bitcoin-2019' : '5', '--no-results']);
    assert.equal(live.status, 2);
    assert.match(live.stderr, new RegExp(`--${flag} applies to --virtual runs only`));
  }
});
