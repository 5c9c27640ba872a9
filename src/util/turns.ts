/**
 * Time-slicing for long work on the event loop: the work calls `pass()` between its units, and every
 * `budgetMs` of work it gives the loop a turn (setImmediate runs after the poll phase, so pending requests
 * are read and answered first). One budget is shared by everything that works for one job.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export interface TurnBudget {
  /** True when the current turn has run its budget: the next `pass()` yields. */
  readonly spent: boolean;
  /** Resolves at once while the turn has budget left, else after the event loop has had a turn. */
  pass(): Promise<void>;
}

export function createTurnBudget(
  budgetMs: number,
  clock: () => number = () => performance.now(),
): TurnBudget {
  if (!(budgetMs > 0)) throw new RangeError(`budgetMs must be > 0, got ${budgetMs}`);
  let start = clock();
  return {
    get spent() {
      return clock() - start >= budgetMs;
    },
    async pass() {
      if (clock() - start < budgetMs) return;
      await nextTurn();
      start = clock();
    },
  };
}
