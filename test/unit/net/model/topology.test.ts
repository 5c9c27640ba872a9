/** Topologies: the keywords, what each builds, random:K's guarantees, and topology and link files. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  RANDOM_TOPOLOGY_DRAWS,
  buildTopology,
  createRng,
  describeTopology,
  isConnected,
  makeSettings,
  parseEdgeFile,
  parseLinkOverrides,
  parseTopology,
} from '../../../../src/net/model/index.ts';
import type { Edge } from '../../../../src/net/model/index.ts';
import { seedProperties } from '../../../helpers/seed.ts';
import { refuses, simNodes } from './helpers.ts';

const seed = seedProperties();

function degrees(n: number, edges: readonly Edge[]): number[] {
  const d = new Array<number>(n).fill(0);
  for (const [a, b] of edges) {
    d[a]!++;
    d[b]!++;
  }
  return d;
}

test('topology keywords, and anything else is a file', () => {
  assert.deepEqual(parseTopology('full'), { kind: 'full' });
  assert.deepEqual(parseTopology('random:8'), { kind: 'random', k: 8 });
  assert.deepEqual(parseTopology('ring'), { kind: 'ring' });
  assert.deepEqual(parseTopology('line'), { kind: 'line' });
  assert.deepEqual(parseTopology('star'), { kind: 'star' });
  assert.deepEqual(parseTopology('star:3'), { kind: 'star', hub: 3 });
  assert.deepEqual(parseTopology('edges.txt'), { kind: 'file', path: 'edges.txt' });
  assert.deepEqual(parseTopology('file:full'), { kind: 'file', path: 'full' });
  for (const text of ['full', 'random:8', 'ring', 'line', 'star', 'star:3', 'file:x/edges.txt'])
    assert.equal(describeTopology(parseTopology(text)), text);
  refuses(() => parseTopology('random:x'), /random:K needs a whole number K of 0 or more, like random:8/);
  refuses(() => parseTopology('random:-1'), /random:K needs a whole number/);
  refuses(() => parseTopology('star:a'), /star:HUB needs the hub's node number/);
  refuses(() => parseTopology(''), /topology must be one of full, random:K/);
});

test('full, ring, line and star', () => {
  const rng = createRng(1, 0);
  assert.deepEqual(buildTopology({ kind: 'full' }, 4, rng), [
    [0, 1],
    [0, 2],
    [0, 3],
    [1, 2],
    [1, 3],
    [2, 3],
  ]);
  assert.deepEqual(buildTopology({ kind: 'ring' }, 4, rng), [
    [0, 1],
    [0, 3],
    [1, 2],
    [2, 3],
  ]);
  assert.deepEqual(buildTopology({ kind: 'line' }, 4, rng), [
    [0, 1],
    [1, 2],
    [2, 3],
  ]);
  assert.deepEqual(buildTopology({ kind: 'star' }, 4, rng), [
    [0, 1],
    [0, 2],
    [0, 3],
  ]);
  assert.deepEqual(buildTopology({ kind: 'star', hub: 2 }, 4, rng), [
    [0, 2],
    [1, 2],
    [2, 3],
  ]);
  assert.deepEqual(buildTopology({ kind: 'ring' }, 2, rng), [[0, 1]]);
  for (const kind of ['full', 'ring', 'line', 'star'] as const) {
    assert.deepEqual(buildTopology({ kind }, 1, rng), []);
    assert.deepEqual(buildTopology({ kind }, 0, rng), []);
  }
  refuses(() => buildTopology({ kind: 'star', hub: 4 }, 4, rng), /the star's hub must be a node from 0 to 3/);
});

test('random:8 is the full mesh up to 9 nodes, so the old walkthrough is unchanged', () => {
  for (let n = 2; n <= 9; n++)
    assert.deepEqual(
      buildTopology({ kind: 'random', k: 8 }, n, createRng(seed, 0)),
      buildTopology({ kind: 'full' }, n, createRng(0, 0)),
    );
  const thirty = buildTopology({ kind: 'random', k: 8 }, 30, createRng(seed, 0));
  assert.ok(thirty.length < (30 * 29) / 2 && thirty.length >= 30 * 4, `${thirty.length} links`);
});

test('random:K: every node has at least min(K, n-1) links and the network is connected, or it says it cannot', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (n, k, s) => {
      let edges: Edge[];
      try {
        edges = buildTopology({ kind: 'random', k }, n, createRng(s, 0));
      } catch (err) {
        // Only random:1 can fail (a random 1-out graph is often disconnected), and then it says so.
        assert.equal(k, 1, String(err));
        assert.match((err as Error).message, /did not give a connected network .* use a larger K/);
        return;
      }
      assert.ok(isConnected(n, edges), `random:${k} over ${n} nodes is not connected`);
      for (const [a, b] of edges) assert.ok(a < b && b < n, `bad edge ${a}-${b}`);
      assert.equal(new Set(edges.map(String)).size, edges.length, 'duplicate edges');
      const d = degrees(n, edges);
      assert.ok(Math.min(...d) >= Math.min(k, n - 1), `a node has ${Math.min(...d)} links under random:${k}`);
    }),
  );
});

test('random:0, and random:1 that cannot connect, are refused', () => {
  refuses(
    () => buildTopology({ kind: 'random', k: 0 }, 5, createRng(seed, 0)),
    /random:0 cannot connect 5 nodes/,
  );
  assert.deepEqual(buildTopology({ kind: 'random', k: 0 }, 1, createRng(seed, 0)), []);
  // A generator that makes node 2i and 2i + 1 choose each other (each node draws once under random:1, in
  // order): every draw is the same perfect matching, never connected, and the builder gives up.
  let call = 0;
  const pairs = (): number => {
    const i = call++ % 10;
    return ((i % 2 === 0 ? i : i - 1) + 0.5) / 9;
  };
  refuses(
    () => buildTopology({ kind: 'random', k: 1 }, 10, pairs),
    new RegExp(`random:1 did not give a connected network of 10 nodes in ${RANDOM_TOPOLOGY_DRAWS} draws`),
  );
  assert.equal(call, 10 * RANDOM_TOPOLOGY_DRAWS);
});

test('the same seed gives the same topology; a different seed a different one', () => {
  const { nodes } = simNodes(30);
  const make = (s: number): readonly Edge[] =>
    makeSettings({ seed: s, nodes, topology: { kind: 'random', k: 3 } }).edges;
  assert.deepEqual(make(seed), make(seed));
  assert.notDeepEqual(make(seed), make(seed + 1), `seeds ${seed} and ${seed + 1} gave the same topology`);
});

test('a topology file: edges, settings, comments, duplicates merged', () => {
  const { ports } = simNodes(6);
  const text = [
    '# a comment',
    '5000 5003 latency=500ms bandwidth=100kB/s',
    '',
    '5001 5002   # no settings',
    '5003 5000 loss=5% jitter=2ms',
    '  5004\t5005 latency=pareto:200ms  ',
  ].join('\n');
  const { edges, links } = parseEdgeFile(text, ports);
  assert.deepEqual(edges, [
    [0, 3],
    [1, 2],
    [4, 5],
  ]);
  assert.deepEqual(links, [
    { a: 0, b: 3, latency: { kind: 'fixed', ms: 500 }, bandwidth: 100_000, loss: 0.05, jitterMs: 2 },
    { a: 4, b: 5, latency: { kind: 'pareto', meanMs: 200, shape: 5 } },
  ]);
  const settings = makeSettings({
    seed,
    nodes: simNodes(6).nodes,
    topology: { kind: 'file', path: 'x' },
    fileEdges: edges,
    links,
  });
  assert.deepEqual(settings.edges, edges);
});

test('a bad topology file names the line and what was expected', () => {
  const { ports } = simNodes(12);
  refuses(
    () => parseEdgeFile('5000 5003\n5000 5020\n', ports),
    /^line 2: unknown node 5020 \(the nodes are ports 5000-5011\)/,
  );
  refuses(() => parseEdgeFile('5000 abc', ports), /^line 1: expected a node's port, got "abc"/);
  refuses(
    () => parseEdgeFile('\n\n5000', ports),
    /^line 3: expected two ports and optional settings, like "5000 5003 latency=500ms"/,
  );
  refuses(() => parseEdgeFile('5000 latency=5ms', ports), /^line 1: expected two ports/);
  refuses(() => parseEdgeFile('5004 5004', ports), /^line 1: a link from 5004 to itself/);
  refuses(
    () => parseEdgeFile('5000 5001 speed=5', ports),
    /^line 1: expected latency=, bandwidth=, loss= or jitter= after the two ports, got "speed=5"/,
  );
  refuses(() => parseEdgeFile('5000 5001 latency=-5ms', ports), /^line 1: latency must be/);
  refuses(() => parseEdgeFile('5000 5001 loss=150%', ports), /^line 1: loss must be a probability/);
  refuses(() => parseEdgeFile('# nothing\n', ports), /lists no links/);
});

test('a links file overrides settings only, on links of the topology', () => {
  const { ports, nodes } = simNodes(4);
  const links = parseLinkOverrides('5000 5001 latency=50ms\n5001 5000 bandwidth=1MB/s\n', ports);
  assert.deepEqual(links, [{ a: 0, b: 1, latency: { kind: 'fixed', ms: 50 }, bandwidth: 1e6 }]);
  refuses(() => parseLinkOverrides('5000 5001\n', ports), /^line 1: no setting for this link/);
  assert.deepEqual(parseLinkOverrides('# none\n', ports), []);
  refuses(
    () =>
      makeSettings({
        seed,
        nodes,
        topology: { kind: 'line' },
        links: parseLinkOverrides('5000 5003 loss=1%', ports),
      }),
    /no link between 127.0.0.1:5000 and 127.0.0.1:5003 in the topology line/,
    'conflict',
  );
});
