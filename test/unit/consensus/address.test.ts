import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addressFromKey,
  addressFromScript,
  classifyScript,
  dataScript,
  keyFromAddress,
  keyScript,
  networks,
  scriptFromAddress,
} from '../../../src/consensus/index.ts';
import { bech32 } from '@scure/base';
import { bytesToHex, hexToBytes } from '../../../src/util/bytes.ts';

describe('addresses: bech32m, witness version 1, the network prefix', () => {
  // BIP-350's valid test vector for a mainnet witness v1 program of 32 bytes.
  const BIP350 = 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0';
  const PROGRAM = '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';

  test("BIP-350's v1 vector: bc1p0xlxvl… is the program 79be667e…", () => {
    assert.equal(bytesToHex(keyFromAddress(BIP350, networks.bitcoin)), PROGRAM);
    assert.equal(addressFromKey(hexToBytes(PROGRAM), networks.bitcoin), BIP350);
    assert.equal(bytesToHex(scriptFromAddress(BIP350, networks.bitcoin)), `5120${PROGRAM}`);
  });
  test('each network has its prefix: sim1p…, bcrt1p…', () => {
    const key = hexToBytes(PROGRAM);
    assert.match(addressFromKey(key, networks.sim), /^sim1p/);
    assert.match(addressFromKey(key, networks.regtest), /^bcrt1p/);
    for (const net of Object.values(networks)) {
      assert.deepEqual(keyFromAddress(addressFromKey(key, net), net), key);
    }
  });
  test('rejects another network, a bad checksum, bech32 (not m), another version or length', () => {
    const key = hexToBytes(PROGRAM);
    const sim = addressFromKey(key, networks.sim);
    assert.throws(() => keyFromAddress(sim, networks.regtest), /prefix "sim"/);
    const typo = sim.slice(0, -1) + (sim.endsWith('q') ? 'p' : 'q');
    assert.throws(() => keyFromAddress(typo, networks.sim), /not a bech32m address/);
    const v1bech32 = bech32.encode('sim', [1, ...bech32.toWords(key)]);
    assert.throws(() => keyFromAddress(v1bech32, networks.sim), /not a bech32m address/);
    const v0 = addressFromKey(key, networks.sim).replace(/^sim1p/, 'sim1q');
    assert.throws(() => keyFromAddress(v0, networks.sim));
    assert.throws(() => keyFromAddress('', networks.sim));
  });
  test('scripts map to addresses; data scripts have none', () => {
    const key = hexToBytes(PROGRAM);
    assert.equal(addressFromScript(keyScript(key), networks.sim), addressFromKey(key, networks.sim));
    assert.equal(addressFromScript(dataScript(Uint8Array.of(1)), networks.sim), null);
    assert.deepEqual(classifyScript(dataScript(new Uint8Array(76))).type, 'data');
    assert.equal(bytesToHex(dataScript(new Uint8Array(76)).subarray(0, 3)), '6a4c4c');
    assert.equal(bytesToHex(dataScript(new Uint8Array(75)).subarray(0, 2)), '6a4b');
  });
});
