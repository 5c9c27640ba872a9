/**
 * `npm run build` skips a step whose outputs are newer than its inputs and runs it again when an input
 * changes, on a tree of two small steps in a temp folder (the second, like the worker bundle, built from the
 * first's output). The real steps are listed with inputs that exist.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build, BuildError, STEPS } from '../../../scripts/build.mjs';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'chainsim-build-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A step that writes `output` from `input` (failing while `fail` exists). */
const copy = (input: string, output: string) =>
  `const fs = require('node:fs');
if (fs.existsSync('fail')) process.exit(3);
fs.mkdirSync('out', { recursive: true });
fs.writeFileSync(${JSON.stringify(output)}, fs.readFileSync(${JSON.stringify(input)}));`;

const steps = [
  {
    name: 'first',
    inputs: ['src'],
    outputs: ['out/first'],
    command: () => ['-e', copy('src/a.txt', 'out/first')],
  },
  {
    name: 'second',
    inputs: ['out', 'tool.js'],
    filter: (path: string) => path !== join('out', 'second'),
    outputs: ['out/second'],
    command: () => ['-e', copy('out/first', 'out/second')],
  },
];

/** Sets a file's mtime to now, as an edit would (later than any step's start, each a process spawn ago). */
function touch(path: string): void {
  const now = new Date();
  utimesSync(join(dir, path), now, now);
}

describe('npm run build: incremental steps', () => {
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'a.txt'), 'a');
  writeFileSync(join(dir, 'tool.js'), '');
  const run = (force = false) => build({ root: dir, steps, force });

  test('a first build runs every step; a second, with nothing changed, none', () => {
    assert.deepEqual(run(), ['first', 'second']);
    assert.deepEqual(run(), []);
    assert.deepEqual(run(true), ['first', 'second']);
  });
  test('a changed input rebuilds its step and the steps built on its output', () => {
    touch('src/a.txt');
    assert.deepEqual(run(), ['first', 'second']);
    touch('tool.js');
    assert.deepEqual(run(), ['second']);
    touch('out/first');
    assert.deepEqual(run(), ['second']);
    assert.deepEqual(run(), []);
  });
  test('a new source file or a missing output rebuilds', () => {
    writeFileSync(join(dir, 'src', 'b.txt'), 'b');
    touch('src');
    assert.deepEqual(run(), ['first', 'second']);
    rmSync(join(dir, 'out', 'second'));
    assert.deepEqual(run(), ['second']);
  });
  test('a failed step fails the build and runs again next time', () => {
    touch('src/a.txt');
    writeFileSync(join(dir, 'fail'), '');
    assert.throws(run, (err) => err instanceof BuildError && err.step === 'first' && err.status === 3);
    rmSync(join(dir, 'fail'));
    assert.deepEqual(run(), ['first', 'second']);
  });
});

test('the real steps: wasm, tsc, then the worker bundle, over inputs that exist', () => {
  assert.deepEqual(
    STEPS.map((s) => s.name),
    ['wasm', 'tsc', 'worker'],
  );
  for (const step of STEPS) for (const input of step.inputs) assert.ok(existsSync(join(root, input)), input);
});
