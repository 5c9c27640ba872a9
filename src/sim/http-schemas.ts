/**
 * Schemas of the manager's routes (http.ts, http-network.ts), for `GET /openapi.json`: querystrings and path
 * parameters are checked by http/schema-tools.ts, bodies by the routes' own decoders. Examples are real values
 * for a simulation started with the defaults (manager on 4999, nodes from 5000).
 */
import { errorResponseSchema } from '../http/errors.ts';
import { NO_BODY } from '../http/schema-tools.ts';

/** The port of the first node of a simulation started with the defaults. */
const PORT_EXAMPLE = 5000;

const message = { type: 'object', properties: { message: { type: 'string' } } } as const;
const errors = { 400: errorResponseSchema, 401: errorResponseSchema } as const;
const nodeErrors = { ...errors, 404: errorResponseSchema, 409: errorResponseSchema } as const;
const notStarted = { 503: errorResponseSchema } as const;

/** What /network/partition, /heal and /links answer: the model's view (network-control.ts NetworkModelView). */
const modelView = {
  type: 'object',
  properties: {
    seed: { type: 'integer' },
    topology: { type: 'object' },
    partition: {
      type: ['array', 'null'],
      items: { type: 'array', items: { type: 'integer' } },
      description: 'groups of ports; null: no partition',
    },
    links: { type: 'object' },
    shares: {
      type: 'array',
      items: { type: 'object', properties: { node: { type: 'integer' }, share: { type: 'number' } } },
    },
  },
} as const;

export const portParams = {
  type: 'object',
  properties: {
    port: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      description: "the node's port",
      examples: [PORT_EXAMPLE],
    },
  },
  required: ['port'],
} as const;

/** The state of one node after /nodes/:port/stop, start or restart. */
const nodeStateAnswer = {
  type: 'object',
  properties: {
    message: { type: 'string' },
    port: { type: 'integer' },
    id: { type: 'string' },
    state: { type: 'string', enum: ['starting', 'up', 'down', 'stopped'] },
    height: { type: 'integer' },
  },
} as const;

