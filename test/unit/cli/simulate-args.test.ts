/**
 * `simulate`'s network-model and run options as yargs hands them over: each good value becomes the model's
 * options, each bad one a UsageError naming the option (and the file and line for files).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { UsageError } from '../../../src/cli/output.ts';
import { checkSimulateArgs } from '../../../src/cli/simulate-args.ts';
import { networkLine } from '../../../src/cli/simulate-network.ts';
import { createNetworkControl } from '../../../src/sim/network-control.ts';

/** What yargs gives when only the defaults are set. */
const DEFAULTS = {
  host: '127.0.0.1',
  network: 'sim',
  kernel: 'auto',
  logLevel: 'info',
  logDir: 'logs',
  dataDir: 'data',
  relay: 'ports',
};

const args = (extra: Record<string, unknown>) => checkSimulateArgs({ ...DEFAULTS, ...extra });

const usage = (extra: Record<string, unknown>, pattern: RegExp): void =>
  assert.throws(
    () => args(extra),
    (err: unknown) => {
      assert.ok(err instanceof UsageError, String(err));
      assert.match(err.message, pattern);
      return true;
    },
  );

const dir = mkdtempSync(join(tmpdir(), 'chainsim-args-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('simulate: network model options', () => {
  test('none given: random:8, no link effects, no partition, a random seed', () => {
    const a = args({});
    assert.deepEqual(a.model.topology, { kind: 'random', k: 8 });
    assert.equal(a.model.defaults, undefined);
    assert.equal(a.model.partition, null);
    assert.ok(Number.isSafeInteger(a.model.seed));
    assert.equal(a.results, 'results');
    assert.equal(a.stopAfter, undefined);
  });

  test('the issue example: every link setting, parsed with its units', () => {
    const a = args({
      nodes: 12,
      topology: 'random:4',
      latency: 'pareto:200ms',
      bandwidth: '1MB/s',
      loss: '1%',
      jitter: '5ms',
      seed: 7,
    });
    assert.equal(a.model.seed, 7);
    assert.deepEqual(a.model.topology, { kind: 'random', k: 4 });
    assert.deepEqual(a.model.defaults, {
      latency: { kind: 'pareto', meanMs: 200, shape: 5 },
      bandwidth: 1e6,
      loss: 0.01,
      jitterMs: 5,
    });
    // The banner's one line, from the settings the simulation will build from these options.
    const control = createNetworkControl({
      model: a.model,
      nodes: Array.from({ length: 12 }, (_, i) => ({
        index: i,
        port: 5000 + i,
        address: `127.0.0.1:${5000 + i}`,
        state: 'up' as const,
        share: 100 / 12,
        pow: null,
      })),
      send: () => {},
      emit: () => {},
    });
    assert.equal(
      networkLine(control.view()),
      'random:4, latency pareto:200ms, bandwidth 1MB/s, loss 1%, jitter 5ms, seed 7',
    );
  });

  test('other spellings: uniform, normal and fixed latency, a fraction for loss, keywords for the topology', () => {
    assert.deepEqual(args({ latency: 'uniform:10ms-50ms' }).model.defaults?.latency, {
      kind: 'uniform',
      minMs: 10,
      maxMs: 50,
    });
    assert.deepEqual(args({ latency: 'normal:100ms,20ms' }).model.defaults?.latency, {
      kind: 'normal',
      meanMs: 100,
      sdMs: 20,
    });
    assert.deepEqual(args({ latency: 50 }).model.defaults?.latency, { kind: 'fixed', ms: 50 });
    assert.equal(args({ loss: 0.01 }).model.defaults?.loss, 0.01);
    for (const kind of ['full', 'ring', 'line', 'star'])
      assert.equal(args({ topology: kind }).model.topology?.kind, kind);
  });

  test('bad values: a UsageError naming the option and what it expects', () => {
    usage({ latency: '-5ms' }, /^--latency: .*latency/);
    usage({ latency: 'fast' }, /^--latency: /);
    usage({ bandwidth: '0' }, /^--bandwidth: /);
    usage({ bandwidth: 'lots' }, /^--bandwidth: /);
    usage({ loss: '150%' }, /^--loss: /);
    usage({ jitter: '-1' }, /^--jitter: .*jitter/);
    usage({ topology: 'random:x' }, /^--topology: .*random:K/);
    usage({ topology: join(dir, 'missing.txt') }, /^--topology .*missing\.txt: no such file/);
    usage({ seed: 'abc' }, /^--seed must be a whole number/);
    usage({ seed: -1 }, /^--seed must be a whole number/);
    usage({ latency: ['5ms', '6ms'] }, /--latency was given 2 times/);
    usage({ latency: true }, /--latency needs a value/);
    // random:0 cannot connect 6 nodes: said before anything starts.
    usage({ topology: 'random:0' }, /^--topology: /);
  });

  test('a partition from the start: groups of ports; unknown ports and a node in two groups refused', () => {
    assert.deepEqual(args({ nodes: 12, partition: '5000-5005/5006-5011' }).model.partition, [
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10, 11],
    ]);
    assert.deepEqual(args({ partition: '5000,5001/5002' }).model.partition, [[0, 1], [2]]);
    usage({ partition: '5000-5009' }, /^--partition: .*5006/);
    usage({ partition: '5000,5001/5001' }, /^--partition: .*5001/);
    usage({ partition: 'halves' }, /^--partition: /);
  });

  test('a topology file: its edges and link settings; errors name the file and the line', () => {
    const good = file(
      'ring.txt',
      '# a ring of 4\n5000 5001 latency=500ms\n5001 5002\n5002 5003\n5003 5000\n',
    );
    const a = args({ nodes: 4, topology: good });
    assert.equal(a.model.topology?.kind, 'file');
    assert.deepEqual(a.model.fileEdges, [
      [0, 1],
      [0, 3],
      [1, 2],
      [2, 3],
    ]);
    assert.deepEqual(a.model.links, [{ a: 0, b: 1, latency: { kind: 'fixed', ms: 500 } }]);
    const unknown = file('unknown.txt', '5000 5001\n5001 6000\n');
    usage({ nodes: 4, topology: unknown }, new RegExp(`^--topology ${unknown}: line 2: .*6000`));
    const bad = file('bad.txt', '5000 5001 latency=fast\n');
    usage({ nodes: 4, topology: bad }, new RegExp(`^--topology ${bad}: line 1`));
  });

  test('--links: overrides for links of the topology; a line for a pair it does not link is refused', () => {
    const links = file('links.txt', '5000 5001 latency=500ms loss=5%\n');
    const a = args({ nodes: 4, topology: 'ring', links });
    assert.deepEqual(a.model.links, [{ a: 0, b: 1, latency: { kind: 'fixed', ms: 500 }, loss: 0.05 }]);
    const across = file('across.txt', '5000 5002 latency=5ms\n');
    usage({ nodes: 4, topology: 'ring', links: across }, /^--links: .*no link/);
    const empty = file('empty.txt', '5000 5001\n');
    usage({ nodes: 4, links: empty }, new RegExp(`^--links ${empty}: line 1: no setting`));
    usage({ links: join(dir, 'nope.txt') }, /^--links .*nope\.txt: no such file/);
  });
});

describe('simulate: results and run length', () => {
  test('--results DIR, --no-results, --duration S, --blocks N', () => {
    assert.equal(args({ results: 'out' }).results, 'out');
    assert.equal(args({ results: false }).results, null);
    assert.deepEqual(args({ duration: '30' }).stopAfter, { durationS: 30 });
    assert.deepEqual(args({ duration: 0.5, blocks: '50' }).stopAfter, { durationS: 0.5, blocks: 50 });
    usage({ results: '' }, /^--results needs a folder/);
    usage({ duration: '0' }, /^--duration is the run's length in seconds/);
    usage({ duration: 'soon' }, /^--duration .*got "soon"/);
    usage({ blocks: '0' }, /^--blocks must be a whole number from 1/);
    usage({ blocks: 'x' }, /^--blocks must be a whole number/);
  });
});
