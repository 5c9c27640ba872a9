/**
 * Hash-power shares (percent of the pool per node) after one node's share is set: that node gets `share` of 100
 * and the others keep their proportions in the rest, so the shares still sum to 100. Pure; bad values are
 * ModelErrors (HTTP 400).
 */
import { ModelError } from '../net/model/index.ts';

export function renormaliseShares(shares: readonly number[], index: number, share: number): number[] {
  if (typeof share !== 'number' || !Number.isFinite(share) || share < 0 || share > 100) {
    throw new ModelError(
      'bad-value',
      `share must be a percentage from 0 to 100 (like 40), got ${JSON.stringify(share)}`,
    );
  }
  if (index < 0 || index >= shares.length) throw new RangeError(`no node ${index}`);
  const rest = 100 - share;
  const others = shares.reduce((sum, s, i) => (i === index ? sum : sum + s), 0);
  if (others === 0) {
    // Nobody else mines: there are no proportions to keep, and the only node with hash power has all of it.
    if (share === 0) throw allZero();
    return shares.map((_, i) => (i === index ? 100 : 0));
  }
  const next = shares.map((s, i) => (i === index ? share : (s * rest) / others));
  return next;
}

function allZero(): ModelError {
  return new ModelError(
    'bad-value',
    'that share leaves every node at 0: at least one node must keep some hash power',
  );
}
