/**
 * The committed Postman collection (docs/chainsim.postman_collection.json) is what scripts/postman.mjs writes
 * from the current documents, and runs with Postman's own runner (newman) against a live 2-node simulation:
 * every request gets an answer, none is a 5xx, and the walkthrough at the end passes its Postman tests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import newman, { type Summary } from 'newman';
import { collectionText, COLLECTION_PATH, documentsFromSimulation } from '../../../scripts/postman.mjs';
import { networks } from '../../../src/consensus/index.ts';
import { docExamples } from '../../../src/node/http/schemas.ts';
import { startQuietSim } from '../../helpers/sim.ts';

const committed = readFileSync(COLLECTION_PATH, 'utf8');

test('the committed collection is what scripts/postman.mjs generates (npm run postman)', async () => {
  assert.equal(await collectionText(await documentsFromSimulation()), committed);
});

test(
  'newman runs the collection against a live simulation: every request answers, no 5xx',
  { timeout: 180_000 },
  async (t) => {
    const run = await startQuietSim(2);
    try {
      const [a, b] = run.sim.nodes as [(typeof run.sim.nodes)[0], (typeof run.sim.nodes)[0]];
      // The simulation is regtest on free ports: the variables say so.
      const examples = docExamples(networks.regtest);
      const envVar = Object.entries({
        node: `http://${a.address}`,
        node2: `http://${b.address}`,
        manager: run.managerUrl,
        nodePort: String(a.port),
        peerAddress: b.address,
        genesisHash: examples.genesisHash,
        address: examples.address,
      }).map(([key, value]) => ({ key, value }));
      const summary = await new Promise<Summary>((resolve, reject) => {
        newman.run(
          { collection: JSON.parse(committed) as object, envVar, reporters: [], timeoutRequest: 60_000 },
          (err, s) => (err ? reject(err) : resolve(s)),
        );
      });
      const requests = (JSON.stringify(JSON.parse(committed)).match(/"request":/g) ?? []).length;
      const { executions, failures } = summary.run;
      for (const e of executions)
        t.diagnostic(`${e.response?.code ?? 'no answer'} ${e.item.name.split(':')[0]}`);
      for (const e of executions.slice(-6))
        t.diagnostic(`${e.item.name} ${e.response?.text().slice(0, 400)}`);
      assert.equal(executions.length, requests, 'every request of the collection ran');
      const problems = executions.flatMap((e) => {
        const what = `${e.item.name} (${e.request.method} ${e.request.url.toString()})`;
        if (!e.response) return [`${what}: no answer: ${e.requestError?.message}`];
        return e.response.code >= 500
          ? [`${what}: ${e.response.code} ${e.response.text().slice(0, 200)}`]
          : [];
      });
      assert.deepEqual(problems, []);
      assert.deepEqual(
        failures.map((f) => `${f.source?.name}: ${f.error.test ?? ''} ${f.error.message}`),
        [],
      );
      // The walkthrough ran last, in order; the manager's /shutdown/all ended the run.
      assert.deepEqual(
        executions.slice(-6).map((e) => e.item.name),
        ['node id', 'chain', 'start mining', 'chain on another node', 'shutdown one node', 'shutdown all'],
      );
      await run.stopped;
    } finally {
      await run.shutdown();
    }
  },
);
