/**
 * chainsim's command line: the commands (./commands) wired into yargs, and the usage errors (exit 2). main.ts
 * runs it; tests build it to read the help of every command.
 */
import yargs, { type Argv } from 'yargs';
import { headerCommand } from './commands/header.ts';
import { headersCommand } from './commands/headers.ts';
import { merkleCommand } from './commands/merkle.ts';
import { nodeCommand } from './commands/node.ts';
import { proofCommand } from './commands/proof.ts';
import { scenarioCommand } from './commands/scenario.ts';
import { sendCommand } from './commands/send.ts';
import { simulateCommand } from './commands/simulate.ts';
import { walletCommand } from './commands/wallet.ts';
import { commandRequired, helpWidth, isCommandRequired } from './help.ts';
import { EXIT_USAGE, bad } from './output.ts';

export function createCli(argv: string[], opts: { width?: number } = {}): Argv {
  let cli = yargs(argv)
    .scriptName('chainsim')
    .usage('$0 <command> [options]\n\nA live, Bitcoin-faithful blockchain network simulator.')
    .strict()
    .demandCommand(1, commandRequired('command'))
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(opts.width ?? helpWidth())
    .fail((msg, err, y) => {
      if (err) throw err;
      // No (sub)command: the list of them is what the user needs.
      if (isCommandRequired(msg)) y.showHelp('error');
      console.error(bad(`error: ${msg}`));
      if (!isCommandRequired(msg))
        console.error('run `chainsim --help` (or `chainsim <command> --help`) for usage');
      process.exit(EXIT_USAGE);
    });
  for (const command of [
    simulateCommand,
    scenarioCommand,
    headerCommand,
    merkleCommand,
    headersCommand,
    nodeCommand,
    walletCommand,
    sendCommand,
    proofCommand,
  ])
    cli = command(cli, argv, createCli);
  return cli;
}
