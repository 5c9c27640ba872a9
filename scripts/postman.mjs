/**
 * The Postman collection (docs/chainsim.postman_collection.json, collection format v2.1) from the node's and the
 * manager's `GET /openapi.json`: `npm run postman` starts a one-node simulation of the default network (`sim`)
 * on free ports, reads both documents and writes the collection; test/integration/sim/postman.test.ts checks
 * the committed file is what this writes, and runs it with newman against a live simulation.
 *
 * Written here rather than by openapi-to-postmanv2 so that the collection is exactly this: one request per
 * operation with the documents' examples, base URLs and network-dependent values as variables, and the
 * requests that end the run (the node's /shutdown, the manager's /shutdown/all) only in the last folder, the
 * walkthrough of the README.
 */
/* global fetch -- Node's, since 18 */
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

/** @typedef {{ name: string, in: string, description?: string, example?: unknown }} Parameter */
/**
 * @typedef {object} Operation
 * @property {string} [summary]
 * @property {string} [description]
 * @property {Parameter[]} [parameters]
 * @property {{ content: Record<string, { example?: unknown }> }} [requestBody]
 */
/**
 * @typedef {object} Doc
 * @property {{ title: string, description: string }} info
 * @property {Record<string, Record<string, Operation>>} paths
 */
/** @typedef {{ node: Doc, manager: Doc }} Documents */

export const COLLECTION_PATH = fileURLToPath(import.meta.resolve('../docs/chainsim.postman_collection.json'));

const SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

/** Requests that end the run: in the walkthrough only, at its end. */
const ENDS_THE_RUN = new Set(['GET /shutdown', 'GET /shutdown/all']);

/**
 * The collection's variables, for a simulation started with the defaults (manager on 4999, nodes from 5000).
 * `genesisHash` and `address` are the network's (the documents' examples); set them for another network.
 * @param {Doc} nodeDoc
 */
function variablesOf(nodeDoc) {
  /** @param {string} path @param {string} name */
  const example = (path, name) =>
    String(Object.values(nodeDoc.paths[path] ?? {})[0]?.parameters?.find((p) => p.name === name)?.example);
  return {
    node: 'http://127.0.0.1:5000',
    node2: 'http://127.0.0.1:5001',
    manager: 'http://127.0.0.1:4999',
    nodePort: '5000',
    peerAddress: '127.0.0.1:5001',
    genesisHash: example('/blocks/{hash}', 'hash'),
    address: example('/mine', 'address'),
  };
}
/** @typedef {ReturnType<typeof variablesOf>} Variables */

/**
 * An example value as a request carries it: the variable that stands for it, or its text.
 * @param {unknown} value @param {string} name @param {Variables} vars
 */
function valueOf(value, name, vars) {
  if (name === 'port') return '{{nodePort}}';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === vars.genesisHash) return '{{genesisHash}}';
  if (text === vars.address) return '{{address}}';
  return text;
}

/** @param {string} base @param {string} path @param {string} method @param {Operation} op @param {Variables} vars */
function requestOf(base, path, method, op, vars) {
  const params = op.parameters ?? [];
  /** @param {Parameter} p */
  const entry = (p) => ({
    key: p.name,
    value: valueOf(p.example, p.name, vars),
    description: p.description ?? '',
  });
  const query = params.filter((p) => p.in === 'query').map(entry);
  const variable = params.filter((p) => p.in === 'path').map(entry);
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/^\{(.+)\}$/, ':$1'));
  const search = query.length > 0 ? `?${query.map((q) => `${q.key}=${q.value}`).join('&')}` : '';
  const example = op.requestBody?.content['application/json']?.example;
  return {
    method: method.toUpperCase(),
    header: example === undefined ? [] : [{ key: 'Content-Type', value: 'application/json' }],
    url: {
      raw: `{{${base}}}/${segments.join('/')}${search}`,
      host: [`{{${base}}}`],
      path: segments,
      ...(query.length > 0 ? { query } : {}),
      ...(variable.length > 0 ? { variable } : {}),
    },
    ...(op.description ? { description: op.description } : {}),
    // The peer in the examples is another node of the simulation: a variable, so a run can point it elsewhere.
    ...(example === undefined
      ? {}
      : {
          body: {
            mode: 'raw',
            raw: JSON.stringify(example, null, 2).replaceAll(`"${vars.peerAddress}"`, '"{{peerAddress}}"'),
            options: { raw: { language: 'json' } },
          },
        }),
  };
}

/**
 * One request per operation of a document, in the document's order, without those that end the run.
 * @param {string} name @param {string} base @param {Doc} doc @param {Variables} vars
 */
