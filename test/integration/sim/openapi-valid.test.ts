/**
 * The node's and the manager's `GET /openapi.json`, from a live 2-node simulation, are valid OpenAPI 3.1 by a
 * well-kept validator (@apidevtools/swagger-parser), and complete enough to import: every POST documents its
 * body with an example, every parameter has an example, and each example is valid for its own schema. The
 * validator checks the document's structure but takes schemas as opaque, so every schema is also compiled by
 * ajv for JSON Schema 2020-12 (3.1's dialect) in strict mode, which refuses unknown keywords such as 3.0's
 * `example`, and searched for 3.0's `nullable` (which ajv accepts as its own keyword).
 * The manager's answers to calls that change nothing, successes and errors, match its document.
 * Part of `npm test`, which .ci/run runs: CI fails on an invalid document.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startQuietSim } from '../../helpers/sim.ts';

interface Parameter {
  name: string;
  in: string;
  schema: object;
  example?: unknown;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: object; example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

/** Every route of the manager (src/sim/http.ts, http-network.ts): the document must list each one. */
const MANAGER_ROUTES = [
  'GET /',
  'GET /start/mining',
  'GET /mining/status',
  'GET /mining/start',
  'GET /mining/stop',
  'GET /nodes',
  'GET /network',
  'GET /metrics',
  'POST /network/partition',
  'POST /network/heal',
  'POST /network/links',
  'POST /nodes/{port}/stop',
  'POST /nodes/{port}/start',
  'POST /nodes/{port}/restart',
  'POST /nodes/{port}/hash-power',
  'GET /shutdown/all',
];

/** Where `schema` uses `nullable` (OpenAPI 3.0 only; 3.1 writes `type: [..., 'null']`). */
function nullablesIn(schema: unknown, at = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable') found.push(at || '/');
    // Under `properties`, keys are property names, not keywords.
    const children = key === 'properties' && value ? Object.entries(value as object) : [[key, value]];
    for (const [k, v] of children) found.push(...nullablesIn(v, `${at}/${k}`));
  }
  return found;
}

/** What is missing or wrong in a document beyond the validator's verdict. */
function problemsOf(doc: Doc): string[] {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
  const problems: string[] = [];
  const check = (where: string, schema: object, example?: unknown) => {
    for (const at of nullablesIn(schema)) problems.push(`${where}: nullable (OpenAPI 3.0) at ${at}`);
    try {
      const validate = ajv.compile(schema);
      if (example !== undefined && !validate(example))
        problems.push(`${where}: the example does not match its schema: ${ajv.errorsText(validate.errors)}`);
    } catch (err) {
      problems.push(`${where}: the schema is not JSON Schema 2020-12: ${(err as Error).message}`);
    }
  };
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const name = `${method.toUpperCase()} ${path}`;
      for (const p of op.parameters ?? []) {
        if (p.example === undefined) problems.push(`${name}: parameter ${p.name} has no example`);
        check(`${name} parameter ${p.name}`, p.schema, p.example);
      }
      const body = op.requestBody?.content['application/json'];
      if (method === 'post' && body?.example === undefined)
        problems.push(`${name}: no request body with an example`);
      if (body) check(`${name} body`, body.schema, body.example);
      for (const [status, r] of Object.entries(op.responses)) {
        for (const [type, media] of Object.entries(r.content ?? {}))
          if (media.schema) check(`${name} ${status} ${type}`, media.schema);
      }
    }
  }
  return problems;
}

const operationsOf = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
  );

test('the node and the manager serve valid, complete OpenAPI 3.1 documents', async () => {
  const run = await startQuietSim(2);
  try {
    const node = run.sim.nodes[0]!;
    const docs = {
      node: (await (await fetch(`http://${node.address}/openapi.json`)).json()) as Doc,
      manager: (await (await fetch(`${run.managerUrl}/openapi.json`)).json()) as Doc,
    };
    for (const [name, doc] of Object.entries(docs)) {
      assert.equal(doc.openapi, '3.1.0', name);
      // The validator dereferences the document in place: it gets a copy.
      await assert.doesNotReject(SwaggerParser.validate(structuredClone(doc) as never), name);
      assert.deepEqual(problemsOf(doc), [], name);
    }
    assert.deepEqual(operationsOf(docs.manager).sort(), [...MANAGER_ROUTES].sort());
    // The manager's answers are what its document says, for calls that change nothing (the node's are
    // checked route by route in test/integration/node/openapi-answers.test.ts).
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    const calls: Array<[method: string, path: string, body?: string]> = [
      ['GET', '/'],
      ['GET', '/mining/status'],
      ['GET', '/nodes'],
      ['GET', '/network'],
      ['GET', '/start/mining?count=0'],
      ['GET', '/mining/start?duration=-1'],
      ['POST', '/nodes/1/stop', '{}'],
      ['POST', '/network/partition', '{"groups": 7}'],
      ['POST', '/nodes/{port}/hash-power', '{"share": "all"}'],
    ];
    for (const [method, url, body] of calls) {
      const path = url.replace('{port}', String(node.port));
      const res = await fetch(`${run.managerUrl}${path}`, {
        method,
        ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}),
      });
      const route = url.split('?')[0]!.replace('/1/', '/{port}/');
      const schema =
        docs.manager.paths[route]?.[method.toLowerCase()]?.responses[String(res.status)]?.content?.[
          'application/json'
        ]?.schema;
      assert.ok(schema, `${method} ${url} answered ${res.status}, which its document does not list`);
      const validate = ajv.compile(schema);
      assert.ok(validate(await res.json()), `${method} ${url}: ${ajv.errorsText(validate.errors)}`);
    }
    // The node's examples are its network's real values: the hash is its genesis block's.
    const hash = docs.node.paths['/blocks/{hash}']!.get!.parameters![0]!.example;
    const chain = (await (await fetch(`http://${node.address}/chain?limit=1`)).json()) as {
      chain: Array<{ hash: string }>;
    };
    assert.equal(hash, chain.chain[0]!.hash);
  } finally {
    await run.shutdown();
  }
});
