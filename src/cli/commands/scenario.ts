/**
 * The `scenario` command's options: `validate FILE` and `run FILE`. What they do is in ../scenario/, loaded only
 * when they run. `run` takes simulate's flags too, and each overrides the file's field of the same name.
 */
import type { Argv } from 'yargs';
import { commandRequired, examples } from '../help.ts';
import { givenFlags } from './simulate.ts';

/** `cli` builds chainsim's command line (cli.ts passes it: a live scenario runs as the `simulate` it stands for). */
export function scenarioCommand(
  y: Argv,
  tokens: readonly string[] = [],
  cli?: (argv: string[]) => Argv,
): Argv {
  return y.command(
    'scenario',
    'Run an experiment written as a YAML file (docs/scenarios.md): miners with strategies, a timeline, sweeps',
    (c) =>
      c
        .command(
          'validate <file>',
          'Check a scenario file against scenarios/scenario.schema.json and say what it would run',
          (v) =>
            examples(v, [
              ['check a scenario', '$0 scenario validate scenarios/selfish-mining.yaml'],
            ]).positional('file', { type: 'string', describe: 'the scenario (YAML)' }),
          async (argv) => {
            const { validateScenario } = await import('../scenario/run.ts');
            validateScenario({ file: String(argv.file), raw: argv, given: new Set() });
          },
        )
        .command(
          'run <file>',
          "Run a scenario; a flag given here overrides the file's field",
          (v) =>
            examples(v, [
              [
                "selfish mining at 30% with gamma 0.5 (the issue's example)",
                '$0 scenario run scenarios/selfish-mining.yaml',
              ],
              [
                'revenue against hash share, every core, theory beside each point',
                '$0 scenario run scenarios/selfish-mining.yaml \\',
                '  --sweep alpha=0.1:0.45:0.05 --blocks 5000',
              ],
              [
                'the same file on live nodes (honest scenarios)',
                '$0 scenario run scenarios/partition-and-heal.yaml --live',
              ],
            ])
              .positional('file', { type: 'string', describe: 'the scenario (YAML)' })
              .option('virtual', {
                type: 'boolean',
                describe: 'run in virtual time (the default unless the file says mode: live)',
              })
              .option('live', { type: 'boolean', describe: 'run on live nodes (worker threads, HTTP)' })
              .option('seed', { describe: "the network model's and mining's seed" })
              .option('results', { describe: 'root folder of the results (--no-results: none)' })
              .option('sweep', {
                type: 'string',
                array: true,
                describe:
                  'vary a field: seed=1..8, alpha=0.1:0.45:0.05, gamma=0,0.5,1, miners.0.share=..., nodes, blocks, duration, interval (repeatable: the product)',
              })
              .option('jobs', { describe: 'sweep threads (default: every core)' })
              .option('nodes', { alias: 'n', describe: 'number of nodes' })
              .option('blocks', { describe: 'stop once the best chain is this long' })
              .option('duration', { describe: 'stop after this many (virtual) seconds' })
              .option('interval', { describe: 'virtual: mean seconds between blocks' })
              .option('network', { type: 'string', describe: 'the parameter preset: sim, regtest, bitcoin' })
              .option('topology', { type: 'string', describe: 'full, random:K, ring, line, star, or a file' })
              .option('latency', { describe: 'link latency: 50ms, uniform:a-b, normal:m,sd, pareto:mean' })
              .option('bandwidth', { describe: 'bytes per second, e.g. 1MB/s' })
              .option('loss', { describe: 'probability a block push is lost, e.g. 1%' })
              .option('jitter', { describe: 'extra uniform delay per message, e.g. 5ms' })
              .option('model', { type: 'string', describe: 'a named network model: bitcoin-2019' })
              .option('hash-power', { type: 'string', describe: 'percent per node, e.g. 40,30,30' })
              .option('port', { describe: "live: the manager's HTTP port" })
              .option('base-port', { describe: 'live: node i listens on base-port + i' })
              .option('relay', { type: 'string', describe: 'live: ports or http' })
              .option('host', { type: 'string', describe: 'live: the address to bind' })
              .option('token', { type: 'string', describe: 'live: the bearer token beyond loopback' })
              .option('kernel', { type: 'string', describe: 'live: the proof-of-work kernel' })
              .option('threads', { describe: 'live: proof-of-work threads' })
              .option('log-dir', { type: 'string', describe: 'live: where the logs go' })
              .option('log-level', { type: 'string', describe: 'live: the log level' })
              .option('data-dir', { type: 'string', describe: "live: the nodes' data" })
              .option('in-memory', { type: 'boolean', describe: 'live: keep nothing on disk' })
              .option('fresh', { type: 'boolean', describe: 'live: start the chains from genesis' })
              .epilog(
                'Exit status 2, with FILE:LINE:COL and what was expected, for a file that does not parse or check; ' +
                  'nothing runs then. Results as simulate writes them (summary.json with strategies, blocks.csv, ' +
                  'report.html); a sweep adds sweep.csv with the theory beside each point.',
              ),
          async (argv) => {
            const { runScenario } = await import('../scenario/run.ts');
            const i = tokens.indexOf('run');
            await runScenario(
              { file: String(argv.file), raw: argv, given: givenFlags(tokens.slice(i + 1)) },
              cli,
            );
          },
        )
        .demandCommand(1, commandRequired('scenario command (validate or run)')),
  );
}
