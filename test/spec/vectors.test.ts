import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readVector } from '../helpers/vectors.ts';

test('every copied vector file matches the sha256 recorded in test/vectors/README.md', () => {
  const readme = readFileSync(new URL('../vectors/README.md', import.meta.url), 'utf8');
  const rows = [...readme.matchAll(/^\| `([^`]+)` \| `([0-9a-f]{64})` \|/gm)];
  assert.equal(rows.length, 4);
  for (const [, file, sha] of rows) {
    assert.equal(createHash('sha256').update(readVector(file!)).digest('hex'), sha, file);
  }
});
