#!/usr/bin/env node
/** The `chainsim` program: runs the command line (cli.ts), turning usage errors into exit status 2. */
import { hideBin } from 'yargs/helpers';
import { createCli } from './cli.ts';
import { EXIT_USAGE, UsageError, bad } from './output.ts';

try {
  await createCli(hideBin(process.argv)).parseAsync();
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(bad(`error: ${err.message}`));
  process.exit(EXIT_USAGE);
}
