import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli, runCliAsync } from '../../helpers/cli.ts';
import { publicVectors } from '../../helpers/vectors.ts';

describe('chainsim header / merkle', () => {
  test('header prints the decoded genesis, its hash, target, difficulty, work and a valid PoW', () => {
    const g = publicVectors.headers[0]!;
    const r = runCli(['header', g.header, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(out.hash, g.hash);
    assert.equal(out.nonce, g.nonce);
    assert.equal(out.target, '00000000ffff0000000000000000000000000000000000000000000000000000');
    assert.equal(out.difficulty, 1);
    assert.equal(out.work, '0000000000000000000000000000000000000000000000000000000100010001');
    assert.equal(out.powValid, true);
    const table = runCli(['header', g.header]);
    assert.match(table.stdout, /valid \(bitcoin rules\)/);
  });
  test('header with a broken nonce reports invalid PoW and exits 1; bad hex exits 2', () => {
    const g = publicVectors.headers[0]!.header;
    const broken = g.slice(0, 152) + '00000000';
    const r = runCli(['header', broken, '--json']);
    assert.equal(r.status, 1);
    assert.equal((JSON.parse(r.stdout) as { powValid: boolean }).powValid, false);
    const bad = runCli(['header', 'abcd']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /a header is 160 hex chars, got 4/);
  });
  test('merkle prints the root of block 170 and flags a mutated list', () => {
    const m = publicVectors.merkle.find((v) => v.height === 170)!;
    const r = runCli(['merkle', ...m.txids, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { root: m.merkleRoot, mutated: false, count: 2 });
    const three = publicVectors.merkle.find((v) => v.txids.length === 3)!;
    const mutated = runCli(['merkle', ...three.txids, three.txids[2]!, '--json']);
    assert.deepEqual(JSON.parse(mutated.stdout), { root: three.merkleRoot, mutated: true, count: 4 });
    const badId = runCli(['merkle', 'xyz']);
    assert.equal(badId.status, 2);
    for (const [branch, given] of [
      ['abc', '"abc"'],
      ['2', '2'],
    ]) {
      const badBranch = runCli(['merkle', ...m.txids, '--branch', branch!]);
      assert.equal(badBranch.status, 2);
      assert.match(badBranch.stderr, new RegExp(`--branch must be a whole number from 0 to 1, got ${given}`));
    }
  });
  test('unknown commands and options exit 2 with a hint', () => {
    const r = runCli(['frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /chainsim --help/);
  });
});

describe('numeric options say what they got', () => {
  test('simulate, headers verify and node run: a bad or missing number is a usage error naming it (exit 2)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['simulate', '--nodes', 'abc'], /--nodes must be a whole number from 1 to 256, got "abc"/],
      // yargs would give a bare option its default: 6 nodes would start.
      [['simulate', '--nodes'], /--nodes must be a whole number from 1 to 256, got no value/],
      [['simulate', '--base-port', '5e'], /--base-port must be a whole number from 1 to 65535, got "5e"/],
      [
        ['headers', 'verify', 'x.bin', '--now', 'soon'],
        /--now must be a whole number from 0 to 4294967295, got "soon"/,
      ],
      [
        ['node', 'run', '--in-memory', '--verify-threads', 'x'],
        /--verify-threads must be a whole number from 0 to 256, got "x"/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => runCliAsync(args, { timeoutMs: 20_000 })));
    results.forEach((r, i) => {
      assert.equal(r.status, 2, cases[i]![0].join(' '));
      assert.match(r.stderr, cases[i]![1]);
    });
  });
});
