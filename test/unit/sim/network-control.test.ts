/**
 * The manager's control of the network model on a fake node list: partition, heal and link changes tell every
 * up node (with the peers whose link just came back), a bad value changes nothing, and hash-power shares are
 * renormalised and reach each node's pool client.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ModelError } from '../../../src/net/model/index.ts';
import type { ManagerMessage } from '../../../src/node/worker-protocol.ts';
import { SimulationError } from '../../../src/sim/errors.ts';
import {
  type ControlledNode,
  createNetworkControl,
  type NetworkChange,
} from '../../../src/sim/network-control.ts';
import { renormaliseShares } from '../../../src/sim/shares.ts';
import type { ModelOptions, NodeState } from '../../../src/sim/types.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

interface FakeNode extends ControlledNode {
  state: NodeState;
  readonly setShares: number[];
}

function fakeNodes(n: number, base = 5000): FakeNode[] {
  return Array.from({ length: n }, (_, index) => {
    const setShares: number[] = [];
    return {
      index,
      port: base + index,
      address: `127.0.0.1:${base + index}`,
      state: 'up',
      share: 100 / n,
      pow: { setShare: (s: number) => setShares.push(s) },
      setShares,
    };
  });
}

function control(n: number, model: ModelOptions = {}) {
  const nodes = fakeNodes(n);
  const sent: Array<{ port: number; msg: Extract<ManagerMessage, { type: 'network' }> }> = [];
  const events: NetworkChange[] = [];
  const c = createNetworkControl({
    model: { seed: 7, ...model },
    nodes,
    send: (node, msg) => {
      if (msg.type === 'network') sent.push({ port: node.port, msg });
    },
    emit: (e) => events.push(e),
    now: () => 1234,
  });
  return { c, nodes, sent, events };
}

const reconnectOf = (sent: ReturnType<typeof control>['sent'], port: number): string[] =>
  [...(sent.find((s) => s.port === port)?.msg.reconnect ?? [])].sort();

const rejects = (fn: () => unknown, code: 'bad-value' | 'conflict', pattern: RegExp): void =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ModelError, String(err));
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });

describe('NetworkControl', () => {
  test('defaults: random:8 is the full mesh for 6 nodes; the seed is kept, and random when none is given', () => {
    const { c } = control(6);
    const view = c.view();
    assert.equal(view.seed, 7);
    assert.equal(view.topology.spec, 'random:8');
    assert.equal(view.topology.edges.length, 15);
    assert.deepEqual(c.neighbours(5000), [5001, 5002, 5003, 5004, 5005]);
    assert.equal(view.partition, null);
    assert.deepEqual(view.links.overrides, []);
    assert.equal(view.links.defaults.loss, 0);
    const unseeded = createNetworkControl({ nodes: fakeNodes(3), send: () => {}, emit: () => {} });
    assert.ok(Number.isSafeInteger(unseeded.seed) && unseeded.seed >= 0);
  });

  test('a ring of 5: each node has its two neighbours', () => {
    const { c } = control(5, { topology: { kind: 'ring' } });
    assert.deepEqual(c.neighbours(5000), [5001, 5004]);
    assert.deepEqual(c.neighbours(5002), [5001, 5003]);
    assert.equal(c.view().topology.edges.length, 5);
  });

  test('a partition tells every up node, blocks the links across, and a heal lists exactly the links back', () => {
    const { c, nodes, sent, events } = control(6);
    nodes[5]!.state = 'stopped';
    const view = c.partition([
      [5000, 5001, 5002],
      [5003, 5004, 5005],
    ]);
    assert.deepEqual(view.partition, [
      [5000, 5001, 5002],
      [5003, 5004, 5005],
    ]);
    assert.deepEqual(events, [{ kind: 'partition', at: 1234 }]);
    // Every up node heard, with nothing to reconnect; the stopped node did not.
    assert.deepEqual(
      sent.map((s) => s.port),
      [5000, 5001, 5002, 5003, 5004],
    );
    assert.ok(sent.every((s) => s.msg.reconnect.length === 0 && s.msg.settings === c.settings));
    assert.equal(c.reachable(5000, 5001), true);
    assert.equal(c.reachable(5000, 5003), false);
    assert.equal(c.groupOf(5004), 1);
    assert.equal(c.groupOf(5000), 0);

    sent.length = 0;
    const healed = c.heal();
    assert.equal(healed.partition, null);
    assert.deepEqual(events.at(-1), { kind: 'heal', at: 1234 });
    assert.equal(c.groupOf(5004), null);
    // 5000 gets back its links to the other side (5005 is stopped but its link is back too).
    assert.deepEqual(reconnectOf(sent, 5000), ['127.0.0.1:5003', '127.0.0.1:5004', '127.0.0.1:5005']);
    assert.deepEqual(reconnectOf(sent, 5004), ['127.0.0.1:5000', '127.0.0.1:5001', '127.0.0.1:5002']);
    assert.equal(
      sent.find((s) => s.port === 5005),
      undefined,
    );
  });

  test('a node in no group is alone; a partition can replace another, reconnecting what the new one joins', () => {
    const { c, sent } = control(4);
    c.partition([[5000, 5001], [5002]]);
    assert.equal(c.groupOf(5003), null);
    assert.equal(c.reachable(5002, 5003), false);
    sent.length = 0;
    c.partition([[5000, 5001, 5002, 5003]]);
    assert.deepEqual(reconnectOf(sent, 5003), ['127.0.0.1:5000', '127.0.0.1:5001', '127.0.0.1:5002']);
    assert.deepEqual(reconnectOf(sent, 5000), ['127.0.0.1:5002', '127.0.0.1:5003']);
  });

  test('bad partitions and a heal without one change nothing and tell nobody', () => {
    const { c, sent, events } = control(6);
    const before = c.view();
    rejects(
      () =>
        c.partition([
          [5000, 5001],
          [5001, 5002],
        ]),
      'bad-value',
      /5001/,
    );
    rejects(() => c.partition([[5000, 9999]]), 'bad-value', /9999.*5000-5005/);
    rejects(() => c.partition([[5000], []]), 'bad-value', /empty/);
    rejects(() => c.heal(), 'conflict', /no partition/);
    assert.deepEqual(c.view(), before);
    assert.deepEqual([sent.length, events.length], [0, 0]);
  });

  test('links: the defaults for every link, or an override for one (merged), with units in the view', () => {
    const { c, sent, events } = control(4);
    let view = c.setLinks({ latency: '50ms', bandwidth: '1MB/s' });
    assert.deepEqual(view.links.defaults, { latency: '50ms', bandwidth: '1MB/s', loss: 0, jitterMs: 0 });
    assert.equal(sent.length, 4);
    assert.ok(sent.every((s) => s.msg.reconnect.length === 0));
    view = c.setLinks({ from: 5003, to: 5000, latency: '500ms' });
    view = c.setLinks({ from: 5000, to: 5003, loss: 0.05 });
    assert.deepEqual(view.links.overrides, [
      { from: 5000, to: 5003, latency: '500ms', bandwidth: '1MB/s', loss: 0.05, jitterMs: 0 },
    ]);
    assert.deepEqual(c.settings.links, [{ a: 0, b: 3, latency: { kind: 'fixed', ms: 500 }, loss: 0.05 }]);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['links', 'links', 'links'],
    );
  });

  test('bad link changes change nothing: negative latency, one end only, unknown port, a pair with no link', () => {
    const { c, sent } = control(5, { topology: { kind: 'ring' } });
    const before = c.view();
    rejects(() => c.setLinks({ latency: '-5ms' }), 'bad-value', /latency/);
    rejects(() => c.setLinks({ loss: 2 }), 'bad-value', /loss/);
    rejects(() => c.setLinks({ from: 5000, latency: '5ms' }), 'bad-value', /both "from" and "to"/);
    rejects(() => c.setLinks({ from: 5000, to: 6000, latency: '5ms' }), 'bad-value', /6000/);
    rejects(() => c.setLinks({ from: 5000, to: 5000, latency: '5ms' }), 'bad-value', /two nodes/);
    rejects(() => c.setLinks({ from: 5000, to: 5002, latency: '5ms' }), 'conflict', /share no link.*ring/);
    rejects(() => c.setLinks({ from: 5000, to: 5001 }), 'bad-value', /at least one of latency/);
    rejects(() => c.setLinks({ speed: 'fast' } as never), 'bad-value', /speed/);
    assert.deepEqual(c.view(), before);
    assert.equal(sent.length, 0);
  });

  test('a node that starts again: it and its reachable up neighbours hear the link is back', () => {
    const { c, nodes, sent, events } = control(5, { topology: { kind: 'ring' } });
    c.partition([[5000, 5001, 5002, 5003], [5004]]);
    nodes[1]!.state = 'stopped';
    sent.length = 0;
    // 5000's neighbours are 5001 (stopped) and 5004 (partitioned away): nobody to reconnect.
    c.nodeStarted(5000);
    assert.deepEqual(
      sent.map((s) => [s.port, [...s.msg.reconnect]]),
      [[5000, []]],
    );
    sent.length = 0;
    nodes[1]!.state = 'up';
    c.nodeStarted(5001);
    assert.deepEqual(reconnectOf(sent, 5000), ['127.0.0.1:5001']);
    assert.deepEqual(reconnectOf(sent, 5002), ['127.0.0.1:5001']);
    assert.deepEqual(reconnectOf(sent, 5001), ['127.0.0.1:5000', '127.0.0.1:5002']);
    assert.deepEqual(
      events.slice(-2).map((e) => e.kind),
      ['start', 'start'],
    );
    c.nodeStopped(5001);
    assert.equal(events.at(-1)?.kind, 'stop');
  });

  test('hash power: the node gets its share, the others keep their proportions, each pool client follows', () => {
    const { c, nodes } = control(4);
    nodes.forEach((n, i) => (n.share = [40, 30, 20, 10][i]!));
    const view = c.setShare(5000, 70);
    assert.deepEqual(
      view.shares.map((s) => s.share),
      [70, 15, 10, 5],
    );
    assert.deepEqual(
      nodes.map((n) => n.setShares.at(-1)),
      [70, 15, 10, 5],
    );
    c.setShare(5003, 0);
    assert.equal(nodes[3]!.share, 0);
    assert.deepEqual(nodes[3]!.setShares.at(-1), 0);
    rejects(() => c.setShare(5000, -1), 'bad-value', /0 to 100/);
    rejects(() => c.setShare(5000, 101), 'bad-value', /0 to 100/);
    rejects(() => c.setShare(5000, Number.NaN), 'bad-value', /0 to 100/);
    rejects(() => c.setShare(9999, 10), 'bad-value', /9999/);
  });

  test('a share of 0 for every node is refused, and changes nothing', () => {
    const { c, nodes } = control(2);
    c.setShare(5000, 0);
    assert.deepEqual(
      nodes.map((n) => n.share),
      [0, 100],
    );
    rejects(() => c.setShare(5001, 0), 'bad-value', /every node at 0/);
    assert.deepEqual(
      nodes.map((n) => n.share),
      [0, 100],
    );
    // The only node with hash power has all of it, whatever it is given: the others have no proportions to keep.
    c.setShare(5001, 40);
    assert.deepEqual(
      nodes.map((n) => n.share),
      [0, 100],
    );
    c.setShare(5000, 30);
    assert.deepEqual(
      nodes.map((n) => n.share),
      [30, 70],
    );
  });

  test('shares: property: they sum to 100, the node has its share, the others keep their ratios', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 12 }),
        fc.nat(),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (weights, pick, share) => {
          const total = weights.reduce((a, b) => a + b, 0);
          fc.pre(total > 0);
          const shares = weights.map((w) => (w * 100) / total);
          const i = pick % shares.length;
          const others = total - weights[i]!;
          fc.pre(others > 0 || share > 0);
          const next = renormaliseShares(shares, i, share);
          assert.ok(Math.abs(next.reduce((a, b) => a + b, 0) - 100) < 1e-9);
          if (others === 0) return assert.equal(next[i], 100);
          assert.equal(next[i], share);
          for (const [j, s] of next.entries()) {
            if (j === i) continue;
            assert.ok(Math.abs(s - (shares[j]! * (100 - share)) / ((others * 100) / total)) < 1e-9);
          }
        },
      ),
    );
  });

  test('options the model refuses are a SimulationError naming the problem', () => {
    assert.throws(
      () =>
        createNetworkControl({
          model: { seed: 1, partition: [[0, 1], [1]] },
          nodes: fakeNodes(3),
          send: () => {},
          emit: () => {},
        }),
      (err: unknown) => err instanceof SimulationError && /network model/.test(err.message),
    );
    assert.throws(
      () =>
        createNetworkControl({
          model: { seed: 1, topology: { kind: 'random', k: 0 } },
          nodes: fakeNodes(3),
          send: () => {},
          emit: () => {},
        }),
      SimulationError,
    );
  });
});
