/**
 * Every route's answers, success and error, against what `GET /openapi.json` documents for that route and
 * status, validated by a real JSON Schema validator (ajv, for JSON Schema 2020-12: the dialect of OpenAPI 3.1's
 * schemas). One regtest node with a token, through inject().
 * The test fails when an answer has no documented response for its status, when a body does not validate,
 * and when the document has a route this test never called (or never called with a failing request).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import type { InjectOptions } from 'fastify';
import {
  type Block,
  blockSubsidy,
  blockToJSON,
  decodeBlock,
  encodeTx,
  networks,
  txid,
  txToJSON,
} from '../../../src/consensus/index.ts';
import { createChain } from '../../../src/chain/chain.ts';
import { buildServer } from '../../../src/node/http/server.ts';
import { createNode } from '../../../src/node/node.ts';
import { fastVerifySchnorr } from '../../../src/node/verifier.ts';
import { bytesToHex } from '../../../src/util/bytes.ts';
import { mineOn } from '../../helpers/chain.ts';
import { silent, testScheduler } from '../../helpers/nodes.ts';
import { freePortRun } from '../../helpers/ports.ts';
import { spendTx, testKey } from '../../helpers/tx.ts';

const params = networks.regtest;
const TOKEN = 'openapi-answers-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const key = testKey('openapi answers');
const scheduler = testScheduler();
after(() => scheduler.close());

/** ajv-formats is CommonJS: its default export arrives wrapped when imported from ESM. */
const addFormats = ((addFormatsPlugin as { default?: unknown }).default ?? addFormatsPlugin) as (
  a: Ajv2020,
) => Ajv2020;

