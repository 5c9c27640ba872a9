/** Shared by the model's tests: a ModelError check and a simulator's addresses. */
import assert from 'node:assert/strict';
import { ModelError } from '../../../../src/net/model/index.ts';

/** Asserts that `run` throws a ModelError with `code` whose message matches `message`. */
export function refuses(
  run: () => unknown,
  message: RegExp,
  code: 'bad-value' | 'conflict' = 'bad-value',
): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof ModelError, `expected a ModelError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  });
}

/** n nodes' ports from 5000 and their advertised addresses. */
export function simNodes(n: number): { ports: number[]; nodes: string[] } {
  const ports = Array.from({ length: n }, (_, i) => 5000 + i);
  return { ports, nodes: ports.map((p) => `127.0.0.1:${p}`) };
}
