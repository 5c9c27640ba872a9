import type { StartupErrorCode } from '../node/startup-error.ts';

/** A start-up failure the CLI reports without a stack, naming what to change. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
  constructor(
    message: string,
    /** The failing node's start-up code, when a node did not start (node/startup-error.ts). */
    readonly code?: StartupErrorCode,
  ) {
    super(message);
  }
}
