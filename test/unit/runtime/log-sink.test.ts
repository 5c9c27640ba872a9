import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLineLogger, createLogSink } from '../../../src/runtime/logger.ts';

test("a node's log lines, shipped as pino JSON, land in its file as readable lines", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chainsim-logs-'));
  try {
    const errors: Error[] = [];
    const sink = createLogSink(join(dir, 'nested', 'node-5000.log'), (e) => errors.push(e));
    const log = createLineLogger({ level: 'info', base: { node: 5000 }, write: (line) => sink.write(line) });
    log.info({ height: 3, hash: 'ab' }, 'new tip 3 ab');
    log.debug('below the level: not written');
    log.warn('peer 127.0.0.1:5001 sent invalid data');
    sink.write('not JSON\n');
    await sink.end();
    sink.write('{"level":30,"time":0,"msg":"after the end: dropped"}\n');
    const lines = readFileSync(join(dir, 'nested', 'node-5000.log'), 'utf8')
      .trimEnd()
      .split('\n');
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(
      lines[0]!,
      /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] INFO: new tip 3 ab \{"node":5000,"height":3,"hash":"ab"\}$/,
    );
    assert.match(lines[1]!, /\] WARN: peer 127\.0\.0\.1:5001 sent invalid data/);
    assert.equal(lines[2], 'not JSON');
    assert.deepEqual(errors, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a log file that cannot be opened is reported once, and writing to it changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chainsim-logs-'));
  try {
    writeFileSync(join(dir, 'file'), '');
    const errors: Error[] = [];
    // A directory path below a regular file cannot exist.
    const sink = createLogSink(join(dir, 'file', 'node-5000.log'), (e) => errors.push(e));
    sink.write('{"level":30,"time":0,"msg":"one"}\n');
    sink.write('{"level":30,"time":0,"msg":"two"}\n');
    await sink.end();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /ENOTDIR|EEXIST/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
