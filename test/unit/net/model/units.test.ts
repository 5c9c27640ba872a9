/** The model's units and setting parsers: what a user may type, and what each bad value is told. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeLink,
  formatBandwidth,
  formatLatency,
  linkSettingsFrom,
  parseBandwidth,
  parseDurationMs,
  parseLatency,
  parseProbability,
  NO_LINK_EFFECTS,
} from '../../../../src/net/model/index.ts';
import { refuses } from './helpers.ts';

test('durations: ms, s, 0, bare numbers as ms', () => {
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('1.5s'), 1500);
  assert.equal(parseDurationMs(' 2 s '), 2000);
  assert.equal(parseDurationMs('0'), 0);
  assert.equal(parseDurationMs('250'), 250);
  assert.equal(parseDurationMs('.5ms'), 0.5);
  assert.equal(parseDurationMs('1e3ms'), 1000);
  assert.equal(parseDurationMs(20), 20);
  assert.equal(parseDurationMs(0), 0);
});

test('bad durations say what a latency must be, like 200ms', () => {
  for (const bad of ['-5ms', '-1', 'NaN', 'abc', '', '5 m', '5min', '1.2.3ms', 'ms'])
    refuses(() => parseDurationMs(bad), /latency must be a duration of 0 or more, like 200ms/);
  refuses(() => parseDurationMs(-1), /latency must be .* like 200ms.*got -1/);
  refuses(() => parseDurationMs(NaN), /got NaN/);
  refuses(() => parseDurationMs(Infinity), /got Infinity/);
  refuses(() => parseDurationMs('-2ms', 'jitter'), /^jitter must be a duration/);
});

test('bandwidths: SI and binary prefixes, bits, bare bytes per second, unlimited', () => {
  assert.equal(parseBandwidth('1MB/s'), 1e6);
  assert.equal(parseBandwidth('100kB/s'), 1e5);
  assert.equal(parseBandwidth('100KB/s'), 1e5);
  assert.equal(parseBandwidth('2GB/s'), 2e9);
  assert.equal(parseBandwidth('500B/s'), 500);
  assert.equal(parseBandwidth('1KiB/s'), 1024);
  assert.equal(parseBandwidth('1.5MiB/s'), 1.5 * 1024 * 1024);
  assert.equal(parseBandwidth('8Mbit/s'), 1e6);
  assert.equal(parseBandwidth('1200'), 1200);
  assert.equal(parseBandwidth(1200), 1200);
  assert.equal(parseBandwidth('none'), null);
  assert.equal(parseBandwidth('unlimited'), null);
  assert.equal(parseBandwidth(null), null);
});

test('bad bandwidths: 0, negative, unknown units', () => {
  for (const bad of ['0', '0MB/s', '-1MB/s', '-5', 'fast', '1MB', '1 mb/s', '1Mb/s', '', '1XB/s'])
    refuses(() => parseBandwidth(bad), /bandwidth must be more than 0 bytes per second, like 1MB\/s/);
  refuses(() => parseBandwidth(0), /got 0$/);
  refuses(() => parseBandwidth(-3), /got -3$/);
  refuses(() => parseBandwidth(Infinity), /got Infinity$/);
});

test('probabilities: percentages and fractions from 0 to 1', () => {
  assert.equal(parseProbability('1%'), 0.01);
  assert.equal(parseProbability('0.01'), 0.01);
  assert.equal(parseProbability('100%'), 1);
  assert.equal(parseProbability('0'), 0);
  assert.equal(parseProbability(0.25), 0.25);
  assert.equal(parseProbability('12.5 %'), 0.125);
  for (const bad of ['5', '101%', '-1%', '-0.1', 'half', '', '%'])
    refuses(
      () => parseProbability(bad),
      /loss must be a probability from 0 to 1, like 0.01, or a percentage like 1%/,
    );
  refuses(() => parseProbability(1.5), /got 1.5$/);
});

test('latency distributions: fixed, uniform, normal, pareto (shape 5 unless given)', () => {
  assert.deepEqual(parseLatency('50ms'), { kind: 'fixed', ms: 50 });
  assert.deepEqual(parseLatency(50), { kind: 'fixed', ms: 50 });
  assert.deepEqual(parseLatency('fixed:1s'), { kind: 'fixed', ms: 1000 });
  assert.deepEqual(parseLatency('uniform:10ms-50ms'), { kind: 'uniform', minMs: 10, maxMs: 50 });
  assert.deepEqual(parseLatency('uniform:10-50'), { kind: 'uniform', minMs: 10, maxMs: 50 });
  assert.deepEqual(parseLatency('normal:100ms,20ms'), { kind: 'normal', meanMs: 100, sdMs: 20 });
  assert.deepEqual(parseLatency('pareto:200ms'), { kind: 'pareto', meanMs: 200, shape: 5 });
  assert.deepEqual(parseLatency('pareto:0.2s,40'), { kind: 'pareto', meanMs: 200, shape: 40 });
});

test('bad latencies name the forms a latency may take', () => {
  const forms = /latency must be .* like 200ms, uniform:10ms-50ms, normal:100ms,20ms or pareto:200ms/;
  for (const bad of [
    '-5ms',
    'uniform:50ms',
    'uniform:-5ms-10ms',
    'normal:100ms',
    'normal:100ms,-1ms',
    'normal:1,2,3',
    'pareto:-1ms',
    'pareto:',
    'gamma:5ms',
    'fast',
  ])
    refuses(() => parseLatency(bad), forms);
  refuses(() => parseLatency('uniform:50ms-10ms'), /the smaller bound comes first/);
  refuses(() => parseLatency('pareto:200ms,1'), /the shape must be a number above 1/);
  refuses(() => parseLatency('pareto:200ms,x'), /the shape must be a number above 1/);
  refuses(() => parseLatency(-1), forms);
});

test('formatted settings read back as themselves', () => {
  for (const text of [
    '50ms',
    '0ms',
    'uniform:10ms-50ms',
    'normal:100ms,20ms',
    'pareto:200ms',
    'pareto:200ms,40',
  ])
    assert.equal(formatLatency(parseLatency(text)), text);
  for (const text of ['1MB/s', '100kB/s', '512B/s', '1.5GB/s', 'unlimited'])
    assert.equal(formatBandwidth(parseBandwidth(text)), text);
  assert.equal(formatBandwidth(1024), '1.024kB/s');
  assert.deepEqual(describeLink(NO_LINK_EFFECTS), { latency: '0ms', bandwidth: null, loss: 0, jitterMs: 0 });
});

test("an API body's link settings: strings with units or numbers; unknown fields refused", () => {
  assert.deepEqual(
    linkSettingsFrom({ from: 5000, to: 5003, latency: '500ms', bandwidth: '100kB/s', loss: 0.05 }),
    {
      latency: { kind: 'fixed', ms: 500 },
      bandwidth: 100_000,
      loss: 0.05,
    },
  );
  assert.deepEqual(linkSettingsFrom({ latency: 20, bandwidth: 1000, loss: '5%', jitter: '2ms' }), {
    latency: { kind: 'fixed', ms: 20 },
    bandwidth: 1000,
    loss: 0.05,
    jitterMs: 2,
  });
  assert.deepEqual(linkSettingsFrom({ bandwidth: null, jitterMs: 3 }), { bandwidth: null, jitterMs: 3 });
  assert.deepEqual(linkSettingsFrom({}), {});
  refuses(
    () => linkSettingsFrom({ latency: '50ms', speed: 3 }),
    /unknown link setting "speed" \(expected latency, bandwidth, loss or jitter\)/,
  );
  refuses(() => linkSettingsFrom({ latency: '-50ms' }), /latency must be/);
  refuses(() => linkSettingsFrom({ loss: 2 }), /loss must be a probability/);
  refuses(() => linkSettingsFrom({ bandwidth: 0 }), /bandwidth must be more than 0/);
  refuses(() => linkSettingsFrom({ latency: true }), /latency must be a string with units or a number/);
  refuses(() => linkSettingsFrom('latency=5ms'), /expected a JSON object/);
  refuses(() => linkSettingsFrom(null), /expected a JSON object/);
  refuses(() => linkSettingsFrom([]), /expected a JSON object/);
});
