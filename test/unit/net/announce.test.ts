import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { decodeBlock, networks } from '../../../src/consensus/index.ts';
import { announceBlock } from '../../../src/net/announce.ts';
import { DelayQueue } from '../../../src/net/delay-queue.ts';
import { Gate } from '../../../src/net/gate.ts';
import type { PeerClient } from '../../../src/net/peer-client.ts';
import { PeerSet } from '../../../src/net/peers.ts';
import {
  type LinkPush,
  RELAY_LIMITS,
  type RelayContext,
  type RelayNode,
  SEEN_BY_HEADER,
} from '../../../src/net/protocol.ts';
import { FakeModel, FakeTimers, flush } from '../../helpers/model.ts';

const ADDRESSES = ['127.0.0.1:6000', '127.0.0.1:6001', '127.0.0.1:6002', '127.0.0.1:6003'];
const IDS = ADDRESSES.map((_, i) => String(i).repeat(32));
const BLOCK = decodeBlock(networks.regtest.genesisBlock);

/**
 * Node 0's relay context, with nodes 1..3 registered as peers. `linked`: the peers the link (port pushes) reaches;
 * the rest are pushed to over HTTP.
 */
function context(model: FakeModel | null, linked: ReadonlySet<number> = new Set([1, 2, 3])) {
  const timers = new FakeTimers();
  const pushes: LinkPush[] = [];
  const http: Array<{ address: string; seenBy: string }> = [];
  const client: PeerClient = {
    request: <T>(address: string, path: string, r?: { headers?: Record<string, string> }) => {
      if (path === '/block/new') http.push({ address, seenBy: r?.headers?.[SEEN_BY_HEADER] ?? '' });
      return Promise.resolve({} as T);
    },
    openSockets: () => ({ total: 0, mostToOnePeer: 0 }),
    close: () => undefined,
  };
  const peers = new PeerSet({ selfId: IDS[0]!, isSelf: (a) => a === ADDRESSES[0] });
  peers.register(ADDRESSES.slice(1).map((address, i) => ({ id: IDS[i + 1]!, address })));
  const queue = new DelayQueue(timers);
  const gate = model
    ? new Gate(client, { model, self: () => ADDRESSES[0]!, now: () => timers.now(), queue })
    : null;
  const tracked: Array<Promise<unknown>> = [];
  const ctx: RelayContext = {
    node: { id: IDS[0]!, log: pino({ level: 'silent' }), address: () => ADDRESSES[0]! } as RelayNode,
    peers,
    client: gate ? gate.client : client,
    link: {
      reaches: (address) => linked.has(ADDRESSES.indexOf(address)),
      push: (push) => {
        pushes.push(push);
        return Promise.resolve();
      },
    },
    gate,
    limits: RELAY_LIMITS,
    nowMs: () => timers.now(),
    track: (run) => void tracked.push(run),
  };
  return { ctx, pushes, http, timers, queue, tracked };
}

const idsOf = (indices: number[]) => indices.map((i) => IDS[i]!);

