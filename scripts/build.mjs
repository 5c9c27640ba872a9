/**
 * `npm run build`: the wasm kernel (asc), the TypeScript (tsc) and the worker bundle (build-worker.mjs), each
 * step skipped when its output is newer than every one of its inputs, as make does; `--force` runs them all.
 * `npm run simulate`, `chainsim`, `bench` and `pretest` build first, so a run with nothing changed must not pay
 * for a rebuild (docs/decisions.md, "Incremental build"). test/scripts/build.test.ts checks the skipping.
 *
 * A step's output doubles as its stamp: after the step succeeds its mtime is set to the time the step started,
 * so an input edited while the step ran is still newer and rebuilds next time. When tsc fails, its stamp is
 * made older than everything, so the next build runs tsc again and shows the errors again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// Every step also depends on the installed tools and libraries (a compiler or a bundled package changed).
const lockfile = 'package-lock.json';

// The compilers' own scripts, run with this node: no shell, and no node_modules/.bin on the PATH needed.
const resolve = createRequire(import.meta.url).resolve;

/**
 * @typedef {object} Step
 * @property {string} name
 * @property {string[]} inputs files and folders (every file under a folder)
 * @property {(path: string) => boolean} [filter] which files under the inputs count
 * @property {string[]} outputs
 * @property {() => string[]} command arguments to this node, run in the root folder
 */

/** @type {Step[]} */
export const STEPS = [
  {
    name: 'wasm',
    inputs: ['assembly', lockfile],
    outputs: ['build/pow.wasm'],
    command: () => [
      resolve('assemblyscript/bin/asc.js'),
      '--config',
      'assembly/asconfig.json',
      '--target',
      'release',
    ],
  },
  {
    name: 'tsc',
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', lockfile],
    // tsc is incremental itself (tsBuildInfo) but still takes seconds to find nothing changed.
    outputs: ['dist/.tsbuildinfo'],
    command: () => [resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  },
  {
    name: 'worker',
    // tsc's output (the bundles are .cjs, so not inputs of themselves) and the bundler's own files.
    inputs: ['dist', 'scripts/build-worker.mjs', 'scripts/import-meta-url.mjs', lockfile],
    filter: (path) => !path.startsWith('dist') || path.endsWith('.js'),
    outputs: ['dist/node/worker.bundle.cjs', 'dist/runtime/worker-loader.cjs'],
    command: () => ['scripts/build-worker.mjs'],
  },
];

/**
 * The newest mtime (ms) of the inputs: the files under `paths` that pass `filter`, and the folders, whose mtime
 * changes when a file is added, removed or renamed. Not a folder the step writes an output into: writing it
 * would make the step look stale at once.
 * @param {string} dir
 * @param {Step} step
 */
function newestInput(dir, { inputs, outputs, filter = () => true }) {
  let newest = 0;
  /** @param {string} path */
  const visit = (path) => {
    const st = statSync(join(dir, path));
    if (st.isDirectory()) {
      if (!outputs.some((output) => join(output).startsWith(join(path, sep))))
        newest = Math.max(newest, st.mtimeMs);
      for (const name of readdirSync(join(dir, path))) visit(join(path, name));
    } else if (filter(path)) {
      newest = Math.max(newest, st.mtimeMs);
    }
  };
  for (const path of inputs) visit(path);
  return newest;
}

/**
 * The oldest mtime (ms) of the outputs, or -1 when one is missing.
 * @param {string} dir
 * @param {string[]} paths
 */
function oldestOutput(dir, paths) {
  let oldest = Infinity;
  for (const path of paths) {
    if (!existsSync(join(dir, path))) return -1;
    oldest = Math.min(oldest, statSync(join(dir, path)).mtimeMs);
  }
  return oldest;
}

/**
 * @param {string} dir
 * @param {string[]} paths
 * @param {Date} date
 */
function stamp(dir, paths, date) {
  for (const path of paths) if (existsSync(join(dir, path))) utimesSync(join(dir, path), date, date);
}

/** A step that failed; its output is left stale. */
export class BuildError extends Error {
  /**
   * @param {string} step
   * @param {number} status
   */
  constructor(step, status) {
    super(`build: ${step} failed (exit status ${status})`);
    this.step = step;
    this.status = status;
  }
}

/**
 * Runs the steps whose outputs are missing or older than an input, in order; returns their names.
 * @param {{ root?: string, steps?: Step[], force?: boolean, log?: (line: string) => void }} [opts]
 * @returns {string[]}
 */
export function build(opts = {}) {
  const { root: dir = root, steps = STEPS, force = false, log = () => undefined } = opts;
  /** @type {string[]} */
  const ran = [];
  for (const step of steps) {
    if (!force && oldestOutput(dir, step.outputs) >= newestInput(dir, step)) {
      log(`build: ${step.name} is up to date`);
      continue;
    }
    const started = new Date();
    const r = spawnSync(process.execPath, step.command(), { cwd: dir, stdio: 'inherit' });
    if (r.status !== 0) {
      stamp(dir, step.outputs, new Date(0));
      throw new BuildError(step.name, r.status ?? 1);
    }
    stamp(dir, step.outputs, started);
    ran.push(step.name);
  }
  return ran;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    build({
      force: process.argv.includes('--force'),
      ...(process.argv.includes('--verbose') ? { log: (line) => process.stdout.write(`${line}\n`) } : {}),
    });
  } catch (err) {
    if (!(err instanceof BuildError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(err.status);
  }
}
