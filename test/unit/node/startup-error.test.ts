/** Start-up failures keep their code across the worker boundary, and the manager words them by it. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdvertiseError } from '../../../src/net/address.ts';
import { isStoreFailure, StartupError } from '../../../src/node/startup-error.ts';
import { startFailure } from '../../../src/sim/node-worker.ts';
import { StoreError } from '../../../src/store/store.ts';

/** What the worker posts and the manager receives: the object through the structured clone postMessage uses. */
const acrossThreads = (err: unknown): StartupError =>
  StartupError.fromObject(structuredClone(StartupError.from(err).toObject()));

describe('start-up failures', () => {
  test('toObject/fromObject keep the code and the message through a structured clone', () => {
    const sent = new StartupError('store-locked', 'the database at data/x is in use by another process');
    const got = StartupError.fromObject(structuredClone(sent.toObject()));
    assert.ok(got instanceof StartupError);
    assert.deepEqual([got.code, got.message], [sent.code, sent.message]);
    assert.deepEqual(got.toObject(), sent.toObject());
  });

  test('every store kind, the listen errnos and a bad --advertise get their own code', () => {
    const kinds = ['damaged', 'locked', 'network', 'schema', 'io'] as const;
    for (const kind of kinds) {
      const got = acrossThreads(new StoreError('data/x', kind, `the store at data/x: ${kind}`));
      assert.equal(got.code, `store-${kind}`);
      assert.equal(got.message, `the store at data/x: ${kind}`);
      assert.ok(isStoreFailure(got.code));
    }
    const listen = (code: string) => Object.assign(new Error(`listen ${code}: 127.0.0.1:5000`), { code });
    assert.equal(acrossThreads(listen('EADDRINUSE')).code, 'address-in-use');
    assert.equal(acrossThreads(listen('EADDRNOTAVAIL')).code, 'address-unavailable');
    assert.equal(acrossThreads(listen('EACCES')).code, 'address-denied');
    assert.equal(acrossThreads(new AdvertiseError('give --advertise HOST')).code, 'bad-advertise');
    assert.equal(acrossThreads(new TypeError('a defect')).code, 'other');
    assert.ok(!isStoreFailure('address-in-use'));
  });

  test("the manager's message follows the code: a damaged store names the node and keeps the store's advice", () => {
    const handle = { port: 5001, index: 1 };
    const damaged = startFailure(
      handle,
      acrossThreads(
        new StoreError(
          'data/sim/node-5001',
          'damaged',
          'the database at data/sim/node-5001 is damaged (Corruption: bad record); run `chainsim node reindex --data-dir data/sim/node-5001 --network sim`',
        ),
      ),
    );
    assert.equal(damaged.code, 'store-damaged');
    assert.equal(
      damaged.message,
      'node 5001: the database at data/sim/node-5001 is damaged (Corruption: bad record); run `chainsim node reindex --data-dir data/sim/node-5001 --network sim`',
    );
    const busy = startFailure(
      handle,
      acrossThreads(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' })),
    );
    assert.equal(busy.code, 'address-in-use');
    assert.equal(
      busy.message,
      'port 5001 is already in use (node 1); choose other node ports with --base-port',
    );
    // A message that merely looks like a store failure is not taken for one: only the code counts.
    const other = startFailure(handle, acrossThreads(new Error('STORE_DAMAGED: not really')));
    assert.equal(other.message, 'node 5001 failed to start: STORE_DAMAGED: not really');
  });
});