interface Operation {
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

/** Routes that take nothing (no parameter, no body, no token): there is no failing request to make. */
const NOTHING_TO_FAIL = new Set(['GET /node/id', 'GET /tips', 'GET /mempool']);

/** A valid chain of `n` blocks after genesis paying `key`, built outside the node. */
function buildChain(n: number): Block[] {
  const chain = createChain({ params, verifySchnorr: fastVerifySchnorr });
  const blocks: Block[] = [decodeBlock(params.genesisBlock)];
  for (let i = 0; i < n; i++) {
    const tip = chain.tip;
    const payout = [{ value: blockSubsidy(tip.height + 1, params), script: key.script }];
    const block = mineOn(tip, params, { time: tip.time + 1, payout });
    chain.acceptBlock(block, 2_000_000_000);
    blocks.push(block);
  }
  return blocks;
}

test('every route answers, success and error, as /openapi.json documents', async (t) => {
  const base = await freePortRun(3);
  const node = createNode({ params, pow: scheduler.addClient({ name: 'n' }), logger: silent });
  // Registered peers are free ports where nothing listens: their hellos fail at once, and reach no one.
  node.address = `127.0.0.1:${base}`;
  const app = await buildServer({ node, token: TOKEN });
  t.after(() => app.close());
  t.after(() => node.close());

  const doc = (await app.inject('/openapi.json')).json<Doc>();
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  const validators = new Map<object, ValidateFunction>();
  const validatorOf = (schema: object): ValidateFunction => {
    let v = validators.get(schema);
    if (!v) validators.set(schema, (v = ajv.compile(schema)));
    return v;
  };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      name: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      op,
    })),
  );
  const called = new Map<string, { ok: number[]; failed: number[] }>();
  const problems: string[] = [];

  /** Makes the call, checks the answer against the document, and returns it. */
  async function call(opts: InjectOptions & { url: string; method: string }, expect: 'ok' | 'error') {
    const res = await app.inject(opts);
    const path = opts.url.split('?')[0]!;
    const found = operations.find((o) => o.method === opts.method && o.pattern.test(path));
    const what = `${opts.method} ${opts.url.slice(0, 100)} answered ${res.statusCode}`;
    if (!found) {
      problems.push(`${what}: the document has no such route`);
      return res;
    }
    const seen = called.get(found.name) ?? { ok: [], failed: [] };
    (res.statusCode < 400 ? seen.ok : seen.failed).push(res.statusCode);
    called.set(found.name, seen);
    if (res.statusCode < 400 !== (expect === 'ok')) problems.push(`${what}, expected ${expect}: ${res.body}`);
    const documented = found.op.responses[String(res.statusCode)] ?? found.op.responses.default;
    if (!documented) {
      problems.push(`${what}: ${found.name} documents no ${res.statusCode} (nor default): ${res.body}`);
      return res;
    }
    const schema = documented.content?.['application/json']?.schema;
    if (!schema) return res;
    const type = String(res.headers['content-type']);
    if (!type.startsWith('application/json'))
      problems.push(`${what}: content-type ${type}, documented application/json`);
    const validate = validatorOf(schema);
    if (!validate(res.json()))
      problems.push(`${what}: body does not match the documented schema: ${ajv.errorsText(validate.errors)}`);
    return res;
  }
  const get = (url: string, expect: 'ok' | 'error', headers: Record<string, string> = {}) =>
    call({ method: 'GET', url, headers }, expect);
  const post = (
    url: string,
    payload: unknown,
    expect: 'ok' | 'error',
    headers: Record<string, string> = {},
  ) => call({ method: 'POST', url, payload: payload as string, headers }, expect);

  const genesis = node.chain.tip.hash;
  const unknownHash = 'ab'.repeat(32);

  await get('/node/id', 'ok');
  await get('/chain', 'ok');
  await get('/chain?from=1&limit=2', 'ok');
  await get('/chain?from=-1', 'error');
  await get('/chain?bogus=1', 'error');

  await get('/mine', 'error');
  await get('/mine?address=nope', 'error', auth);
  await get('/mine', 'ok', auth);

  // A longer chain from genesis replaces the node's one block; its coinbases pay `key`, so there are coins.
  const blocks = buildChain(params.coinbaseMaturity + 2);
  const chainJSON = JSON.stringify(blocks.map((b, i) => blockToJSON(b, i)));
  const replace = (body: string, expect: 'ok' | 'error', headers: Record<string, string> = auth) =>
    call({ method: 'POST', url: '/chain/replace', payload: body, headers }, expect);
  await replace(chainJSON, 'error', {});
  await replace('{"chain": 7}', 'error');
  await replace(chainJSON, 'ok');
  await replace(chainJSON, 'error');
  const forged = blocks.map((b, i) => blockToJSON(b, i));
  forged[3] = { ...forged[3]!, merkleRoot: unknownHash };
  forged.push(blockToJSON(mineOn(node.chain.tip, params), blocks.length));
  await replace(JSON.stringify(forged), 'error');

  const tip = node.chain.tip;
  await get(`/blocks/${tip.hash}`, 'ok');
  await get(`/blocks/${unknownHash}`, 'error');
  await get('/blocks/xyz', 'error');
  await get(`/blocks?locator=${genesis}&limit=3`, 'ok');
  await get('/blocks?locator=zz', 'error');
  await get('/tips', 'ok');

  const next = mineOn(tip, params, {
    payout: [{ value: blockSubsidy(tip.height + 1, params), script: key.script }],
  });
  await post('/block/new', blockToJSON(next), 'ok');
  await post('/block/new', blockToJSON(next), 'ok');
  await post(
    '/block/new',
    { ...blockToJSON(mineOn(node.chain.tip, params)), merkleRoot: unknownHash },
    'error',
  );
  await post('/block/new', { hello: 'world' }, 'error');
  await post('/block/new', '{"nonce": ', 'error');
  await get('/block/new', 'ok', auth);
  await get('/block/new', 'error');

  // Spend the first coinbase (mature now) to `key` again, with a fee.
  const coinbase = blocks[1]!.txs[0]!;
  const coin = { value: coinbase.outputs[0]!.value, script: key.script };
  const payment = spendTx(
    [{ txid: txid(coinbase), vout: 0, coin, signer: key }],
    [{ value: coin.value - 1000n, script: key.script }],
  );
  await post('/transactions/new', txToJSON(payment), 'ok');
  await post('/transactions/new', { hex: bytesToHex(encodeTx(payment)) }, 'error');
  const orphan = spendTx(
    [{ txid: unknownHash, vout: 0, coin, signer: key }],
    [{ value: 1000n, script: key.script }],
  );
  await post('/transactions/new', txToJSON(orphan), 'ok');
  await post('/transactions/new', { sender: 'a', recipient: 'b', amount: 1 }, 'error');
  await post('/transactions/new', { hex: 'zz' }, 'error');
  await get('/mempool', 'ok');

  const paymentId = txid(payment);
  await get(`/tx/${paymentId}`, 'ok');
  await get(`/tx/${txid(coinbase)}`, 'ok');
  await get(`/tx/${unknownHash}`, 'error');
  await get('/tx/123', 'error');
  await get(`/tx/${txid(coinbase)}/proof`, 'ok');
  await get(`/tx/${paymentId}/proof`, 'error');
  await get('/tx/123/proof', 'error');

  const address = node.info().miningAddress;
  for (const what of ['balance', 'utxos']) {
    await get(`/address/${address}/${what}`, 'ok');
    await get(`/address/nope/${what}`, 'error');
  }

  const peer = { id: 'cd'.repeat(16), address: `127.0.0.1:${base + 1}` };
  const register = { nodes: [peer.id], addresses: [peer.address] };
  await post('/nodes/register', register, 'error');
  await post('/nodes/register', { nodes: 'x' }, 'error', auth);
  await post('/nodes/register', register, 'ok', auth);
  await post('/peers/hello', { node: peer.id, address: peer.address, secret: 'ef'.repeat(16) }, 'ok');
  await post('/peers/hello', { node: 'x' }, 'error');

  await get('/mining/start', 'error');
  await get('/mining/start', 'ok', auth);
  await get('/mining/stop', 'ok', auth);
  await get('/mining/stop', 'error');

  await get('/shutdown', 'error');
  await get('/shutdown', 'ok', auth);

  for (const o of operations) {
    const seen = called.get(o.name);
    t.diagnostic(
      `${o.name}: ${seen ? `ok ${seen.ok.join(',') || '-'}, failed ${seen.failed.join(',') || '-'}` : 'never called'}`,
    );
    if (!seen || seen.ok.length === 0)
      problems.push(`${o.name} is documented but never answered a successful call`);
    if (NOTHING_TO_FAIL.has(o.name)) {
      if (o.op.parameters || o.op.requestBody || Object.keys(o.op.responses).some((s) => Number(s) >= 400))
        problems.push(`${o.name} takes input or documents errors: give it a failing call here`);
    } else if (!seen || seen.failed.length === 0) {
      problems.push(`${o.name} is documented but never called with a failing request`);
    }
  }
  assert.deepEqual(problems, []);
});
