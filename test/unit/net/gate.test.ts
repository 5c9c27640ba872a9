import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DelayQueue } from '../../../src/net/delay-queue.ts';
import { Gate, kindOf } from '../../../src/net/gate.ts';
import { type PeerClient, PeerRequestError } from '../../../src/net/peer-client.ts';
import { FakeModel, FakeTimers, flush } from '../../helpers/model.ts';

const NODES = ['127.0.0.1:5000', '127.0.0.1:5001', '127.0.0.1:5002'];
const [SELF, PEER, OTHER] = NODES as [string, string, string];

/** A PeerClient that records what reaches the wire and answers `answer` (or fails when it is an Error). */
function wire(answer: unknown = { ok: true }): PeerClient & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    request: <T>(address: string, path: string) => {
      sent.push(`${address}${path}`);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer as T);
    },
    openSockets: () => ({ total: 0, mostToOnePeer: 0 }),
    close: () => undefined,
  };
}

function gated(model: FakeModel, inner = wire()) {
  const timers = new FakeTimers();
  const queue = new DelayQueue(timers);
  const gate = new Gate(inner, { model, self: () => SELF, now: () => timers.now(), queue });
  return { gate, client: gate.client, inner, timers, queue };
}

/** Tracks whether a promise has settled yet. */
function watch<T>(p: Promise<T>): { settled: () => boolean; result: Promise<T> } {
  let done = false;
  const result = p.finally(() => (done = true));
  result.catch(() => undefined);
  return { settled: () => done, result };
}

describe('the gate: every request to a simulator node asks the model', () => {
  test('kinds: hello, the block and transaction pushes, everything else a request', () => {
    assert.equal(kindOf('/peers/hello', 'POST'), 'hello');
    assert.equal(kindOf('/block/new', 'POST'), 'block');
    assert.equal(kindOf('/transactions/new', 'POST'), 'tx');
    assert.equal(kindOf('/block/new', 'GET'), 'request');
    assert.equal(kindOf('/blocks?locator=00&limit=500'), 'request');
    assert.equal(kindOf('/node/id'), 'request');
  });

  test('a request across a partition fails as an unreachable peer, and nothing is sent', async () => {
    const model = new FakeModel(NODES, { partition: [[0], [1, 2]] });
    const { client, inner } = gated(model);
    await assert.rejects(client.request(PEER, '/node/id'), (err: unknown) => {
      assert.ok(err instanceof PeerRequestError);
      assert.equal(err.kind, 'network');
      assert.equal(err.message, `no route to ${PEER}: partitioned`);
      return true;
    });
    assert.deepEqual(inner.sent, []);
    assert.deepEqual(model.asked, [], 'no draw for a message that cannot be sent');
  });

  test('a delayed request is sent only once its delay is up', async () => {
    const model = new FakeModel(NODES, { delay: (_f, _t, kind) => (kind === 'request' ? 100 : 0) });
    const { client, inner, timers } = gated(model);
    const r = watch(client.request(PEER, '/node/id'));
    await flush();
    assert.deepEqual(inner.sent, [], 'not on the wire before its delay');
    await timers.advance(99);
    assert.deepEqual(inner.sent, []);
    await timers.advance(1);
    assert.deepEqual(inner.sent, [`${PEER}/node/id`]);
    assert.deepEqual(await r.result, { ok: true });
  });

  test('the answer passes the model too, from the peer, and its delay is applied', async () => {
    const model = new FakeModel(NODES, { delay: (_f, _t, kind) => (kind === 'answer' ? 40 : 0) });
    const { client, inner, timers } = gated(model);
    const r = watch(client.request(PEER, '/node/id'));
    await flush();
    assert.deepEqual(inner.sent, [`${PEER}/node/id`], 'sent at once');
    assert.equal(r.settled(), false, 'the answer is still on its way');
    await timers.advance(40);
    assert.equal(r.settled(), true);
    assert.deepEqual(
      model.asked.map((a) => [a.from, a.to, a.kind]),
      [
        [0, 1, 'request'],
        [1, 0, 'answer'],
      ],
    );
  });

  test('a partition that arises while a request waits fails its answer', async () => {
    const model = new FakeModel(NODES, { delay: (_f, _t, kind) => (kind === 'request' ? 10 : 0) });
    const { client, timers } = gated(model);
    const r = watch(client.request(PEER, '/node/id'));
    model.partition([[0], [1, 2]]);
    await timers.advance(10);
    await assert.rejects(r.result, /no route to 127\.0\.0\.1:5001: partitioned/);
  });

  test('a peer with no edge to this node is not reached either', async () => {
    const model = new FakeModel(NODES, { edges: [[0, 1]] });
    const { client, inner } = gated(model);
    await assert.rejects(client.request(OTHER, '/node/id'), new RegExp(`no route to ${OTHER}: not linked`));
    await client.request(PEER, '/node/id');
    assert.deepEqual(inner.sent, [`${PEER}/node/id`]);
  });

  test('a lost push is dropped silently: the sender hears nothing wrong, the peer gets nothing', async () => {
    const model = new FakeModel(NODES, { lost: (_f, to) => to === 1 });
    const { client, inner } = gated(model);
    const answer = await client.request(PEER, '/block/new', { method: 'POST', body: { hex: '00' } });
    assert.deepEqual(answer, {});
    assert.deepEqual(inner.sent, []);
    await client.request(OTHER, '/block/new', { method: 'POST', body: { hex: '00' } });
    assert.deepEqual(inner.sent, [`${OTHER}/block/new`], 'the other peer still gets it');
  });

  test('sizes are measured only when the link has a bandwidth', async () => {
    const body = { hex: 'ab'.repeat(100) };
    const free = new FakeModel(NODES);
    await gated(free).client.request(PEER, '/block/new', { method: 'POST', body });
    assert.equal(free.asked[0]!.bytes, 0);
    const limited = new FakeModel(NODES, { bandwidth: 1000 });
    await gated(limited, wire({ blocks: ['cd'.repeat(50)] })).client.request(PEER, '/block/new', {
      method: 'POST',
      body,
    });
    assert.equal(limited.asked[0]!.bytes, JSON.stringify(body).length);
    assert.equal(limited.asked[1]!.bytes, JSON.stringify({ blocks: ['cd'.repeat(50)] }).length);
  });

  test('peers outside the simulation are not gated', async () => {
    const model = new FakeModel(NODES, { partition: [[0], [1], [2]] });
    const { client, inner } = gated(model);
    await client.request('10.0.0.9:8333', '/node/id');
    assert.deepEqual(inner.sent, ['10.0.0.9:8333/node/id']);
    assert.equal(model.asked.length, 0);
  });

  test('shutdown cancels a delayed request: it fails as cancelled, and is never sent', async () => {
    const model = new FakeModel(NODES, { delay: () => 1000 });
    const { client, inner, queue } = gated(model);
    const r = watch(client.request(PEER, '/node/id'));
    await flush();
    queue.cancelAll();
    await assert.rejects(
      r.result,
      (err: unknown) => err instanceof PeerRequestError && err.kind === 'aborted',
    );
    assert.deepEqual(inner.sent, []);
  });

  test('an abort signal ends the wait', async () => {
    const model = new FakeModel(NODES, { delay: () => 1000 });
    const { client, inner } = gated(model);
    const ac = new AbortController();
    const r = watch(client.request(PEER, '/node/id', { signal: ac.signal }));
    await flush();
    ac.abort();
    await assert.rejects(
      r.result,
      (err: unknown) => err instanceof PeerRequestError && err.kind === 'aborted',
    );
    assert.deepEqual(inner.sent, []);
  });
});
