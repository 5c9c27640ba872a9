/**
 * A node's server under a flood of connections (real sockets: `inject` has none). It holds at most its cap and
 * closes the rest at once, so one node cannot use up the process's file descriptors; and a client that sends
 * half a request, or nothing, is answered 408 and closed after the headers time-out, even one that never closes
 * its own side of the connection.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { networks } from '../../../src/consensus/index.ts';
import { hostNode, type HostedNode, type HostOptions } from '../../../src/node/host.ts';
import { createNode } from '../../../src/node/node.ts';
import { freshGet, holdConnections } from '../../helpers/connections.ts';
import { eventually, silent, testScheduler } from '../../helpers/nodes.ts';

const scheduler = testScheduler();
after(() => scheduler.close());

async function host(opts: Omit<HostOptions, 'node' | 'port'>): Promise<HostedNode> {
  const node = createNode({
    params: networks.regtest,
    pow: scheduler.addClient({ name: 'n' }),
    logger: silent,
  });
  return hostNode({ node, port: 0, ...opts });
}

const connections = (hosted: HostedNode): Promise<number> =>
  new Promise((resolve, reject) =>
    hosted.app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
  );

test('40 idle connections to a node capped at 16: it holds 16, refuses a fresh request meanwhile, and answers once they close', async () => {
  const hosted = await host({ maxConnections: 16 });
  const flood = holdConnections(hosted.port, 40);
  try {
    await flood.settled;
    await eventually(() => flood.open() <= 16, 5_000).catch(() => undefined);
    assert.equal(flood.open(), 16, 'connections the node still holds');
    await eventually(async () => (await connections(hosted)) === 16, 5_000);
    const refused = await freshGet(`http://${hosted.address}/node/id`);
    assert.deepEqual(refused, { error: 'ECONNRESET' }, 'a fresh request while the node is full');
    flood.closeAll();
    await eventually(async () => (await connections(hosted)) === 0, 5_000);
    const answered = await freshGet(`http://${hosted.address}/node/id`);
    assert.equal('status' in answered && answered.status, 200, JSON.stringify(answered));
  } finally {
    flood.closeAll();
    await hosted.close();
  }
});

test('half a request, or none: 408 request-timeout after the headers time-out, and the connection is closed', async () => {
  const hosted = await host({ headersTimeoutMs: 300 });
  // Clients that ignore the server's FIN (allowHalfOpen): only the server's own close frees its descriptor.
  const partial = holdConnections(hosted.port, 1, {
    send: 'GET /node/id HTTP/1.1\r\nHost: 127.0.0.1\r\n',
    allowHalfOpen: true,
  });
  const silentClient = holdConnections(hosted.port, 1, { allowHalfOpen: true });
  // What each client received, whole (an answer may arrive in more than one chunk).
  const answers = ['', ''];
  try {
    await Promise.all([partial.settled, silentClient.settled]);
    [partial, silentClient].forEach((c, i) => c.onData((d) => (answers[i] += d)));
    await eventually(async () => (await connections(hosted)) === 2, 5_000);
    await eventually(async () => (await connections(hosted)) === 0, 5_000).catch(async () =>
      assert.fail(
        `the node still holds ${await connections(hosted)} connections; it answered ${JSON.stringify(answers)}`,
      ),
    );
    // The server has closed its side; the clients read what it wrote a moment later, on their own sockets.
    const complete = (a: string): boolean => a.includes('\r\n\r\n') && a.trimEnd().endsWith('}');
    await eventually(() => answers.every(complete), 5_000).catch(() => undefined);
    for (const a of answers) {
      assert.match(a, /^HTTP\/1\.1 408 Request Timeout\r\n/);
      assert.deepEqual(JSON.parse(a.slice(a.indexOf('\r\n\r\n') + 4)), {
        error: { code: 'request-timeout', message: 'the request did not arrive in time' },
      });
    }
    // The node itself is fine.
    const answered = await freshGet(`http://${hosted.address}/node/id`);
    assert.equal('status' in answered && answered.status, 200, JSON.stringify(answered));
  } finally {
    partial.closeAll();
    silentClient.closeAll();
    await hosted.close();
  }
});
