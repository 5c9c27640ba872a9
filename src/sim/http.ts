/**
 * The manager's HTTP API (default port 4999). `GET /start/mining` and `GET /shutdown/all` keep the old
 * project's paths and answers; the rest is new.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.ts';
import { collectRoutes, openApiDocument } from '../http/schema-tools.ts';
import { bearerAuth, createHttpApp } from '../http/server.ts';
import { NETWORK_ENDPOINTS, networkRoutes } from './http-network.ts';
import { managerSchemas as schemas } from './http-schemas.ts';
import type { ShutdownReport, Simulation } from './manager.ts';

export interface ManagerServerOptions {
  readonly sim: Simulation;
  /** Called after `/shutdown/all` answered, with what happened to each node. */
  readonly onShutdown: (report: ShutdownReport) => void;
}

/**
 * The longest `/mining/start?duration=` in seconds (about 24.8 days): Node's timers hold at most 2^31-1 ms and
 * fire a longer delay after 1 ms. Mining without a duration runs until `/mining/stop`.
 */
export const MAX_MINING_DURATION_S = Math.floor(0x7fffffff / 1000);

/** `?interval=min-max` in seconds, or one number; `0` means back to back. Returns milliseconds. */
export function parseInterval(value: string | undefined): [number, number] {
  if (value === undefined || value === '') return [1000, 3000];
  const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(value.trim());
  if (!m)
    throw HttpError.of(
      'bad-request',
      `interval must be seconds like 1-3, 0.5 or 0; got ${JSON.stringify(value)}`,
    );
  const min = Number(m[1]) * 1000;
  const max = m[2] === undefined ? min : Number(m[2]) * 1000;
  if (max < min) throw HttpError.of('bad-request', `interval ${value}: the maximum is below the minimum`);
  return [min, max];
}

export async function buildManagerServer(opts: ManagerServerOptions): Promise<FastifyInstance> {
  const { sim } = opts;
  // The manager listens before the nodes start (a busy port is reported at once). Mining asked for meanwhile
  // would reach only the nodes up so far, which do not know each other yet: say so instead.
  const requireStarted = (): void => {
    if (!sim.started) {
      throw HttpError.of(
        'unavailable',
        `the nodes are still starting (${sim.upNodes().length} of ${sim.nodes.length} up); try again in a moment`,
      );
    }
  };
  // Beyond loopback (a token is set), everything that starts, stops or spends anything needs the token.
  const auth = bearerAuth(sim.opts.token, 'manager');
  const app = createHttpApp({ logger: sim.log, maxConnections: sim.maxConnections, routesHint: 'GET /' });
  const routes = collectRoutes(app);

  app.get('/', { schema: schemas.root }, () => ({
    message: 'chainsim network manager',
    network: sim.opts.network,
    nodes: sim.nodes.map((n) => `http://${n.address}`),
    endpoints: {
      'GET /start/mining?count=&interval=1-3&wait=true': 'send GET /mine to the nodes in turn',
      'GET /mining/status': 'progress of the last /start/mining',
      'GET /mining/start?duration=': 'continuous mining on every node, by hash-power share',
      'GET /mining/stop': 'stop continuous mining',
      'GET /nodes': 'each node: id, address, status, height, tip, hash rate',
      'GET /network':
        'agreement, tips, stale blocks, forks, reorgs, propagation, revenue (docs/results.md); the topology, partition, link settings, shares and seed',
      'GET /metrics': 'Prometheus metrics',
      ...NETWORK_ENDPOINTS,
      'GET /shutdown/all': 'stop every node, confirm each exited, then the manager',
      'GET /openapi.json': 'this API as an OpenAPI 3.1 document (each node serves its own)',
    },
  }));

  app.get('/start/mining', { schema: schemas.startMining }, async (req, reply) => {
    auth(req);
    const q = req.query as { count?: number; interval?: string; wait: boolean };
    requireStarted();
    if (sim.miningRun?.running)
      throw HttpError.of('conflict', 'a /start/mining run is already in progress: see GET /mining/status');
    const interval = parseInterval(q.interval);
    const count = q.count ?? sim.upNodes().length;
    const { run, done } = sim.runMiningRequests(count, interval);
    if (!q.wait) {
      void done;
      return reply
        .status(202)
        .send({ message: 'Mining requests started', requests: run.requests, status: '/mining/status' });
    }
    const finished = await done;
    return {
      message: 'Mining requests sent',
      requests: finished.sent,
      blocks: finished.blocks,
      ...(finished.errors.length > 0 ? { errors: finished.errors } : {}),
    };
  });

  app.get('/mining/status', { schema: schemas.miningStatus }, () => {
    const run = sim.miningRun;
    return run ? { ...run } : { running: false, requests: 0, sent: 0, completed: 0, blocks: [], errors: [] };
  });

  app.get('/mining/start', { schema: schemas.miningStart(MAX_MINING_DURATION_S) }, (req) => {
    auth(req);
    const { duration } = req.query as { duration?: number };
    requireStarted();
    sim.startContinuous(duration);
    return { message: 'Mining started', nodes: sim.upNodes().length, duration: duration ?? null };
  });

  app.get('/mining/stop', { schema: schemas.miningStop }, (req) => {
    auth(req);
    sim.stopContinuous();
    return { message: 'Mining stopped' };
  });

  app.get('/nodes', { schema: schemas.nodes }, () => ({
    nodes: sim.nodes.map((n) => ({
      id: n.id,
      address: n.address,
      port: n.port,
      status: n.state,
      share: n.share,
      height: n.status?.height ?? null,
      tip: n.status?.tip ?? null,
      hashRate: Math.round(n.pow?.hashRate() ?? 0),
      peers: n.status?.peers ?? 0,
      mempool: n.status?.mempool ?? 0,
      // Counted by the manager's ledger, so a restart does not reset it.
      blocksMined: sim.measure.minedBy(n.port),
      mining: n.status?.mining ?? false,
      ...(n.exitCode !== null && n.state === 'down' ? { exitCode: n.exitCode } : {}),
    })),
  }));

  app.get('/network', { schema: schemas.network }, () => sim.networkView());

  app.get('/metrics', { schema: schemas.metrics }, async (_req, reply) => {
    const text = await sim.metrics.registry.metrics();
    return reply.type(sim.metrics.registry.contentType).send(text);
  });

  networkRoutes(app, { sim, auth });

  app.get('/shutdown/all', { schema: schemas.shutdownAll }, async (req, reply) => {
    auth(req);
    const report = await sim.shutdownAll();
    await reply.send({
      message: 'All nodes shut down',
      nodes: report.nodes,
      results: report.results ?? null,
    });
    setImmediate(() => opts.onShutdown(report));
    return reply;
  });

  app.get('/openapi.json', { schema: { hide: true } as never }, () =>
    openApiDocument(routes, {
      title: 'chainsim network manager',
      version: '0.1.0',
      description:
        'The manager of a chainsim simulation: mining requests as the old project sent them, continuous mining, the nodes and the network model live, metrics, shutdown.',
    }),
  );

  return app;
}
