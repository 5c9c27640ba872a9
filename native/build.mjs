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

if (run.status === 0 && fs.existsSync(addonFile)) {
  fs.rmSync(failFile, { force: true });
} else {
  // node-gyp names the cause on its first "gyp ERR! stack Error:" line ("not found: make", "Could not find
  // any Python installation to use", "`make` failed with exit code: 2" when the compiler fails).
  const cause = /^gyp ERR! stack Error: (.*)$/m.exec(output)?.[1]?.trim();
  const reason = run.error
    ? `could not run ${cmd}: ${run.error.message}`
    : `node-gyp rebuild failed: ${cause ?? `exit status ${run.status ?? run.signal}`}`;
  fs.rmSync(addonFile, { force: true }); // never leave a stale addon from an earlier build beside the reason
  fs.mkdirSync(buildDir, { recursive: true });
  // Line 1 is what chainsim reports; the rest is for a person.
  fs.writeFileSync(
    failFile,
    `${reason}\n\n--- last lines of node-gyp output ---\n${output.split('\n').slice(-40).join('\n')}`,
  );
  process.stderr.write(`chainsim-native: not built (${reason}); chainsim will use its other kernels.\n`);
}
