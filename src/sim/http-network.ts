/**
 * The manager's routes that drive the network model and the nodes live: partition, heal, link settings, stop,
 * start and hash power. Each checks its input in full first (a bad value is 400 with the reason, an unknown node
 * 404, a conflict 409, and nothing changes), then answers the new state. Registered by http.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.ts';
import { managerSchemas as schemas } from './http-schemas.ts';
import type { Simulation } from './manager.ts';
import type { LinksChange } from './network-control.ts';
import type { NodeHandle } from './types.ts';

/** For the manager's `GET /` list. */
export const NETWORK_ENDPOINTS: Readonly<Record<string, string>> = {
  'POST /network/partition {"groups": [[5000,5001],[5002,5003]]}':
    'split the network: nothing crosses between groups (a node in no group is alone)',
  'POST /network/heal': 'end the partition; the nodes exchange tips at once',
  'POST /network/links {"from": 5000, "to": 5001, "latency": "200ms", "bandwidth": "1MB/s", "loss": 0.01, "jitter": "5ms"}':
    'link settings for one link, or every link without from/to',
  'POST /nodes/:port/stop': 'stop a node (its data stays)',
  'POST /nodes/:port/start': 'start a stopped or down node again, with its stored chain (alias: /restart)',
  'POST /nodes/:port/hash-power {"share": 40}': "the node's percent of the pool; the others share the rest",
};

export function networkRoutes(
  app: FastifyInstance,
  o: { readonly sim: Simulation; readonly auth: (req: FastifyRequest) => void },
): void {
  const { sim, auth } = o;
  const nodeAt = (req: FastifyRequest): NodeHandle => {
    const port = (req.params as { port: number }).port;
    const handle = sim.node(port);
    if (!handle) {
      const first = sim.nodes[0]?.port;
      const last = sim.nodes[sim.nodes.length - 1]?.port;
      throw HttpError.of('not-found', `no node on port ${port} (the nodes are ${first}-${last})`);
    }
    return handle;
  };
  const nodeState = (h: NodeHandle, message: string) => ({
    message,
    port: h.port,
    id: h.id,
    state: h.state,
    height: h.status?.height ?? 0,
  });

  // Path parameters are checked (and coerced) by http/schema-tools.ts; bodies by the decoders below.
  app.post('/network/partition', { schema: schemas.partition }, (req) => {
    auth(req);
    return sim.network.partition(groupsOf(req.body));
  });

  app.post('/network/heal', { schema: schemas.heal }, (req) => {
    auth(req);
    return sim.network.heal();
  });

  app.post('/network/links', { schema: schemas.links }, (req) => {
    auth(req);
    return sim.network.setLinks(linksChangeOf(req.body));
  });

  app.post('/nodes/:port/stop', { schema: schemas.stop }, async (req) => {
    auth(req);
    const h = nodeAt(req);
    if (h.state !== 'up')
      throw HttpError.of('conflict', `node ${h.port} is ${h.state}; only a node that is up can be stopped`);
    return nodeState(await sim.stopNode(h.port), 'Node stopped');
  });

  for (const path of ['/nodes/:port/start', '/nodes/:port/restart']) {
    app.post(path, { schema: schemas.start(path.endsWith('restart')) }, async (req) => {
      auth(req);
      const h = nodeAt(req);
      if (h.state === 'up' || h.state === 'starting') {
        throw HttpError.of(
          'conflict',
          `node ${h.port} is ${h.state}; only a node that is stopped or down can be started`,
        );
      }
      return nodeState(
        await sim.startNode(h.port),
        path.endsWith('restart') ? 'Node restarted' : 'Node started',
      );
    });
  }

  app.post('/nodes/:port/hash-power', { schema: schemas.hashPower }, (req) => {
    auth(req);
    const h = nodeAt(req);
    const body = req.body as { share?: unknown } | null | undefined;
    const share = body?.share;
    if (typeof share !== 'number' || !Number.isFinite(share)) {
      throw HttpError.of(
        'bad-request',
        `send {"share": <percent from 0 to 100>}, like {"share": 40}; got ${JSON.stringify(body ?? null)}`,
      );
    }
    const { shares } = sim.network.setShare(h.port, share);
    return { message: 'Hash power set', port: h.port, shares };
  });
}

/** `{"groups": [[ports], ...]}`: the shape only; which ports and groups are valid is the control's to say. */
function groupsOf(body: unknown): number[][] {
  const groups = (body as { groups?: unknown } | null)?.groups;
  if (
    !Array.isArray(groups) ||
    groups.length === 0 ||
    !groups.every((g) => Array.isArray(g) && g.every((p) => Number.isInteger(p)))
  ) {
    throw HttpError.of(
      'bad-request',
      'send {"groups": [[5000,5001,5002],[5003,5004,5005]]}: a list of groups, each a list of node ports',
    );
  }
  return groups as number[][];
}

function linksChangeOf(body: unknown): LinksChange {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw HttpError.of(
      'bad-request',
      'send {"from": 5000, "to": 5001, "latency": "200ms", "bandwidth": "1MB/s", "loss": 0.01, "jitter": "5ms"} (from/to omitted: every link)',
    );
  }
  const b = body as Record<string, unknown>;
  // Any other field is the model's to refuse (linkSettingsFrom names it).
  for (const end of ['from', 'to'] as const) {
    if (b[end] !== undefined && !Number.isInteger(b[end]))
      throw HttpError.of(
        'bad-request',
        `${end} must be a node's port (an integer), got ${JSON.stringify(b[end])}`,
      );
  }
  return b;
}
