/** `send --amount` / `--fee`: coins with a decimal point (as Bitcoin Core), units with `u`, a bare integer as units. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { amountOption } from '../../../src/cli/args.ts';
import { UsageError } from '../../../src/cli/output.ts';

test('coins with a decimal point, exactly (no float rounding)', () => {
  assert.equal(amountOption('amount', '1.5'), 150_000_000n);
  assert.equal(amountOption('amount', '0.00000001'), 1n);
  assert.equal(amountOption('amount', '.1'), 10_000_000n);
  assert.equal(amountOption('amount', '20999999.99999999'), 2_099_999_999_999_999n);
  assert.equal(amountOption('amount', '0.3'), 30_000_000n, '0.1 + 0.2 would not be');
});

test('units: a bare whole number (what it always meant) or with a u', () => {
  assert.equal(amountOption('amount', '100000'), 100_000n);
  assert.equal(amountOption('amount', 100000), 100_000n);
  assert.equal(amountOption('amount', '150000000u'), 150_000_000n);
  assert.equal(amountOption('fee', '0'), 0n);
});

test('bad amounts say what is expected', () => {
  const bad: Array<[string, RegExp]> = [
    ['1.123456789', /a coin has 8 decimals \(1 unit = 0\.00000001\), got 9/],
    ['1,5', /coins with a decimal point \(1\.5\) or units \(150000000u, or a bare whole number\), got "1,5"/],
    ['-1', /got "-1"/],
    ['1.5u', /got "1\.5u"/],
    ['.', /got "\."/],
    ['1e3', /got "1e3"/],
    ['21000000.00000001', /more than the 21,000,000 coins there can ever be/],
  ];
  for (const [value, message] of bad)
    assert.throws(
      () => amountOption('amount', value),
      (err: unknown) => err instanceof UsageError && message.test(err.message),
      value,
    );
});
