/*
 * Install script of chainsim-native: `node-gyp rebuild`, but a failed build never fails the install.
 *
 * Why not plain `"install": "node-gyp rebuild"`: with npm 11.19 a failing install script of this `file:`
 * optional dependency makes `npm ci` drop node_modules/chainsim-native without printing anything, so
 * chainsim could only say "not installed". Exiting 0 keeps the package linked and leaves
 * build/BUILD-FAILED.txt with the reason, which src/mining/kernels/native.ts reports.
 *
 * npm runs install scripts with npm_config_node_gyp = its bundled node-gyp, and node-gyp builds against the
 * headers in npm's `nodedir` when set (this project's machines set nodedir=/usr; without it node-gyp would
 * download headers, which fails offline and is reported the same way).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const here = import.meta.dirname;

const buildDir = path.join(here, 'build');
const failFile = path.join(buildDir, 'BUILD-FAILED.txt');
const addonFile = path.join(buildDir, 'Release', 'chainsim_native.node');

const gypJs = process.env.npm_config_node_gyp;
const [cmd, args] = gypJs ? [process.execPath, [gypJs, 'rebuild']] : ['node-gyp', ['rebuild']];

const run = spawnSync(cmd, args, { cwd: here, encoding: 'utf8', timeout: 300_000 });
const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;

/**
 * One line saying why node-gyp failed, from its output, or undefined when it does not say.
 * @param {string} log
 * @returns {string | undefined}
 */
function failureCause(log) {
  // node-gyp names the cause after "gyp ERR! stack Error:", sometimes over several lines ("not found: make",
  // "Could not find any Python installation to use", "`make` failed with exit code: 2"); the "at ..."
  // lines after it are its own JS stack.
  const stack = [...log.matchAll(/^gyp ERR! stack (.*)$/gm)].map((m) => m[1]?.trim() ?? '');
  const start = stack.findIndex((l) => l.startsWith('Error: '));
  if (start < 0) return undefined;
  const end = stack.findIndex((l, i) => i > start && l.startsWith('at '));
  let cause = stack
    .slice(start, end < 0 ? undefined : end)
    .join(' ')
    .slice('Error: '.length);
  // When make failed: a missing compiler (the shell's 127), or the compiler's first error.
  const compileError = /^.*: error: .*$/m.exec(log)?.[0];
  if (/^make: \*\*\* .* Error 127$/m.test(log)) cause += ' (C compiler not found: exit status 127)';
  else if (compileError !== undefined) cause += ` (${compileError.trim()})`;
  if (/^gyp http GET .*headers/m.test(log)) {
    cause = `could not download the Node.js headers (npm config nodedir not set?): ${cause}`;
  }
  return cause;
}

if (run.status === 0 && fs.existsSync(addonFile)) {
  fs.rmSync(failFile, { force: true });
} else {
  const reason = run.error
    ? `could not run ${cmd}: ${run.error.message}`
    : `node-gyp rebuild failed: ${failureCause(output) ?? `exit status ${run.status ?? run.signal}`}`;
  fs.rmSync(addonFile, { force: true }); // never leave a stale addon from an earlier build beside the reason
  fs.mkdirSync(buildDir, { recursive: true });
  // Line 1 is what chainsim reports; the rest is for a person.
  fs.writeFileSync(
    failFile,
    `${reason}\n\n--- last lines of node-gyp output ---\n${output.split('\n').slice(-40).join('\n')}`,
  );
  process.stderr.write(`chainsim-native: not built (${reason}); chainsim will use its other kernels.\n`);
}
