/**
 * The network control live, over the manager's HTTP API (the control's logic is unit-tested in
 * test/unit/sim/network-control.test.ts): each bad request is refused with its status and a reason naming the
 * problem, and changes nothing; good ones answer the new state; a topology, links or partition naming unknown
 * nodes stops the CLI before anything starts; a node stopped and started keeps its id and stored chain; a ring
 * registers only neighbours and relays hop by hop.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunningSimulation } from '../../../src/sim/run.ts';
import { runCli } from '../../helpers/cli.ts';
import { eventually } from '../../helpers/nodes.ts';
import { freePortRun, portFree } from '../../helpers/ports.ts';
import { startQuietSim } from '../../helpers/sim.ts';

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

type Link = { latency: string; bandwidth: string | null; loss: number; jitterMs: number };

/** The model's part of GET /network (network-control.ts NetworkModelView), without the live metrics. */
interface ModelPart {
  seed: number;
  topology: { spec: string; edges: Array<[number, number]> };
  partition: number[][] | null;
  links: { defaults: Link; overrides: Array<{ from: number; to: number } & Link> };
  shares: Array<{ node: number; share: number }>;
}

/** `body` is sent as JSON; `raw` as is, labelled JSON (an empty or broken body). */
function client(run: RunningSimulation) {
  const call = async (method: string, path: string, o: { body?: unknown; raw?: string } = {}) => {
    const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
    const res = await fetch(`${run.managerUrl}${path}`, {
      method,
      ...(payload === undefined ? {} : { body: payload, headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
  const model = async (): Promise<ModelPart> => {
    const { status, body } = await call('GET', '/network');
    assert.equal(status, 200);
    const { seed, topology, partition, links, shares } = body as unknown as ModelPart;
    return { seed, topology, partition, links, shares };
  };
  return { call, model, post: (path: string, o?: { body?: unknown; raw?: string }) => call('POST', path, o) };
}

test('bad requests: 400, 404 or 409 with a reason naming the problem, and nothing changed; good ones answer the new state', async () => {
  // A line a-b-c: a and c share no link.
  const run = await startQuietSim(3, { results: null, model: { seed: 7, topology: { kind: 'line' } } });
  const { post, model } = client(run);
  const [a, b, c] = run.sim.nodes.map((n) => n.port) as [number, number, number];
  const stranger = c + 100;
  const refused = async (
    path: string,
    o: { body?: unknown; raw?: string },
    status: number,
    reason: RegExp,
  ): Promise<void> => {
    const before = await model();
    const res = await post(path, o);
    const what = `${path} ${o.raw ?? JSON.stringify(o.body)}`;
    assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
    assert.match(res.body.error?.message ?? '', reason, what);
    assert.deepEqual(await model(), before, `${what} changed the model`);
  };
  try {
    const start = await model();
    assert.deepEqual(start.topology, {
      spec: 'line',
      edges: [
        [a, b],
        [b, c],
      ],
    });
    assert.equal(start.seed, 7);

    await refused(
      '/network/partition',
      { body: { groups: [[a], [b, stranger]] } },
      400,
      new RegExp(`port ${stranger} is not a node`),
    );
    await refused(
      '/network/partition',
      {
        body: {
          groups: [
            [a, b],
            [b, c],
          ],
        },
      },
      400,
      new RegExp(`node ${b} is in groups 1 and 2`),
    );
    await refused('/network/partition', { raw: '' }, 400, /empty/);
    await refused('/network/partition', { raw: 'garbage{' }, 400, /not valid JSON/);
    await refused('/network/partition', {}, 400, /"groups"/);
    await refused('/network/partition', { body: { groups: 'all' } }, 400, /"groups"/);
    await refused('/network/partition', { body: { groups: [[a], []] } }, 400, /group 2 is empty/);

    await refused('/network/links', { body: { latency: '-5ms' } }, 400, /latency .*got "-5ms"/);
    await refused('/network/links', { body: { from: a, to: b, latency: -5 } }, 400, /latency .*got -5/);
    await refused('/network/links', { body: { loss: 1.5 } }, 400, /loss must be a probability .*got 1\.5/);
    await refused(
      '/network/links',
      { body: { latency: '5ms', colour: 'red' } },
      400,
      /unknown link setting "colour"/,
    );
    await refused('/network/links', { body: {} }, 400, /at least one of latency/);
    await refused('/network/links', { body: { from: a, latency: '5ms' } }, 400, /both "from" and "to"/);
    await refused(
      '/network/links',
      { body: { from: a, to: stranger, latency: '5ms' } },
      400,
      new RegExp(`port ${stranger} is not a node`),
    );
    await refused(
      '/network/links',
      { body: { from: a, to: c, latency: '5ms' } },
      409,
      new RegExp(`${a} and ${c} share no link .*line`),
    );

    for (const action of ['stop', 'start', 'restart', 'hash-power'])
      await refused(
        `/nodes/${stranger}/${action}`,
        { body: { share: 10 } },
        404,
        new RegExp(`no node on port ${stranger}`),
      );
    await refused(`/nodes/${a}/start`, {}, 409, new RegExp(`node ${a} is up`));
    await refused(
      `/nodes/${a}/hash-power`,
      { body: { share: -1 } },
      400,
      /share must be a percentage .*got -1/,
    );
    await refused(
      `/nodes/${a}/hash-power`,
      { body: { share: 'abc' } },
      400,
      /"share".*got \{"share":"abc"\}/,
    );
    await refused(
      `/nodes/${a}/hash-power`,
      { body: { share: 101 } },
      400,
      /share must be a percentage .*got 101/,
    );

    // A share of 0 for every node, one after another: the one that would leave nobody mining is refused.
    const zero = async (port: number) =>
      (await post(`/nodes/${port}/hash-power`, { body: { share: 0 } })).body;
    assert.deepEqual((await zero(a)).shares, [
      { node: a, share: 0 },
      { node: b, share: 50 },
      { node: c, share: 50 },
    ]);
    assert.deepEqual((await zero(b)).shares, [
      { node: a, share: 0 },
      { node: b, share: 0 },
      { node: c, share: 100 },
    ]);
    await refused(`/nodes/${c}/hash-power`, { body: { share: 0 } }, 400, /every node at 0/);
    assert.deepEqual(
      (await model()).shares.map((s) => s.share),
      [0, 0, 100],
    );

    await refused('/network/heal', {}, 409, /no partition to heal/);

    // Good requests answer the new state, and GET /network shows it.
    const split = await post('/network/partition', { body: { groups: [[a], [c, b]] } });
    assert.equal(split.status, 200);
    assert.deepEqual(split.body.partition, [[a], [b, c]]);
    assert.deepEqual((await model()).partition, [[a], [b, c]]);
    await refused(
      '/network/partition',
      { body: { groups: [[a, a]] } },
      400,
      new RegExp(`node ${a} is listed twice in group 1`),
    );
    const healed = await post('/network/heal');
    assert.equal(healed.status, 200);
    assert.equal(healed.body.partition, null);

    const slow = await post('/network/links', { body: { from: b, to: a, latency: '50ms' } });
    assert.equal(slow.status, 200);
    const override = { from: a, to: b, latency: '50ms', bandwidth: null, loss: 0, jitterMs: 0 };
    assert.deepEqual((slow.body as unknown as ModelPart).links.overrides, [override]);
    const after = await model();
    assert.deepEqual(after.links, { defaults: start.links.defaults, overrides: [override] });
    assert.deepEqual([after.seed, after.topology], [start.seed, start.topology]);
  } finally {
    await run.shutdown();
  }
});

test('a topology or links file, or a partition, naming unknown nodes: the CLI exits 2 naming it, and starts nothing', async () => {
  const base = await freePortRun(4);
  const dir = mkdtempSync(join(tmpdir(), 'chainsim-model-files-'));
  const [first, last] = [base + 1, base + 3];
  try {
    const topology = join(dir, 'topology.txt');
    writeFileSync(topology, `# a line\n${first} ${first + 1}\n${first + 1} ${base + 9} latency=5ms\n`);
    const links = join(dir, 'links.txt');
    writeFileSync(links, `${first} ${base + 7} latency=5ms\n`);
    const cases: Array<[string[], string]> = [
      [['--topology', topology], `--topology ${topology}: line 3: unknown node ${base + 9}`],
      [['--links', links], `--links ${links}: line 1: unknown node ${base + 7}`],
      [['--partition', `${first}/${base + 8}`], `--partition: partition group 2: unknown node ${base + 8}`],
    ];
    for (const [args, message] of cases) {
      const r = runCli([
        'simulate',
        ...['--nodes', '3', '--port', String(base), '--base-port', String(first)],
        ...['--network', 'regtest', '--in-memory', '--log-level', 'silent', '--no-results', ...args],
      ]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.includes(message), `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`the nodes are ports ${first}-${last}`), r.stderr);
      assert.doesNotMatch(r.stdout, /starting/);
      for (let p = base; p <= last; p++) assert.ok(await portFree(p), `port ${p} left listening`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a node stopped and started keeps its id and stored chain, then catches up with what was mined meanwhile', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chainsim-stop-start-'));
  const run = await startQuietSim(3, { results: null, dataDir });
  const { call, post } = client(run);
  const [a, b, c] = run.sim.nodes.map((n) => n.port) as [number, number, number];
  const height = async (port: number): Promise<number> =>
    ((await (await fetch(`http://127.0.0.1:${port}/node/id`)).json()) as { height: number }).height;
  const states = async (): Promise<string[]> =>
    ((await call('GET', '/nodes')).body.nodes as Array<{ status: string }>).map((n) => n.status);
  try {
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`http://127.0.0.1:${a}/mine`)).status, 200);
    await eventually(async () => (await height(c)) === 3);
    const id = run.sim.nodes[2]!.id;

    const stopped = await post(`/nodes/${c}/stop`);
    assert.equal(stopped.status, 200);
    assert.deepEqual([stopped.body.state, stopped.body.id, stopped.body.height], ['stopped', id, 3]);
    assert.deepEqual(await states(), ['up', 'up', 'stopped']);
    await assert.rejects(fetch(`http://127.0.0.1:${c}/node/id`));
    assert.equal((await post(`/nodes/${c}/stop`)).status, 409);
    // The others still answer and mine; c misses block 4.
    assert.equal((await fetch(`http://127.0.0.1:${b}/mine`)).status, 200);
    assert.equal(await height(a), 4);

    // Partitioned off while down, c comes back with only what it stored: height 3, not 0 and not 4.
    await post('/network/partition', { body: { groups: [[a, b], [c]] } });
    const started = await post(`/nodes/${c}/start`);
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.deepEqual([started.body.message, started.body.state, started.body.id], ['Node started', 'up', id]);
    assert.equal(await height(c), 3);
    assert.deepEqual(await states(), ['up', 'up', 'up']);
    // Healed, it catches up.
    assert.equal((await post('/network/heal')).status, 200);
    await eventually(async () => (await height(c)) === 4, 15_000);
    const info = (await (await fetch(`http://127.0.0.1:${c}/node/id`)).json()) as { node: string };
    assert.equal(info.node, id);
  } finally {
    await run.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a ring of 5: each node is registered with its 2 neighbours only, and a block reaches all 5 hop by hop', async () => {
  const run = await startQuietSim(5, { results: null, model: { topology: { kind: 'ring' } } });
  const { model } = client(run);
  const ports = run.sim.nodes.map((n) => n.port);
  const address = (i: number): string => `127.0.0.1:${ports[(i + 5) % 5]}`;
  const info = async (port: number) =>
    (await (await fetch(`http://127.0.0.1:${port}/node/id`)).json()) as {
      height: number;
      nodes: Record<string, string>;
    };
  try {
    const edges = (await model()).topology.edges.map(([x, y]) => [Math.min(x, y), Math.max(x, y)].join('-'));
    const ring = ports.map((p, i) => [p, ports[(i + 1) % 5]!].sort((x, y) => x - y).join('-'));
    assert.deepEqual(edges.sort(), ring.sort());
    for (const [i, port] of ports.entries()) {
      const peers = Object.values((await info(port)).nodes).sort();
      assert.deepEqual(peers, [address(i - 1), address(i + 1)].sort(), `node ${port}'s peers`);
    }
    // Mined on node 0, it reaches nodes 2 and 3 only through 1 and 4.
    assert.equal((await fetch(`http://127.0.0.1:${ports[0]}/mine`)).status, 200);
    await eventually(async () =>
      (await Promise.all(ports.map(async (p) => (await info(p)).height))).every((h) => h === 1),
    );
  } finally {
    await run.shutdown();
  }
});
