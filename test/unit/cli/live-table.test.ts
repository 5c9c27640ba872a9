import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stripVTControlCharacters as plain } from 'node:util';
import fc from 'fast-check';
import { age, compact, hashRate, liveTable, type LiveRow, TABLE_WIDTH } from '../../../src/cli/live-table.ts';
import { seedProperties } from '../../helpers/seed.ts';

seedProperties();

const NOW = Date.UTC(2026, 11, 2, 12);
const A = 'ab'.repeat(32);
const B = 'cd'.repeat(32);

const row = (i: number, o: Partial<LiveRow> = {}): LiveRow => ({
  port: 5000 + i,
  state: 'up',
  group: null,
  height: 10,
  tip: A,
  peers: 8,
  mempool: 0,
  mined: 1,
  hashRate: 1500,
  lastBlockAt: NOW - 5000,
  ...o,
});

describe('the live table', () => {
  test('64 nodes with long values fit an 80-column terminal', () => {
    const rows = Array.from({ length: 64 }, (_, i) =>
      row(i, {
        port: 60000 + i,
        group: String(i % 12),
        height: 12_345_678 + i,
        tip: i % 3 === 0 ? B : A,
        peers: 125,
        mempool: 1_234_567,
        mined: 99_999 + i,
        hashRate: 987.6e12,
        lastBlockAt: NOW - 400 * 86_400_000,
        state: i === 5 ? 'starting' : 'up',
      }),
    );
    const lines = plain(liveTable(rows, NOW)).split('\n');
    assert.equal(lines.length, 1 + 64 + 1);
    for (const l of lines) assert.ok(l.length <= TABLE_WIDTH, `${l.length} columns: ${JSON.stringify(l)}`);
  });

  test('the columns, and the nodes off the majority tip marked and explained', () => {
    const rows = [row(0), row(1, { group: '1' }), row(2, { tip: B, mined: 3 }), row(3, { state: 'down' })];
    const lines = plain(liveTable(rows, NOW)).split('\n');
    assert.deepEqual(lines[0]!.split(/\s{2,}/), [
      'port',
      'group',
      'height',
      'tip',
      'peers',
      'mempool',
      'mined',
      'hash rate',
      'last block',
    ]);
    assert.deepEqual(lines[1]!.split(/\s+/), [
      '5000',
      '-',
      '10',
      'abababab',
      '8',
      '0',
      '1',
      '1.50',
      'kH/s',
      '5s',
    ]);
    assert.match(lines[2]!, /^5001\s+1\s/);
    assert.match(lines[3]!, /cdcdcdcd!/);
    assert.doesNotMatch(lines[1]!, /!/);
    assert.match(lines[4]!, /^5003 .* down /);
    assert.equal(lines[5], '! 1 node(s) off the majority tip abababab (held by 2 of 3); 1 not up');
    assert.equal(plain(liveTable([row(0), row(1)], NOW)).split('\n')[3], 'all 2 up node(s) on tip abababab');
  });

  test('numbers stay within their widths', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1e18, noNaN: true }), (n) => hashRate(n).length <= 10));
    fc.assert(fc.property(fc.nat(), fc.integer({ min: 5, max: 7 }), (n, w) => compact(n, w).length <= w));
    fc.assert(fc.property(fc.nat(), (ms) => age(ms).length <= 7));
    assert.deepEqual(
      [hashRate(0), hashRate(812), hashRate(9870), hashRate(98.7e6)],
      ['0 H/s', '812 H/s', '9.87 kH/s', '98.7 MH/s'],
    );
    assert.deepEqual([age(42_000), age(187_000), age(18_120_000)], ['42s', '3m07s', '5h02m']);
    assert.equal(compact(12_345_678, 7), '12346k');
  });
});
