/** Types of build.mjs, for the tests that import it. */
export interface Step {
  name: string;
  /** Files and folders (every file under a folder). */
  inputs: string[];
  /** Which files under the inputs count. */
  filter?: (path: string) => boolean;
  outputs: string[];
  /** Arguments to this node, run in the root folder. */
  command: () => string[];
}

export const STEPS: Step[];

export class BuildError extends Error {
  readonly step: string;
  readonly status: number;
  constructor(step: string, status: number);
}

export function build(opts?: {
  root?: string;
  steps?: Step[];
  force?: boolean;
  log?: (line: string) => void;
}): string[];
