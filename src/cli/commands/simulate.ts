import type { Argv } from 'yargs';
import { EXIT_USAGE } from '../output.ts';

export function simulateCommand(y: Argv): Argv {
  return y.command(
    'simulate',
    'Run a network of nodes and the manager (not yet: see issue 5)',
    (c) => c.option('nodes', { type: 'number', default: 6, describe: 'number of nodes' }),
    () => {
      console.error(
        'chainsim simulate: not yet. The network manager lands with issue 5; today the CLI offers `header`, `merkle` and `headers verify`.',
      );
      process.exitCode = EXIT_USAGE;
    },
  );
}
