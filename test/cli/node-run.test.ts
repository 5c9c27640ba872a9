import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eventually } from '../helpers/nodes.ts';
import { freePortRun } from '../helpers/ports.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function run(args: string[]): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'node', 'run', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, exited: new Promise((r) => child.on('exit', (code) => r(code))), output: () => out };
}

test(
  'chainsim node run: two standalone nodes, each with its own pool, find each other and share blocks',
  { timeout: 60_000 },
  async () => {
    const base = await freePortRun(2);
    const a = run(['--port', String(base), '--network', 'regtest', '--in-memory', '--threads', '1']);
    const b = run([
      '--port',
      String(base + 1),
      '--network',
      'regtest',
      '--in-memory',
      '--threads',
      '1',
      '--verify-threads',
      '1',
      '--peer',
      `127.0.0.1:${base}`,
    ]);
    try {
      await eventually(
        () => a.output().includes('mining address') && b.output().includes('mining address'),
        30_000,
      );
      const mined = (await (await fetch(`http://127.0.0.1:${base}/mine`)).json()) as {
        block: { hash: string };
      };
      await eventually(async () => {
        const info = (await (await fetch(`http://127.0.0.1:${base + 1}/node/id`)).json()) as { tip: string };
        return info.tip === mined.block.hash;
      });
      await fetch(`http://127.0.0.1:${base}/shutdown`);
      await fetch(`http://127.0.0.1:${base + 1}/shutdown`);
      assert.equal(await a.exited, 0, a.output());
      assert.equal(await b.exited, 0, b.output());
    } finally {
      a.child.kill('SIGKILL');
      b.child.kill('SIGKILL');
    }
  },
);

test(
  'chainsim node run: a bad --verify-threads is a usage error that names the option',
  { timeout: 30_000 },
  async () => {
    const a = run(['--port', '0', '--network', 'regtest', '--in-memory', '--verify-threads', '-1']);
    const code = await a.exited;
    assert.notEqual(code, 0);
    assert.match(a.output(), /--verify-threads must be an integer from 0 to 256, got -1/);
  },
);
