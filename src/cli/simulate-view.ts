/**
 * What `simulate` shows on the terminal: the banner with the nodes and what to try, the live table of the nodes
 * (redrawn every second on a terminal) with the latest events under it, or one event a line when the output is
 * not a terminal, and the shutdown summary.
 */
import { join } from 'node:path';
import chalk from 'chalk';
import Table from 'cli-table3';
import type { ShutdownReport, Simulation } from '../sim/manager.ts';
import type { RunningSimulation } from '../sim/run.ts';
import { liveTable, type LiveRow } from './live-table.ts';
import type { SimulateArgs } from './simulate-args.ts';
import { networkLine } from './simulate-network.ts';

export interface LiveView {
  /** One event line, stamped with the time. */
  note(line: string): void;
  /** Stops redrawing, after drawing the table one last time. */
  stop(): void;
}

/** Follows the simulation's tips, downs and ups; on a terminal, redraws the nodes' table every second. */
export function startLiveView(running: RunningSimulation, tty: boolean): LiveView {
  const { sim } = running;
  const events: string[] = [];
  const note = (line: string): void => {
    const stamped = `${chalk.dim(new Date().toISOString())} ${line}`;
    if (tty) {
      events.push(stamped);
      if (events.length > 6) events.shift();
    } else {
      console.log(stamped);
    }
  };
  sim.on('tip', (node, tip) => {
    if (tip.mined) note(`node ${node.port} mined block ${tip.height} ${colorHash(tip.hash)}`);
    if (tip.disconnected > 0)
      note(
        chalk.yellow(
          `node ${node.port} reorganised: ${tip.disconnected} block(s) replaced, tip ${tip.height}`,
        ),
      );
  });
  sim.on('down', (node, reason) =>
    note(
      chalk.red(
        `node ${node.port} is down (${reason}); POST ${running.managerUrl}/nodes/${node.port}/restart brings it back`,
      ),
    ),
  );
  sim.on('up', (node) => note(chalk.green(`node ${node.port} is up`)));

  let lines = 0;
  const render = (): void => {
    const out = `${liveTable(liveRows(sim), Date.now())}\n${events.join('\n')}`;
    process.stdout.write(`${lines > 0 ? `\x1b[${lines}A\x1b[J` : ''}${out}\n`);
    lines = out.split('\n').length;
  };
  const timer = tty ? setInterval(render, 1000) : null;
  return {
    note,
    stop(): void {
      if (timer) {
        clearInterval(timer);
        render();
      }
    },
  };
}

export function printBanner(running: RunningSimulation, args: SimulateArgs, logDir: string): void {
  const { sim } = running;
  const table = new Table({
    head: ['node', 'id', 'address', 'hash power'].map((h) => chalk.bold(h)),
    style: { head: [], border: [] },
  });
  for (const n of sim.nodes)
    table.push([String(n.index), n.id, `http://${n.address}`, `${n.share.toFixed(1)}%`]);
  const first = sim.nodes[0]!;
  const third = sim.nodes[Math.min(2, sim.nodes.length - 1)]!;
  console.log(table.toString());
  console.log(
    [
      `${chalk.bold('manager')}  ${running.managerUrl}   ${chalk.bold('network')} ${args.network}   ${chalk.bold('pool')} ${sim.kernelName} kernel   ${chalk.bold('height')} ${sim.nodes[0]?.status?.height ?? 0}`,
      `${chalk.bold('model')}    ${networkLine(sim.network.view())}`,
      `${chalk.bold('logs')}     ${args.logLevel === 'silent' ? '(off)' : logDir}`,
      `${chalk.bold('data')}     ${args.dataDir ? `${join(args.dataDir, args.network)}/node-<port>  (chains resume here; --fresh starts over)` : '(in memory)'}`,
      ...(args.token
        ? [
            `${chalk.bold('token')}    ${args.token}  (send Authorization: Bearer <token> to mine, register, restart and shut down)`,
          ]
        : []),
      '',
      chalk.bold('Try:'),
      `  curl http://${first.address}/node/id`,
      `  curl http://${first.address}/chain`,
      `  curl ${running.managerUrl}/start/mining       ${chalk.dim('# every node mines one block, 1-3 s apart')}`,
      `  curl http://${third.address}/chain`,
      `  curl ${running.managerUrl}/mining/start       ${chalk.dim('# continuous mining, by hash-power share')}`,
      `  curl ${running.managerUrl}/network`,
      `  curl ${running.managerUrl}/shutdown/all       ${chalk.dim('# or Ctrl-C')}`,
      '',
    ].join('\n'),
  );
}

export function printShutdown(report: ShutdownReport): void {
  const exited = report.nodes.filter((n) => n.result === 'exited').length;
  const others = report.nodes.filter((n) => n.result !== 'exited').map((n) => `${n.port} ${n.result}`);
  console.log(
    chalk.bold(`shut down ${report.nodes.length} node(s): ${[`${exited} exited`, ...others].join(', ')}`),
  );
  if (report.results)
    console.log(`${chalk.bold('results')}  ${report.results}  (summary.json, blocks.csv, report.html)`);
}

const PALETTE = [
  chalk.cyan,
  chalk.magenta,
  chalk.yellow,
  chalk.green,
  chalk.blue,
  chalk.redBright,
  chalk.whiteBright,
];

/** A short tip hash coloured by its value: nodes that agree show the same colour. */
export function colorHash(hash: string): string {
  const short = hash.slice(0, 16);
  const color = PALETTE[parseInt(hash.slice(-4), 16) % PALETTE.length]!;
  return color(short);
}

/** A partition group as the table shows it: numbered from 1 in the order the partition lists them. */
function groupLabel(group: number | null): string | null {
  return group === null ? null : String(group + 1);
}

/** The live table's lines, from the simulation's nodes and its ledger. */
export function liveRows(sim: Simulation): LiveRow[] {
  return sim.nodes.map((n) => ({
    port: n.port,
    state: n.state,
    group: groupLabel(sim.network.groupOf(n.port)),
    height: n.status?.height ?? null,
    tip: n.status?.tip ?? null,
    peers: n.status?.peers ?? null,
    mempool: n.status?.mempool ?? null,
    mined: sim.measure.minedBy(n.port),
    hashRate: n.pow?.hashRate() ?? 0,
    lastBlockAt: sim.measure.tipMinedAt(n),
  }));
}
