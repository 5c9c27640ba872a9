/**
 * The old README walkthrough against the real command on the default ports (skipped, saying why, when
 * they are busy): start 6 nodes, ask node 5000 who it is and for its chain, send the mining requests,
 * check node 5002's chain and that every node agrees, shut everything down, and see the process exit 0.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { portFree } from '../helpers/ports.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const PORTS = [4999, 5000, 5001, 5002, 5003, 5004, 5005];

async function busyPorts(): Promise<number[]> {
  const busy: number[] = [];
  for (const p of PORTS) if (!(await portFree(p))) busy.push(p);
  return busy;
}

const busy = await busyPorts();

test(
  'README walkthrough: npm run simulate -- --nodes 6 on the default ports',
  {
    skip: busy.length > 0 ? `default ports in use (${busy.join(', ')}): a simulation may be running` : false,
    timeout: 120_000,
  },
  async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'chainsim-e2e-'));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'simulate',
        '--nodes',
        '6',
        '--log-dir',
        logDir,
        '--data-dir',
        join(logDir, 'data'),
        '--fresh',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FORCE_COLOR: '0' },
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Wait for the banner (bounded).
      const until = Date.now() + 60_000;
      while (!output.includes('Try:') && Date.now() < until) {
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(output.includes('Try:'), `the simulator did not start:\n${output}`);
      const get = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;

      // 1. GET :5000/node/id answers.
      const id = await get<{ node: string; address: string; nodes: Record<string, string> }>(
        'http://127.0.0.1:5000/node/id',
      );
      assert.match(id.node, /^[0-9a-f]{32}$/);
      assert.equal(id.address, '127.0.0.1:5000');
      assert.equal(Object.keys(id.nodes).length, 5);
      // 2. GET :5000/chain has genesis.
      const chain0 = await get<{ chain: Array<{ hash: string; height: number }>; length: number }>(
        'http://127.0.0.1:5000/chain',
      );
      assert.equal(chain0.length, 1);
      assert.equal(chain0.chain[0]!.height, 0);
      // 3. GET :4999/start/mining sends 6 requests.
      const mining = await get<{ message: string; requests: number; blocks: unknown[] }>(
        'http://127.0.0.1:4999/start/mining',
      );
      assert.equal(mining.message, 'Mining requests sent');
      assert.equal(mining.requests, 6);
      assert.equal(mining.blocks.length, 6);
      // 4. GET :5002/chain has length 7, and all 6 nodes report the same tip.
      const chain2 = await get<{ length: number; chain: Array<{ hash: string }> }>(
        'http://127.0.0.1:5002/chain',
      );
      assert.equal(chain2.length, 7);
      const tips = await Promise.all(
        PORTS.slice(1).map((p) => get<{ tip: string }>(`http://127.0.0.1:${p}/node/id`)),
      );
      assert.ok(
        tips.every((t) => t.tip === chain2.chain[6]!.hash),
        JSON.stringify(tips.map((t) => t.tip)),
      );
      // 5. GET :4999/shutdown/all closes every port.
      const shutdown = await get<{ nodes: Array<{ result: string }> }>('http://127.0.0.1:4999/shutdown/all');
      assert.deepEqual(
        shutdown.nodes.map((n) => n.result),
        Array(6).fill('exited'),
      );
      // 6. The process exits 0.
      assert.equal(await exited, 0, output);
      for (const p of PORTS) assert.ok(await portFree(p), `port ${p} still open`);
      // The logs: <log-dir>/<run-start-ISO>/, one readable line per event, ISO-8601 timestamps.
      const [run] = readdirSync(logDir).filter((d) => d !== 'data');
      const files = readdirSync(join(logDir, run!)).sort();
      assert.deepEqual(files, ['manager.log', ...PORTS.slice(1).map((p) => `node-${p}.log`)]);
      const node0 = readFileSync(join(logDir, run!, 'node-5000.log'), 'utf8')
        .trim()
        .split('\n');
      const line = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] (INFO|WARN|ERROR|DEBUG): .+/;
      for (const l of node0) assert.match(l, line);
      assert.ok(
        node0.some((l) => l.includes('listening on 127.0.0.1:5000')),
        node0.join('\n'),
      );
      assert.equal(node0.filter((l) => / INFO: new tip \d+ /.test(l)).length, 6, node0.join('\n'));
      assert.ok(node0.at(-1)!.includes('shutting down'), node0.join('\n'));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(logDir, { recursive: true, force: true });
    }
  },
);