export const managerSchemas = {
  root: {
    summary: 'What this manager runs, and its endpoints',
    response: {
      200: {
        type: 'object',
        properties: {
          message: { type: 'string' },
          network: { type: 'string' },
          nodes: { type: 'array', items: { type: 'string' } },
          endpoints: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  },
  startMining: {
    summary: "Send GET /mine to the nodes in turn (the old project's walkthrough)",
    description: 'With wait=false the answer is 202 at once; GET /mining/status shows the progress.',
    querystring: {
      type: 'object',
      properties: {
        count: {
          type: 'integer',
          minimum: 1,
          maximum: 10_000,
          description: 'requests (default: one per node)',
          examples: [2],
        },
        interval: {
          type: 'string',
          description: 'seconds between requests: min-max, one number, or 0',
          examples: ['0-1'],
        },
        wait: {
          type: 'boolean',
          default: true,
          description: 'answer when every request is done',
          examples: [true],
        },
      },
      additionalProperties: false,
    },
    response: {
      200: {
        type: 'object',
        properties: {
          message: { type: 'string' },
          requests: { type: 'integer' },
          blocks: { type: 'array', items: { type: 'object' } },
          errors: { type: 'array', items: { type: 'object' } },
        },
      },
      202: {
        type: 'object',
        properties: {
          message: { type: 'string' },
          requests: { type: 'integer' },
          status: { type: 'string' },
        },
      },
      ...errors,
      409: errorResponseSchema,
      ...notStarted,
    },
  },
  miningStatus: {
    summary: 'Progress of the last /start/mining',
    response: {
      200: {
        type: 'object',
        properties: {
          running: { type: 'boolean' },
          requests: { type: 'integer' },
          sent: { type: 'integer' },
          completed: { type: 'integer' },
          blocks: { type: 'array', items: { type: 'object' } },
          errors: { type: 'array', items: { type: 'object' } },
        },
      },
    },
  },
  miningStart: (maxDuration: number) => ({
    summary: 'Continuous mining on every node, by hash-power share',
    querystring: {
      type: 'object',
      properties: {
        duration: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: maxDuration,
          description: 'seconds; without it, until GET /mining/stop',
          examples: [10],
        },
      },
      additionalProperties: false,
    },
    response: {
      200: {
        type: 'object',
        properties: {
          message: { type: 'string' },
          nodes: { type: 'integer' },
          duration: { type: ['number', 'null'] },
        },
      },
      ...errors,
      ...notStarted,
    },
  }),
  miningStop: { summary: 'Stop continuous mining', response: { 200: message, ...errors } },
  nodes: {
    summary: 'Each node: id, address, status, height, tip, hash rate, blocks mined',
    response: {
      200: {
        type: 'object',
        properties: {
          nodes: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' } } } },
        },
      },
    },
  },
  network: {
    summary:
      'Agreement, tips, stale blocks, forks, reorgs, propagation, revenue; topology, partition, links, shares',
    description: 'The metrics are described in docs/results.md.',
    response: {
      200: { type: 'object', properties: { agree: { type: 'boolean' }, nodesUp: { type: 'integer' } } },
    },
  },
  metrics: {
    summary: 'Prometheus metrics',
    produces: 'text/plain',
    response: { 200: { type: 'string', description: 'the Prometheus text format' } },
  },
  shutdownAll: {
    summary: 'Stop every node, confirm each exited, then the manager',
    response: {
      200: {
        type: 'object',
        properties: {
          message: { type: 'string' },
          nodes: { type: 'array', items: { type: 'object' } },
          results: { type: ['string', 'null'] },
        },
      },
      ...errors,
    },
  },
  partition: {
    summary: 'Split the network: nothing crosses between groups (a node in no group is alone)',
    body: {
      type: 'object',
      properties: {
        groups: {
          type: 'array',
          items: { type: 'array', items: { type: 'integer', description: 'a node port' } },
        },
      },
      required: ['groups'],
      examples: [{ groups: [[5000], [5001]] }],
    },
    response: { 200: modelView, ...errors },
  },
  heal: {
    summary: 'End the partition; the nodes exchange tips at once',
    body: NO_BODY,
    response: { 200: modelView, ...errors },
  },
  links: {
    summary: 'Link settings for one link (from and to), or for every link (neither)',
    body: {
      type: 'object',
      properties: {
        from: { type: 'integer', description: 'a node port' },
        to: { type: 'integer', description: 'a node port' },
        latency: { type: 'string', description: 'like 200ms or 1s' },
        bandwidth: { type: 'string', description: 'like 1MB/s' },
        loss: { type: 'number', minimum: 0, maximum: 1 },
        jitter: { type: 'string', description: 'like 5ms' },
      },
      examples: [{ from: 5000, to: 5001, latency: '200ms', bandwidth: '1MB/s', loss: 0.01, jitter: '5ms' }],
    },
    response: { 200: modelView, ...errors },
  },
  stop: {
    summary: 'Stop a node (its data stays)',
    params: portParams,
    body: NO_BODY,
    response: { 200: nodeStateAnswer, ...nodeErrors },
  },
  start: (restart: boolean) => ({
    summary: restart
      ? 'Start a stopped or down node again (alias of /nodes/{port}/start)'
      : 'Start a stopped or down node again, with its stored chain',
    params: portParams,
    body: NO_BODY,
    response: { 200: nodeStateAnswer, ...nodeErrors },
  }),
  hashPower: {
    summary: "Set the node's percent of the pool; the others share the rest",
    params: portParams,
    body: {
      type: 'object',
      properties: { share: { type: 'number', minimum: 0, maximum: 100, description: 'percent' } },
      required: ['share'],
      examples: [{ share: 40 }],
    },
    response: {
      200: {
        type: 'object',
        properties: { message: { type: 'string' }, port: { type: 'integer' }, shares: { type: 'array' } },
      },
      ...nodeErrors,
    },
  },
} as const;
