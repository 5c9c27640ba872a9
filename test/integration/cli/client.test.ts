/** The CLI's node requests over the shared HTTP client: what a user reads when a node is down, slow or refuses. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { NodeError, nodeRequest } from '../../../src/cli/client.ts';
import { requestJSON } from '../../../src/net/http-client.ts';
import { freePortRun } from '../../helpers/ports.ts';

let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ network: 'regtest' }));
    } else if (req.url === '/refused') {
      res.statusCode = 422;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: { code: 'min-relay-fee-not-met', message: 'fee 0 < 110' } }));
    } else if (req.url === '/html') {
      res.statusCode = 502;
      res.end('<html>bad gateway</html>');
    } else if (req.url === '/slow') {
      setTimeout(() => res.end('{}'), 2_000).unref();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const rejectsWith = (p: Promise<unknown>, message: string, extra: Partial<NodeError> = {}) =>
  assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof NodeError, String(err));
    assert.equal(err.message, message);
    for (const [k, v] of Object.entries(extra)) assert.equal(err[k as keyof NodeError], v);
    return true;
  });

describe('nodeRequest', () => {
  test('a JSON answer comes back parsed', async () => {
    assert.deepEqual(await nodeRequest(base, '/ok'), { network: 'regtest' });
  });

  test('a refusal names its code and message, and keeps the code and status', async () => {
    await rejectsWith(nodeRequest(base, '/refused'), 'the node refused: min-relay-fee-not-met: fee 0 < 110', {
      code: 'min-relay-fee-not-met',
      status: 422,
    });
  });

  test('an answer that is not JSON says so with its status', async () => {
    await rejectsWith(
      nodeRequest(base, '/html'),
      `${base}/html answered 502 with something that is not JSON`,
    );
  });

  test('a node that is down: the errno code and the --node hint', async () => {
    const down = `http://127.0.0.1:${await freePortRun(1)}`;
    await rejectsWith(
      nodeRequest(down, '/node/id'),
      `cannot reach the node at ${down} (ECONNREFUSED): is it running? (--node URL)`,
    );
  });

  test('a node that does not answer in time', async () => {
    await rejectsWith(
      nodeRequest(base, '/slow', { timeoutMs: 100 }),
      `cannot reach the node at ${base} (no answer within 100 ms): is it running? (--node URL)`,
    );
  });
});

test('requestJSON with readBody false gives the status and drops the body', async () => {
  assert.deepEqual(await requestJSON(`${base}/ok`, { timeoutMs: 5_000, readBody: false }), {
    status: 200,
    body: null,
  });
  assert.deepEqual(await requestJSON(`${base}/ok`, { timeoutMs: 5_000 }), {
    status: 200,
    body: { network: 'regtest' },
  });
});
