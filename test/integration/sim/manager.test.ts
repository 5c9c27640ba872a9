import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pino, { type Logger } from 'pino';
import { blockWork, networks, type Transaction, txid, txToJSON } from '../../../src/consensus/index.ts';
import { buildManagerServer } from '../../../src/sim/http.ts';
import { createSimulation, nodeDataDir, type NodeRelay, SimulationError } from '../../../src/sim/manager.ts';
import { type RunningSimulation } from '../../../src/sim/run.ts';
import { silentLogger } from '../../../src/runtime/logger.ts';
import { buildPayment, walletFromSecret, type WalletUtxo } from '../../../src/wallet/wallet.ts';
import { runCli } from '../../helpers/cli.ts';
import { eventually } from '../../helpers/nodes.ts';
import { freePortRun, portFree } from '../../helpers/ports.ts';
import { startQuietSim } from '../../helpers/sim.ts';

async function start(
  nodes: number,
  extra: {
    hashPower?: number[];
    dataDir?: string;
    base?: number;
    logger?: Logger;
    relay?: NodeRelay;
    reindex?: boolean;
  } = {},
): Promise<RunningSimulation> {
  const { base, ...rest } = extra;
  return startQuietSim(nodes, { ...(base !== undefined ? { port: base } : {}), ...rest });
}

const get = async <T>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T };
};

