/**
 * The old README walkthrough against the real command: start 6 nodes, ask node 0 who it is and for its chain,
 * send the mining requests, check node 2's chain and that every node agrees, shut everything down, and see the
 * process exit 0. It runs on the default ports (manager 4999, nodes 5000-5005) when they are all free, as the
 * README has it; when they are busy (a simulation of the user's may be running there) it runs on a free run of
 * 7 ports with `--port` and `--base-port`, saying which, and never touches the user's.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePortRun, portFree } from '../helpers/ports.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const NODES = 6;
const DEFAULT_MANAGER_PORT = 4999;

/** The manager's port and the nodes' after it. */
const portsFrom = (manager: number): number[] => Array.from({ length: NODES + 1 }, (_, i) => manager + i);

async function busyPorts(ports: readonly number[]): Promise<number[]> {
  const busy: number[] = [];
  for (const p of ports) if (!(await portFree(p))) busy.push(p);
  return busy;
}

interface Simulator {
  readonly child: ChildProcess;
  readonly logDir: string;
  readonly exited: Promise<number | null>;
  output(): string;
  /** Kills it (by PID) if it still runs, and removes its log directory. */
  cleanUp(): void;
}

/**
 * `chainsim simulate --nodes 6` with its logs in a temporary directory: on the default ports (no port options,
 * as the README types it), or with the manager on `managerPort` and the nodes after it. Resolves once the
 * banner is printed or the process has exited (bounded).
 */
async function startSimulator(managerPort: number | 'default'): Promise<Simulator> {
  const logDir = mkdtempSync(join(tmpdir(), 'chainsim-e2e-'));
  const ports =
    managerPort === 'default' ? [] : ['--port', String(managerPort), '--base-port', String(managerPort + 1)];
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      'simulate',
      '--nodes',
      String(NODES),
      ...ports,
      '--log-dir',
      logDir,
      '--data-dir',
      join(logDir, 'data'),
      '--fresh',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const until = Date.now() + 60_000;
  while (!output.includes('Try:') && child.exitCode === null && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    logDir,
    exited,
    output: () => output,
    cleanUp: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

test(
  'README walkthrough: npm run simulate -- --nodes 6 (on the default ports when they are free)',
  { timeout: 180_000 },
  async (t) => {
    const started: Simulator[] = [];
    try {
      const busy = await busyPorts(portsFrom(DEFAULT_MANAGER_PORT));
      let managerPort = DEFAULT_MANAGER_PORT;
      if (busy.length > 0) {
        managerPort = await freePortRun(NODES + 1);
        t.diagnostic(
          `default ports in use (${busy.join(', ')}): running on free ports ${managerPort}-${managerPort + NODES} instead`,
        );
      } else {
        t.diagnostic(`running on the default ports ${DEFAULT_MANAGER_PORT}-${DEFAULT_MANAGER_PORT + NODES}`);
      }
      let sim = await startSimulator(managerPort === DEFAULT_MANAGER_PORT ? 'default' : managerPort);
      started.push(sim);
      // Something took a default port between the check and the start: once more, on free ports.
      const inUse = sim.child.exitCode !== null ? /.*already in use.*/.exec(sim.output()) : null;
      if (managerPort === DEFAULT_MANAGER_PORT && inUse) {
        managerPort = await freePortRun(NODES + 1);
        t.diagnostic(
          `the default ports were taken while starting (${inUse[0].trim()}): retrying on free ports ${managerPort}-${managerPort + NODES}`,
        );
        sim = await startSimulator(managerPort);
        started.push(sim);
      }
      assert.ok(sim.output().includes('Try:'), `the simulator did not start:\n${sim.output()}`);
      await walkthrough(sim, portsFrom(managerPort));
    } finally {
      for (const s of started) s.cleanUp();
    }
  },
);

async function walkthrough(sim: Simulator, ports: readonly number[]): Promise<void> {
  const [managerPort, ...nodePorts] = ports as [number, ...number[]];
  const [node0, , node2] = nodePorts as [number, number, number];
  const manager = `http://127.0.0.1:${managerPort}`;
  const get = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

  // 1. GET :5000/node/id answers.
  const id = await get<{ node: string; address: string; nodes: Record<string, string> }>(
    `http://127.0.0.1:${node0}/node/id`,
  );
  assert.match(id.node, /^[0-9a-f]{32}$/);
  assert.equal(id.address, `127.0.0.1:${node0}`);
  assert.equal(Object.keys(id.nodes).length, NODES - 1);
  // 2. GET :5000/chain has genesis.
  const chain0 = await get<{ chain: Array<{ hash: string; height: number }>; length: number }>(
    `http://127.0.0.1:${node0}/chain`,
  );
  assert.equal(chain0.length, 1);
  assert.equal(chain0.chain[0]!.height, 0);
  // 3. GET :4999/start/mining sends 6 requests.
  const mining = await get<{ message: string; requests: number; blocks: unknown[] }>(
    `${manager}/start/mining`,
  );
  assert.equal(mining.message, 'Mining requests sent');
  assert.equal(mining.requests, NODES);
  assert.equal(mining.blocks.length, NODES);
  // 4. GET :5002/chain has length 7, and all 6 nodes report the same tip.
  const chain2 = await get<{ length: number; chain: Array<{ hash: string }> }>(
    `http://127.0.0.1:${node2}/chain`,
  );
  assert.equal(chain2.length, NODES + 1);
  const tips = await Promise.all(nodePorts.map((p) => get<{ tip: string }>(`http://127.0.0.1:${p}/node/id`)));
  assert.ok(
    tips.every((t) => t.tip === chain2.chain[NODES]!.hash),
    JSON.stringify(tips.map((t) => t.tip)),
  );
  // 5. GET :4999/shutdown/all closes every port.
  const shutdown = await get<{ nodes: Array<{ result: string }> }>(`${manager}/shutdown/all`);
  assert.deepEqual(
    shutdown.nodes.map((n) => n.result),
    Array(NODES).fill('exited'),
  );
  // 6. The process exits 0.
  assert.equal(await sim.exited, 0, sim.output());
  for (const p of ports) assert.ok(await portFree(p), `port ${p} still open`);
  // The logs: <log-dir>/<run-start-ISO>/, one readable line per event, ISO-8601 timestamps.
  const [run] = readdirSync(sim.logDir).filter((d) => d !== 'data');
  const files = readdirSync(join(sim.logDir, run!)).sort();
  assert.deepEqual(files, ['manager.log', ...nodePorts.map((p) => `node-${p}.log`)]);
  const lines = readFileSync(join(sim.logDir, run!, `node-${node0}.log`), 'utf8')
    .trim()
    .split('\n');
  const line = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] (INFO|WARN|ERROR|DEBUG): .+/;
  for (const l of lines) assert.match(l, line);
  assert.ok(
    lines.some((l) => l.includes(`listening on 127.0.0.1:${node0}`)),
    lines.join('\n'),
  );
  assert.equal(lines.filter((l) => / INFO: new tip \d+ /.test(l)).length, NODES, lines.join('\n'));
  assert.ok(lines.at(-1)!.includes('shutting down'), lines.join('\n'));
}
