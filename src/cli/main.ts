#!/usr/bin/env node
/**
 * chainsim's command line. Commands live in ./commands; this file wires them into yargs and turns errors
 * into exit codes (0 ok, 1 invalid data, 2 usage).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { headerCommand } from './commands/header.ts';
import { headersCommand } from './commands/headers.ts';
import { merkleCommand } from './commands/merkle.ts';
import { nodeCommand } from './commands/node.ts';
import { proofCommand } from './commands/proof.ts';
import { sendCommand } from './commands/send.ts';
import { simulateCommand } from './commands/simulate.ts';
import { walletCommand } from './commands/wallet.ts';
import { EXIT_USAGE, UsageError, bad } from './output.ts';

export async function main(argv: string[]): Promise<void> {
  let cli = yargs(argv)
    .scriptName('chainsim')
    .usage('$0 <command> [options]\n\nA live, Bitcoin-faithful blockchain network simulator.')
    .strict()
    .demandCommand(1, 'name a command; see the list above')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      console.error(bad(`error: ${msg}`));
      console.error('run `chainsim --help` (or `chainsim <command> --help`) for usage');
      process.exit(EXIT_USAGE);
    });
  cli = simulateCommand(cli);
  cli = headerCommand(cli);
  cli = merkleCommand(cli);
  cli = headersCommand(cli);
  cli = nodeCommand(cli);
  cli = walletCommand(cli);
  cli = sendCommand(cli);
  cli = proofCommand(cli);
  try {
    await cli.parseAsync();
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(bad(`error: ${err.message}`));
      process.exit(EXIT_USAGE);
    }
    throw err;
  }
}

await main(hideBin(process.argv));