describe('the network manager', () => {
  test('a crashed node is noticed, marked down, the rest keep running; restart reloads it and it catches up', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chainsim-sim-'));
    const run = await start(3, { dataDir });
    const { sim, managerUrl } = run;
    try {
      const [a, b, c] = sim.nodes as [(typeof sim.nodes)[0], (typeof sim.nodes)[0], (typeof sim.nodes)[0]];
      const id = c.id;
      // The thread dies (as a crash would).
      await c.worker!.terminate();
      await eventually(() => c.state === 'down');
      const nodes = await get<{ nodes: Array<{ port: number; status: string }> }>(`${managerUrl}/nodes`);
      assert.deepEqual(
        nodes.body.nodes.map((n) => n.status),
        ['up', 'up', 'down'],
      );
      // The others keep mining and agreeing.
      for (let i = 0; i < 3; i++) assert.equal((await fetch(`http://${a.address}/mine`)).status, 200);
      assert.equal((await get<{ height: number }>(`http://${b.address}/node/id`)).body.height, 3);
      // Restart: same id, back up, caught up from its peers.
      const restarted = await get<{ port: number; id: string }>(`${managerUrl}/nodes/${c.port}/restart`, {
        method: 'POST',
      });
      assert.equal(restarted.status, 200);
      assert.equal(restarted.body.id, id);
      const info = await get<{ node: string; height: number; tip: string }>(`http://${c.address}/node/id`);
      assert.deepEqual([info.body.node, info.body.height], [id, 3]);
      assert.equal(info.body.tip, a.status?.tip ?? info.body.tip);
      // A node that is up cannot be restarted.
      assert.equal((await fetch(`${managerUrl}/nodes/${a.port}/restart`, { method: 'POST' })).status, 409);
    } finally {
      await run.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('running twice with the same data directory continues the same chain, with the same node ids', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chainsim-sim-'));
    try {
      const base = await freePortRun(3);
      let run = await start(2, { dataDir, base });
      const ids = run.sim.nodes.map((n) => n.id);
      for (let i = 0; i < 3; i++) await fetch(`http://${run.sim.nodes[i % 2]!.address}/mine`);
      const tip = (await get<{ tip: string; height: number }>(`http://${run.sim.nodes[1]!.address}/node/id`))
        .body;
      assert.equal(tip.height, 3);
      await run.shutdown();
      run = await start(2, { dataDir, base });
      try {
        assert.deepEqual(
          run.sim.nodes.map((n) => n.id),
          ids,
        );
        for (const n of run.sim.nodes) {
          const info = (await get<{ tip: string; height: number }>(`http://${n.address}/node/id`)).body;
          assert.deepEqual([info.height, info.tip], [3, tip.tip]);
        }
      } finally {
        await run.shutdown();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a node whose LevelDB MANIFEST is garbled is refused naming the path; --reindex repairs it in the worker', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chainsim-sim-'));
    try {
      const base = await freePortRun(2);
      let run = await start(1, { dataDir, base });
      const id = run.sim.nodes[0]!.id;
      for (let i = 0; i < 3; i++) await fetch(`http://${run.sim.nodes[0]!.address}/mine`);
      const tip = (await get<{ tip: string; height: number }>(`http://${run.sim.nodes[0]!.address}/node/id`))
        .body;
      await run.shutdown();
      const dir = nodeDataDir(dataDir, 'regtest', base + 1);
      const manifest = join(
        dir,
        readdirSync(dir).find((f) => f.startsWith('MANIFEST-'))!,
      );
      const bytes = readFileSync(manifest);
      for (let i = 8; i < 24 && i < bytes.length; i++) bytes[i]! ^= 0xff;
      writeFileSync(manifest, bytes);
      const refused = async (): Promise<void> => {
        // A node that starts anyway is stopped before the test fails.
        await (await start(1, { dataDir, base })).shutdown();
      };
      await assert.rejects(refused, (err: Error) => {
        // The worker's failure reaches the manager by its code, not by its text.
        assert.ok(err instanceof SimulationError, String(err));
        assert.equal(err.code, 'store-damaged');
        assert.ok(err.message.startsWith(`node ${base + 1}: `), err.message);
        assert.ok(err.message.includes(dir), err.message);
        assert.match(
          err.message,
          /damaged.*chainsim node reindex --data-dir \S+ --network regtest/,
          err.message,
        );
        return true;
      });
      run = await start(1, { dataDir, base, reindex: true });
      try {
        const info = (
          await get<{ tip: string; height: number }>(`http://${run.sim.nodes[0]!.address}/node/id`)
        ).body;
        assert.deepEqual([run.sim.nodes[0]!.id, info.height, info.tip], [id, 3, tip.tip]);
      } finally {
        await run.shutdown();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('start/mining with wait=false answers 202; status and metrics follow; continuous mining starts and stops', async () => {
    const run = await start(2, { hashPower: [75, 25] });
    const { sim, managerUrl } = run;
    try {
      const started = await get<{ message: string; requests: number }>(
        `${managerUrl}/start/mining?count=4&interval=0&wait=false`,
      );
      assert.equal(started.status, 202);
      assert.equal(started.body.requests, 4);
      await eventually(
        async () => (await get<{ running: boolean }>(`${managerUrl}/mining/status`)).body.running === false,
        30_000,
      );
      const status = (await get<{ completed: number; blocks: unknown[] }>(`${managerUrl}/mining/status`))
        .body;
      assert.equal(status.completed, 4);
      assert.equal(status.blocks.length, 4);
      // Requests sent back to back can make two nodes find a block at the same height within a millisecond
      // (regtest mining is instant): equal work, each keeps the block it saw first, as in Bitcoin. The next
      // block settles it.
      const view = (await get<{ agree: boolean }>(`${managerUrl}/network`)).body;
      if (!view.agree) await fetch(`http://${sim.nodes[0]!.address}/mine`);
      await eventually(async () => (await get<{ agree: boolean }>(`${managerUrl}/network`)).body.agree);
      const metrics = await (await fetch(`${managerUrl}/metrics`)).text();
      assert.match(metrics, /chainsim_blocks_mined_total\{node="\d+"\} [1-4]/);
      assert.match(metrics, /chainsim_block_propagation_seconds_count/);
      assert.match(metrics, /chainsim_hash_rate\{node=/);
      // A duration longer than a timer holds (2^31-1 ms) is refused, not cut to 1 ms; the longest is kept.
      const tooLong = await get<{ error: { code: string; message: string } }>(
        `${managerUrl}/mining/start?duration=2147484`,
      );
      assert.equal(tooLong.status, 400);
      assert.equal(tooLong.body.error.code, 'bad-request');
      assert.match(tooLong.body.error.message, /duration must be <= 2147483, got 2147484/);
      assert.equal(sim.continuous, false);
      assert.equal((await fetch(`${managerUrl}/mining/start?duration=2147483`)).status, 200);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(sim.continuous, true, 'mining stopped early');
      assert.equal((await fetch(`${managerUrl}/mining/stop`)).status, 200);
      // Continuous mining, then stop.
      assert.equal((await fetch(`${managerUrl}/mining/start`)).status, 200);
      const before = sim.nodes[0]!.status!.height;
      await eventually(() => (sim.nodes[0]!.status?.height ?? 0) >= before + 5, 60_000);
      assert.equal((await fetch(`${managerUrl}/mining/stop`)).status, 200);
      const bad = await get<{ error: { code: string } }>(`${managerUrl}/start/mining?interval=soon`);
      assert.equal(bad.status, 400);
    } finally {
      await run.shutdown();
    }
  });

  test('a transaction posted to one node is verified in its worker thread (the bundle) and relayed to the other', async () => {
    const run = await start(2);
    const { sim, managerUrl } = run;
    try {
      const [a, b] = sim.nodes as [(typeof sim.nodes)[0], (typeof sim.nodes)[0]];
      const alice = walletFromSecret(new Uint8Array(32).fill(7), networks.regtest);
      const bob = walletFromSecret(new Uint8Array(32).fill(8), networks.regtest);
      assert.equal((await fetch(`http://${a.address}/mine?address=${alice.address}`)).status, 200);
      for (let i = 0; i < networks.regtest.coinbaseMaturity; i++) {
        assert.equal((await fetch(`http://${a.address}/mine`)).status, 200);
      }
      await eventually(
        async () => (await get<{ height: number }>(`http://${b.address}/node/id`)).body.height === 101,
      );
      const { utxos } = (
        await get<{ utxos: WalletUtxo[] }>(`http://${b.address}/address/${alice.address}/utxos`)
      ).body;
      const pay = (fee: bigint) =>
        buildPayment({
          wallet: alice,
          utxos,
          to: bob.address,
          amount: 1000n,
          fee,
          auxRand: () => new Uint8Array(32),
        }).tx;
      const post = (tx: Transaction) =>
        get<{ txid?: string; error?: { code: string } }>(`http://${b.address}/transactions/new`, {
          method: 'POST',
          body: JSON.stringify(txToJSON(tx)),
          headers: { 'content-type': 'application/json' },
        });
      const forged = pay(500n);
      const script = forged.inputs[0]!.script.slice();
      script[0]! ^= 1;
      const refused = await post({ ...forged, inputs: [{ ...forged.inputs[0]!, script }] });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.error?.code, 'mandatory-script-verify-flag-failed');
      const tx = pay(500n);
      const accepted = await post(tx);
      assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
      assert.equal(accepted.body.txid, txid(tx));
      await eventually(
        async () =>
          (await get<{ mempool: { count: number } }>(`http://${a.address}/node/id`)).body.mempool.count === 1,
      );
      // b pushed it to a through the manager's ports.
      const metrics = await (await fetch(`${managerUrl}/metrics`)).text();
      assert.match(metrics, /^chainsim_port_pushes_total\{kind="tx"\} 1$/m);
    } finally {
      await fetch(`${managerUrl}/shutdown/all`).catch(() => undefined);
      await run.stopped;
    }
  });
  test("nodes push blocks to each other through the manager's ports; with relay http, over HTTP", async () => {
    for (const relay of ['ports', 'http'] as const) {
      const run = await start(3, { relay });
      try {
        const [a, ...others] = run.sim.nodes;
        const mined = (await get<{ block: { hash: string } }>(`http://${a!.address}/mine`)).body.block;
        await eventually(async () => {
          const ids = await Promise.all(
            others.map(async (n) => (await get<{ tip: string }>(`http://${n.address}/node/id`)).body.tip),
          );
          return ids.every((tip) => tip === mined.hash);
        });
        const metrics = await (await fetch(`${run.managerUrl}/metrics`)).text();
        // Over HTTP the manager sees no push: the other nodes got the block by POST /block/new.
        const pushes = /^chainsim_port_pushes_total\{kind="block"\} (\d+)$/m.exec(metrics)?.[1];
        assert.equal(pushes, relay === 'ports' ? '2' : undefined, `${relay}: ${pushes}`);
      } finally {
        await run.shutdown();
      }
    }
  });

  test("a node's status moves with each tip message: its chainwork is the new tip's, not the last status's", async () => {
    const run = await start(2);
    // Regtest never retargets: every block, genesis included, adds the same work.
    const work = blockWork(networks.regtest.powLimitBits);
    const seen: Array<{ height: number; statusHeight: number; chainwork: bigint }> = [];
    run.sim.on('tip', (node, tip) => {
      const status = node.status!;
      seen.push({
        height: tip.height,
        statusHeight: status.height,
        chainwork: BigInt(`0x${status.chainwork}`),
      });
    });
    try {
      const [a, b] = run.sim.nodes;
      for (let i = 0; i < 3; i++) assert.equal((await fetch(`http://${a!.address}/mine`)).status, 200);
      await eventually(() => b!.status?.height === 3);
      // Both nodes' tips, each as it was reported (status messages, once a second, could not have caught up).
      assert.ok(seen.length >= 4, `${seen.length} tip messages`);
      for (const s of seen) {
        assert.equal(s.statusHeight, s.height);
        assert.equal(s.chainwork, work * BigInt(s.height + 1), `at height ${s.height}`);
      }
    } finally {
      await run.shutdown();
    }
  });

  test('mining asked for while the nodes are starting: 503 with the reason, and nothing starts', async () => {
    // A simulation not started yet is what the manager serves between listening and introducing the nodes.
    const sim = createSimulation({
      nodes: 2,
      port: 0,
      basePort: 1,
      host: '127.0.0.1',
      network: 'regtest',
      kernel: 'js',
      logDir: null,
      logLevel: 'silent',
      logger: silentLogger(),
      dataDir: null,
    });
    const app = await buildManagerServer({ sim, onShutdown: () => undefined });
    try {
      for (const url of ['/start/mining', '/start/mining?wait=false', '/mining/start']) {
        const res = await app.inject({ url });
        assert.equal(res.statusCode, 503, url);
        const { error } = res.json<{ error: { code: string; message: string } }>();
        assert.equal(error.code, 'unavailable');
        assert.equal(error.message, 'the nodes are still starting (0 of 2 up); try again in a moment');
      }
      assert.equal(sim.miningRun, null);
      assert.equal(sim.continuous, false);
      assert.equal((await app.inject({ url: '/nodes' })).statusCode, 200);
    } finally {
      await app.close();
    }
  });

  test('GET /shutdown/all reports every node and closes every port', async () => {
    const run = await start(2);
    const ports = [run.sim.opts.port, ...run.sim.nodes.map((n) => n.port)];
    const res = await get<{ nodes: Array<{ port: number; result: string }> }>(
      `${run.managerUrl}/shutdown/all`,
    );
    assert.deepEqual(
      res.body.nodes.map((n) => n.result),
      ['exited', 'exited'],
    );
    await run.stopped;
    for (const p of ports) assert.ok(await portFree(p), `port ${p}`);
  });

  test('every node starts from a code cache made by a rehearsal of the block path, without a warning', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    const run = await start(2, { logger });
    try {
      assert.deepEqual(
        lines.filter((l) => l.level >= 40).map((l) => l.msg),
        [],
      );
      assert.ok(lines.some((l) => /^node code cache ready \(\d+ KB\), block path rehearsed$/.test(l.msg)));
      // The nodes it made run: they mine and agree.
      const [a, b] = run.sim.nodes;
      assert.equal((await fetch(`http://${a!.address}/mine`)).status, 200);
      await eventually(
        async () => (await get<{ height: number }>(`http://${b!.address}/node/id`)).body.height === 1,
      );
    } finally {
      await run.shutdown();
    }
  });

  test('a busy node port: a clear error naming the port and --base-port, and nothing left running', async () => {
    const base = await freePortRun(4);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(base + 2, '127.0.0.1', r));
    try {
      await assert.rejects(
        start(3, { base }),
        (err: unknown) =>
          err instanceof SimulationError &&
          err.code === 'address-in-use' &&
          err.message.includes(`port ${base + 2} is already in use`) &&
          err.message.includes('--base-port'),
      );
      for (const p of [base, base + 1, base + 3]) assert.ok(await portFree(p), `port ${p} left open`);
    } finally {
      blocker.close();
    }
  });

  test('a busy manager port: the CLI says so, names --port, and exits non-zero', async () => {
    const base = await freePortRun(3);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(base, '127.0.0.1', r));
    const logDir = mkdtempSync(join(tmpdir(), 'chainsim-busy-'));
    try {
      // With a log file (the manager's is opened before the port is tried), as a user runs it.
      const r = runCli(
        [
          'simulate',
          '--nodes',
          '2',
          '--port',
          String(base),
          '--base-port',
          String(base + 1),
          '--network',
          'regtest',
          '--in-memory',
          '--log-dir',
          logDir,
        ],
        {
          timeoutMs: 60_000,
        },
      );
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`port ${base} is already in use.*--port`));
      assert.doesNotMatch(r.stderr, /sonic boom|\n\s+at /i);
      assert.deepEqual(readdirSync(logDir), [], 'the run that never started left its log folder');
      assert.ok(await portFree(base + 1));
    } finally {
      blocker.close();
      rmSync(logDir, { recursive: true, force: true });
    }
  });

  test('a log folder that cannot be made: exit 2 naming --log-dir, no stack trace', async () => {
    const base = await freePortRun(2);
    const dir = mkdtempSync(join(tmpdir(), 'chainsim-logdir-'));
    try {
      writeFileSync(join(dir, 'file'), '');
      const r = runCli([
        'simulate',
        ...['--nodes', '1', '--port', String(base), '--base-port', String(base + 1)],
        ...['--network', 'regtest', '--in-memory', '--log-dir', join(dir, 'file')],
      ]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--log-dir: cannot create .*ENOTDIR/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad options exit 2 with a clear message', async () => {
    // On free ports: an option wrongly accepted must not start a simulation on the user's default ones.
    const base = await freePortRun(7);
    const cases: Array<[string[], RegExp]> = [
      [['--nodes', '3', '--hash-power', '50,50'], /--hash-power has 2 share\(s\) but --nodes is 3/],
      [['--nodes', '2', '--hash-power', '60,-10'], /positive/],
      [['--nodes', '2', '--hash-power', '60,30'], /must sum to 100; these sum to 90/],
      [['--nodes', '2', '--hash-power', 'a,b'], /comma-separated numbers/],
      [['--kernel', 'gpu'], /--kernel: unknown kernel "gpu"/],
      [['--network', 'testnet'], /--network must be one of bitcoin, sim, regtest/],
      [['--nodes', '0'], /--nodes must be a whole number from 1 to 256/],
      [['--nodes', 'abc'], /--nodes must be a whole number from 1 to 256, got "abc"/],
      [['--threads', 'many'], /--threads must be a whole number from 1 to 256, got "many"/],
      [['--base-port', '5000.5'], /--base-port must be a whole number from 1 to 65535, got 5000\.5/],
      [['--nodes', '2', '--nodes', '3'], /--nodes was given 2 times: give it once/],
      [
        ['--port', String(base + 2), '--base-port', String(base + 1)],
        new RegExp(`--port ${base + 2} collides with the node ports`),
      ],
      [['--relay', 'pigeon'], /--relay must be one of ports, http, got "pigeon"/],
    ];
    for (const [args, message] of cases) {
      const r = runCli([
        'simulate',
        ...args,
        ...(args.includes('--port') ? [] : ['--port', String(base)]),
        ...(args.includes('--base-port') ? [] : ['--base-port', String(base + 1)]),
      ]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});
