import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rehearseBlockPath } from '../../../src/node/rehearsal.ts';
import { eventually } from '../../helpers/nodes.ts';

const tcpHandles = (): string[] =>
  (process as unknown as { getActiveResourcesInfo(): string[] })
    .getActiveResourcesInfo()
    .filter((h) => h.startsWith('TCP'));

test('the block path rehearsal mines and relays two blocks between scratch nodes, then closes them', async () => {
  assert.deepEqual(tcpHandles(), []);
  // It rejects if a scratch node answers an error or the receiving node does not reach height 2.
  await rehearseBlockPath();
  // Nothing is left running, so the worker that rehearses can end: its servers and sockets close.
  await eventually(() => tcpHandles().length === 0, 2000);
});
