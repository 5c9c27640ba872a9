import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const THREADS = fileURLToPath(new URL('../../../src/runtime/threads.ts', import.meta.url));

// In a child process, so this test runner's own threads keep their priority.
const CHILD = `
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { lowerHelperThreads } from ${JSON.stringify(THREADS)};
const nice = (tid) => { const s = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[16]); };
const before = readdirSync('/proc/self/task');
const lowered = lowerHelperThreads(10);
const helpers = before.filter((t) => Number(t) !== process.pid).map(nice);
const worker = new Worker('require("node:worker_threads").parentPort.postMessage(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop())', { eval: true, execArgv: [] });
const workerTid = await new Promise((r) => worker.once('message', r));
const workerNice = nice(workerTid);
await worker.terminate();
console.log(JSON.stringify({ lowered, helpers, main: nice(process.pid), worker: workerNice }));
`;

test(
  "the simulator's helper threads go to nice 10; the main thread and threads started later stay at 0",
  { skip: existsSync('/proc/self/task') ? false : 'no /proc (not Linux)' },
  () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
      lowered: number;
      helpers: number[];
      main: number;
      worker: number;
    };
    // V8's platform threads exist in every Node.js process.
    assert.ok(r.lowered >= 4, JSON.stringify(r));
    assert.equal(r.helpers.length, r.lowered);
    assert.ok(
      r.helpers.every((n) => n === 10),
      JSON.stringify(r),
    );
    assert.equal(r.main, 0);
    assert.equal(r.worker, 0);
  },
);
