/**
 * Scenario files: the issue's YAML as written compiles to the run it describes, and every bad input is a usage
 * error naming FILE:LINE:COL and what was expected.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/cli/output.ts';
import { compileScenario } from '../../../src/cli/scenario/compile.ts';
import { loadScenario } from '../../../src/cli/scenario/load.ts';
import { checkVirtualArgs } from '../../../src/cli/simulate-virtual.ts';

const ISSUE = `mode: virtual
seed: 5
nodes: 100
blocks: 20000
network: { topology: full, latency: 0ms }
miners:
  - { node: 0, share: 0.3, strategy: selfish, gamma: 0.5 }
  # nodes not listed share the remaining hash power equally and mine honestly
`;

const compile = (text: string, over: Record<string, unknown> = {}, written: string[] = []) =>
  compileScenario(loadScenario('s.yaml', text), over, new Set(written));

test("the issue's selfish-mining file, as written: the run it describes", () => {
  const p = compile(ISSUE);
  assert.equal(p.mode, 'virtual');
  const args = checkVirtualArgs(p.raw, p.given);
  assert.equal(args.nodes, 100);
  assert.equal(args.blocks, 20000);
  assert.equal(args.model.seed, 5);
  assert.deepEqual(args.model.topology, { kind: 'full' });
  assert.deepEqual(args.model.defaults?.latency, { kind: 'fixed', ms: 0 });
  assert.equal(args.shares?.[0], 30);
  for (let i = 1; i < 100; i++) assert.ok(Math.abs(args.shares[i]! - 70 / 99) < 1e-6);
  assert.deepEqual(p.strategies, [{ node: 0, spec: { strategy: 'selfish', gamma: 0.5 } }]);
});

test("the issue's double-spender; giveUpBehind is optional (20)", () => {
  const base = ISSUE.replace(
    /- \{ node: 0.*\}/,
    '- { node: 0, share: 0.1, strategy: double-spend, confirmations: 3, giveUpBehind: 12 }',
  );
  assert.deepEqual(compile(base).strategies[0]!.spec, {
    strategy: 'double-spend',
    confirmations: 3,
    giveUpBehind: 12,
  });
  const without = base.replace(', giveUpBehind: 12', '');
  assert.deepEqual(compile(without).strategies[0]!.spec, {
    strategy: 'double-spend',
    confirmations: 3,
    giveUpBehind: 20,
  });
});

test('a flag on the command line overrides the file', () => {
  const p = compile(ISSUE, { seed: 9, blocks: 50, mode: 'live' }, ['seed', 'blocks']);
  assert.equal(p.raw.seed, 9);
  assert.equal(p.raw.blocks, 50);
  assert.equal(p.mode, 'live');
});

test('a timeline: at seconds or a height, each action', () => {
  const p = compile(`nodes: 4
blocks: 100
timeline:
  - { at: 60, partition: [[0, 1], [2, 3]] }
  - { at: { height: 40 }, heal: true }
  - { at: 100, links: { latency: 50ms, loss: 1% } }
  - { at: 200, links: { latency: 1s, between: [0, 1] } }
  - { at: 300, stop: 2 }
  - { at: 400, start: 2 }
  - { at: 500, share: { node: 1, share: 0.5 } }
  - { at: 600, strategy: { node: 3, strategy: selfish, gamma: 1 } }
`);
  assert.deepEqual(
    p.events.map((e) => [e.at, e.action.kind]),
    [
      [{ seconds: 60 }, 'partition'],
      [{ height: 40 }, 'heal'],
      [{ seconds: 100 }, 'links'],
      [{ seconds: 200 }, 'links'],
      [{ seconds: 300 }, 'stop'],
      [{ seconds: 400 }, 'start'],
      [{ seconds: 500 }, 'share'],
      [{ seconds: 600 }, 'strategy'],
    ],
  );
  assert.deepEqual(p.events[2]!.action, {
    kind: 'links',
    defaults: { latency: { kind: 'fixed', ms: 50 }, loss: 0.01 },
  });
  assert.deepEqual(p.events[3]!.action, {
    kind: 'links',
    links: [{ a: 0, b: 1, latency: { kind: 'fixed', ms: 1000 } }],
  });
});

function refused(text: string, message: RegExp): void {
  assert.throws(
    () => compile(text),
    (err: unknown) => err instanceof UsageError && message.test(err.message),
    `expected ${message}`,
  );
}

test('bad input: each names FILE:LINE:COL and what was expected', () => {
  refused(ISSUE.replace('share: 0.3', 'share: 1.5'), /^s\.yaml:7:23: miners\.0\.share: must be <= 1/);
  refused(ISSUE.replace('share: 0.3', 'share: 0'), /^s\.yaml:7:23: miners\.0\.share: must be > 0/);
  refused(
    ISSUE.replace('gamma: 0.5 }', 'gamma: 0.5 }\n  - { node: 1, share: 0.8 }'),
    /^s\.yaml:7:23: the listed shares sum to 1\.1, above 1/,
  );
  refused(
    ISSUE.replace('strategy: selfish', 'strategy: sneaky'),
    /^s\.yaml:7:38: miners\.0\.strategy: expected one of "honest", "selfish"/,
  );
  refused(
    `${ISSUE}timeline:\n  - { at: 5, explode: true }\n`,
    /^s\.yaml:10:23: timeline\.0: unknown field "explode"/,
  );
  refused(
    `${ISSUE}timeline:\n  - { at: { height: 30000 }, heal: true }\n`,
    /^s\.yaml:10:11: height 30000 is after the stop at blocks 20000/,
  );
  refused(
    'nodes: 3\nduration: 60\ntimeline:\n  - { at: 61, stop: 1 }\n',
    /^s\.yaml:4:11: 61 s is after the stop at duration 60 s/,
  );
  refused(
    'nodes: 3\nblocks: 5\nminers:\n  - { node: 7, strategy: withhold }\n',
    /^s\.yaml:4:5: node 7 does not exist \(the nodes are 0 to 2\)/,
  );
  refused('nodes: 3\nblocks: [5\n', /^s\.yaml:3:1: YAML syntax error/);
  refused('nodes: 3\nblokcs: 5\n', /^s\.yaml:2:9: the scenario: unknown field "blokcs"/);
  refused(
    'nodes: 3\nblocks: 5\nminers:\n  - { node: 0, strategy: selfish, victim: 2 }\n',
    /victim does not apply to strategy selfish/,
  );
  refused(
    'nodes: 3\nblocks: 5\nminers:\n  - { node: 0, strategy: eclipse }\n',
    /strategy eclipse needs a victim/,
  );
});
