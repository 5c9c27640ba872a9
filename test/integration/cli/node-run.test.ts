import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../helpers/nodes.ts';
import { freePortRun } from '../../helpers/ports.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

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
  'chainsim node run: a bad --port, --threads or --verify-threads exits 2 naming the option and the value',
  { timeout: 60_000 },
  async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--verify-threads', '-1'], /--verify-threads must be a whole number from 0 to 256, got -1/],
      [['--threads', 'abc'], /--threads must be a whole number from 1 to 256, got "abc"/],
      [['--port', 'http'], /--port must be a whole number from 0 to 65535, got "http"/],
    ];
    for (const [args, message] of cases) {
      const a = run([
        '--network',
        'regtest',
        '--in-memory',
        ...(args[0] === '--port' ? [] : ['--port', '0']),
        ...args,
      ]);
      try {
        // Bounded: a node that took the bad value and started would otherwise run until killed.
        const code = await Promise.race([a.exited, sleep(20_000, 'still running', { ref: false })]);
        assert.equal(code, 2, `${args.join(' ')}: ${a.output()}`);
        assert.match(a.output(), message);
      } finally {
        a.child.kill('SIGKILL');
      }
    }
  },
);