describe('announce with a network model: each target gets its own decision', () => {
  test('lost and partitioned targets get nothing and stay off the seen-by list', async () => {
    const model = new FakeModel(ADDRESSES, {
      partition: [[0, 1, 2], [3]],
      lost: (_from, to) => to === 2,
    });
    const { ctx, pushes } = context(model);
    await announceBlock(ctx, BLOCK);
    assert.deepEqual(
      model.asked.map((a) => [a.from, a.to, a.kind]),
      [
        [0, 1, 'block'],
        [0, 2, 'block'],
      ],
      'one decision per target it may reach (the partitioned one is not asked for a draw)',
    );
    assert.equal(pushes.length, 1);
    assert.deepEqual(pushes[0]!.to, [ADDRESSES[1]]);
    // Node 1 may still relay to 2 (its push was lost) and, after a heal, to 3.
    assert.deepEqual([...pushes[0]!.seenBy].sort(), idsOf([0, 1]).sort());
  });

  test('with no delay, every target goes in one push at once, without a timer', async () => {
    const model = new FakeModel(ADDRESSES);
    const { ctx, pushes, timers, tracked } = context(model);
    const done = announceBlock(ctx, BLOCK);
    assert.equal(pushes.length, 1, 'pushed synchronously');
    assert.deepEqual(pushes[0]!.to, ADDRESSES.slice(1));
    await done;
    assert.equal(timers.setCount, 0);
    assert.equal(tracked.length, 0, 'the same as without a model');
  });

  test('delayed targets are pushed when their delay is up, each with the full seen-by list', async () => {
    const model = new FakeModel(ADDRESSES, { delay: (_f, to) => (to === 1 ? 0 : to * 10) });
    const { ctx, pushes, timers, tracked } = context(model);
    void announceBlock(ctx, BLOCK);
    assert.deepEqual(
      pushes.map((p) => p.to),
      [[ADDRESSES[1]]],
    );
    await timers.advance(20);
    assert.deepEqual(
      pushes.map((p) => p.to),
      [[ADDRESSES[1]], [ADDRESSES[2]]],
    );
    await timers.advance(10);
    assert.deepEqual(
      pushes.map((p) => p.to),
      [[ADDRESSES[1]], [ADDRESSES[2]], [ADDRESSES[3]]],
    );
    for (const p of pushes) assert.deepEqual([...p.seenBy].sort(), idsOf([0, 1, 2, 3]).sort());
    assert.equal(tracked.length, 1, 'Relay.settle waits for the delayed pushes');
    await tracked[0];
  });

  test('hop by hop: never back to the sender, nor to a node on the seen-by list', async () => {
    const model = new FakeModel(ADDRESSES);
    const { ctx, pushes } = context(model);
    const sender = ctx.peers.get(IDS[1]!)!;
    await announceBlock(ctx, BLOCK, { peer: sender, seenBy: [IDS[2]!] });
    assert.deepEqual(
      pushes.map((p) => p.to),
      [[ADDRESSES[3]]],
    );
    assert.deepEqual(
      model.asked.map((a) => a.to),
      [3],
      'no decision is asked for a node that is not sent to',
    );
  });

  test('over HTTP: a blocked peer gets no request, a delayed one gets it after its delay', async () => {
    const model = new FakeModel(ADDRESSES, {
      partition: [[0, 1, 2], [3]],
      delay: (_f, to, kind) => (kind === 'block' && to === 2 ? 50 : 0),
    });
    const { ctx, http, timers } = context(model, new Set());
    const done = announceBlock(ctx, BLOCK);
    await flush();
    assert.deepEqual(
      http.map((h) => h.address),
      [ADDRESSES[1]],
    );
    await timers.advance(50);
    await done;
    assert.deepEqual(
      http.map((h) => h.address),
      [ADDRESSES[1], ADDRESSES[2]],
    );
    assert.deepEqual(http[0]!.seenBy.split(',').sort(), idsOf([0, 1, 2]).sort());
  });

  test('without a model nothing changes: one push to every peer', async () => {
    const { ctx, pushes } = context(null);
    await announceBlock(ctx, BLOCK);
    assert.equal(pushes.length, 1);
    assert.deepEqual(pushes[0]!.to, ADDRESSES.slice(1));
    assert.deepEqual([...pushes[0]!.seenBy].sort(), idsOf([0, 1, 2, 3]).sort());
  });

  test('shutdown cancels the delayed pushes: they are never sent, and the announce still ends', async () => {
    const model = new FakeModel(ADDRESSES, { delay: () => 100 });
    const { ctx, pushes, queue } = context(model);
    const done = announceBlock(ctx, BLOCK);
    queue.cancelAll();
    await done;
    assert.equal(pushes.length, 0);
  });
});