function folderOf(name, base, doc, vars) {
  const item = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const route = `${method.toUpperCase()} ${path}`;
      if (ENDS_THE_RUN.has(route)) continue;
      item.push({
        name: op.summary ? `${route}: ${op.summary}` : route,
        request: requestOf(base, path, method, op, vars),
      });
    }
  }
  return { name, description: `${doc.info.title}: ${doc.info.description}`, item };
}

/**
 * A GET of the walkthrough, with a Postman test that it answered 200 (and `checks` on its body).
 * @param {string} name @param {string} base @param {string} path @param {string[]} [checks]
 */
function step(name, base, path, checks = []) {
  return {
    name,
    event: [
      {
        listen: 'test',
        script: {
          type: 'text/javascript',
          exec: [
            `pm.test(${JSON.stringify(`${name}: 200`)}, () => pm.response.to.have.status(200));`,
            ...checks,
          ],
        },
      },
    ],
    request: {
      method: 'GET',
      header: [],
      url: { raw: `{{${base}}}${path}`, host: [`{{${base}}}`], path: path.split('/').filter(Boolean) },
    },
  };
}

/**
 * The collection from both documents (as `GET /openapi.json` answers them).
 * @param {Documents} docs
 */
export function collectionFrom({ node, manager }) {
  const vars = variablesOf(node);
  return {
    info: {
      name: 'chainsim',
      description:
        "Every route of a chainsim node and of the network manager, from their /openapi.json (OpenAPI 3.1), with the documents' examples, generated by scripts/postman.mjs. The variables fit `chainsim simulate` with the defaults (network sim, manager on 4999, nodes from 5000); for another network set genesisHash and address. Nodes and the manager bound beyond loopback need `Authorization: Bearer <token>`. The last folder is the walkthrough of the README, and ends the simulation.",
      schema: SCHEMA,
    },
    variable: Object.entries(vars).map(([key, value]) => ({ key, value })),
    item: [
      folderOf('node', 'node', node, vars),
      folderOf('manager', 'manager', manager, vars),
      {
        name: 'walkthrough',
        description:
          "The README's walkthrough: a node's id and chain, mining requests from the manager, the chain on another node, then the end of the run (one node's GET /shutdown, the manager's GET /shutdown/all).",
        item: [
          step('node id', 'node', '/node/id', [
            "pm.test('an id', () => pm.expect(pm.response.json().node).to.match(/^[0-9a-f]{32}$/));",
          ]),
          step('chain', 'node', '/chain'),
          step('start mining', 'manager', '/start/mining', [
            'const mined = pm.response.json().blocks.map((b) => b.hash);',
            "pm.test('a block from each node', () => pm.expect(mined).to.have.lengthOf(2));",
            "pm.collectionVariables.set('walkthroughBlocks', JSON.stringify(mined));",
          ]),
          step('chain on another node', 'node2', '/chain', [
            'const hashes = pm.response.json().chain.map((b) => b.hash);',
            "pm.test('both blocks mined', () => pm.expect(hashes).to.include.members(JSON.parse(pm.collectionVariables.get('walkthroughBlocks'))));",
          ]),
          step('shutdown one node', 'node', '/shutdown'),
          step('shutdown all', 'manager', '/shutdown/all'),
        ],
      },
    ],
  };
}

/**
 * The collection as the committed file holds it: formatted as `prettier --check` wants.
 * @param {Documents} docs
 */
export async function collectionText(docs) {
  const options = (await prettier.resolveConfig(COLLECTION_PATH)) ?? {};
  return prettier.format(JSON.stringify(collectionFrom(docs)), { ...options, filepath: COLLECTION_PATH });
}

/**
 * Both documents, from a one-node simulation of the default network on free ports (needs tsx's loader).
 * @returns {Promise<Documents>}
 */
export async function documentsFromSimulation() {
  const { startQuietSim } = await import('../test/helpers/sim.ts');
  const run = await startQuietSim(1, { network: 'sim' });
  try {
    /** @param {string} url @returns {Promise<Doc>} */
    const get = async (url) => /** @type {Doc} */ (await (await fetch(url)).json());
    return {
      node: await get(`http://${run.sim.nodes[0]?.address}/openapi.json`),
      manager: await get(`${run.managerUrl}/openapi.json`),
    };
  } finally {
    await run.shutdown();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(COLLECTION_PATH, await collectionText(await documentsFromSimulation()));
  process.stdout.write(`wrote ${COLLECTION_PATH}\n`);
}
