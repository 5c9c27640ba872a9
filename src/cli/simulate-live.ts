/**
 * A live `simulate` run (commands/simulate.ts has its options; loaded only for a live run): --fresh's deletion,
 * the log folder, starting the simulation, its terminal view (simulate-view.ts), Ctrl-C, and the exit once it
 * stopped.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import chalk from 'chalk';
import { createFileLogger, silentLogger } from '../runtime/logger.ts';
import { SimulationError } from '../sim/manager.ts';
import { runSimulation, type RunningSimulation } from '../sim/run.ts';
import { removeDataDir } from '../store/store.ts';
import { UsageError } from './output.ts';
import { runId, type SimulateArgs } from './simulate-args.ts';
import { printBanner, printShutdown, startLiveView } from './simulate-view.ts';

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export async function simulate(args: SimulateArgs): Promise<void> {
  if (args.fresh && args.dataDir) {
    const target = join(args.dataDir, args.network);
    if (existsSync(target)) {
      if (
        process.stdin.isTTY &&
        !args.yes &&
        !(await confirm(`Delete ${target} and start a new ${args.network} chain? [y/N] `))
      ) {
        throw new UsageError('not deleted: run without --fresh to continue the existing chain');
      }
      removeDataDir(target);
      console.log(chalk.dim(`deleted ${target}`));
    }
  }
  const run = runId();
  const logDir = join(args.logDir, run);
  const managerLog = join(logDir, 'manager.log');
  if (args.logLevel !== 'silent') {
    try {
      mkdirSync(logDir, { recursive: true });
    } catch (err) {
      throw new UsageError(`--log-dir: cannot create ${logDir}: ${(err as Error).message}`);
    }
  }
  const log =
    args.logLevel === 'silent'
      ? null
      : createFileLogger({
          file: managerLog,
          level: args.logLevel,
          onError: (err) =>
            console.error(chalk.yellow(`warning: ${managerLog} cannot be written: ${err.message}`)),
        });
  const logger = log?.logger ?? silentLogger();
  const tty = Boolean(process.stdout.isTTY);
  console.log(chalk.bold(`chainsim: starting ${args.nodes} node(s) on the ${args.network} network…`));
  let running: RunningSimulation;
  try {
    running = await runSimulation({
      nodes: args.nodes,
      port: args.port,
      basePort: args.basePort,
      host: args.host,
      network: args.network,
      ...(args.hashPower ? { hashPower: args.hashPower } : {}),
      kernel: args.kernel,
      ...(args.threads ? { threads: args.threads } : {}),
      logDir: args.logLevel === 'silent' ? null : logDir,
      logLevel: args.logLevel,
      logger,
      ...(args.token ? { token: args.token } : {}),
      dataDir: args.dataDir,
      ...(args.reindex ? { reindex: true } : {}),
      relay: args.relay,
      ...(args.advertise ? { advertise: args.advertise } : {}),
      model: args.model,
      results: args.results,
      runId: run,
      ...(args.stopAfter ? { stopAfter: args.stopAfter } : {}),
    });
  } catch (err) {
    if (err instanceof SimulationError) {
      // The run never started (a busy port, ...): the message says why, and its log folder would be clutter.
      await log?.end();
      rmSync(logDir, { recursive: true, force: true });
      throw new UsageError(err.message);
    }
    throw err;
  }
  const { sim } = running;
  sim.on('warning', (m) => console.error(chalk.yellow(`warning: ${m}`)));
  printBanner(running, args, logDir);

  const view = startLiveView(running, tty);

  if (args.mine) sim.startContinuous();

  let signalled = false;
  const onSignal = (sig: string): void => {
    if (signalled) return;
    signalled = true;
    view.note(`${sig}: shutting down`);
    void running.shutdown();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const report = await running.stopped;
  view.stop();
  printShutdown(report);
  await log?.end();
  process.exit(0);
}
