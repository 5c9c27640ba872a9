/**
 * One node under attack cannot take the others down. A simulation (2 nodes) runs in a child process whose
 * open-file limit is 512, so each of its three servers holds at most max(32, floor(512 / 2 / 3)) = 85
 * connections (connectionsPerServer in src/sim/manager.ts). This process opens 600 idle connections to node 0,
 * more than the child has descriptors, and while it holds them node 1 and the manager must still answer.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freshGet, freshGets, type HeldConnections, holdConnections } from '../helpers/connections.ts';
import { eventually } from '../helpers/nodes.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('../helpers/sim-child.ts', import.meta.url));
const FD_LIMIT = 512;
const CAP = 85;
const ATTACK = 600;

interface ChildInfo {
  manager: string;
  nodes: Array<{ port: number; url: string }>;
  maxConnections?: number;
}

/** Starts the simulation under `ulimit -n FD_LIMIT` and waits (bounded) for its ports. */
async function startChild(): Promise<{
  child: ChildProcessWithoutNullStreams;
  info: ChildInfo;
  output: () => string;
}> {
  const child = spawn(
    'bash',
    ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" --import tsx "$1"`, process.execPath, CHILD],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const output = (): string => out;
  try {
    await eventually(() => out.includes('\n') || child.exitCode !== null, 60_000);
    const info = JSON.parse(out.split('\n')[0]!) as ChildInfo;
    return { child, info, output };
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`the simulation did not start: ${(err as Error).message}\n${out}`);
  }
}

/** Ends the child: closing its stdin shuts the simulation down; SIGKILL (by its PID) if it takes too long. */
async function stopChild(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.stdin.end();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
  clearTimeout(timer);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Polls `count` until it is at most `target` or has not changed for 500 ms (bounded: 5 s); its last value. */
async function steady(count: () => number, target: number): Promise<number> {
  let last = count();
  let same = 0;
  for (let i = 0; i < 50 && last > target && same < 5; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = count();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

test(
  `${ATTACK} idle connections to node 0 of a process limited to ${FD_LIMIT} files: node 1 and the manager keep answering`,
  { timeout: 120_000, skip: process.platform !== 'linux' ? 'the open-file limit is read from /proc' : false },
  async (t) => {
    const { child, info, output } = await startChild();
    let attack: HeldConnections | undefined;
    try {
      const limits = readFileSync(`/proc/${child.pid}/limits`, 'utf8');
      assert.match(
        limits,
        new RegExp(`^Max open files\\s+${FD_LIMIT}\\s`, 'm'),
        'the child runs under ulimit -n',
      );
      const [node0, node1] = info.nodes as [ChildInfo['nodes'][0], ChildInfo['nodes'][0]];

      attack = holdConnections(node0.port, ATTACK);
      await attack.settled;
      // A server over its cap closes each new connection at once: wait until node 0 has dealt with them all.
      const held = await steady(() => attack!.open(), CAP);

      // The attacker keeps up the pressure (replacing what node 0 closes) while fresh clients come.
      attack.keepUp(100, 5 * ATTACK);
      const toNode1 = await freshGets(`${node1.url}/node/id`, 20);
      const toManager = await freshGets(`${info.manager}/nodes`, 20);
      t.diagnostic(
        `node 0 held ${held} of ${ATTACK}; then ${attack.opened()} opened in all; node 1: ${JSON.stringify(toNode1)}; manager: ${JSON.stringify(toManager)}`,
      );
      assert.deepEqual(
        toNode1,
        { ok: 20, failed: {} },
        'fresh GET /node/id to node 1 while node 0 is flooded',
      );
      assert.deepEqual(
        toManager,
        { ok: 20, failed: {} },
        'fresh GET /nodes to the manager while node 0 is flooded',
      );
      assert.ok(held <= CAP, `node 0 holds ${held} connections, more than its cap of ${CAP}`);
      assert.equal(info.maxConnections, CAP);

      // The attack ends: node 0 answers again.
      attack.closeAll();
      let last: Awaited<ReturnType<typeof freshGet>> | undefined;
      await eventually(async () => {
        last = await freshGet(`${node0.url}/node/id`);
        return 'status' in last && last.status === 200;
      }, 20_000).catch(() => assert.fail(`node 0 does not answer after the attack: ${JSON.stringify(last)}`));
    } catch (err) {
      t.diagnostic(`child output:\n${output()}`);
      throw err;
    } finally {
      attack?.closeAll();
      await stopChild(child);
    }
  },
);
