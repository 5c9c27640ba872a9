/**
 * What `simulate` shows on the terminal: the banner with the nodes and what to try, the live table of the nodes
 * (redrawn every second on a terminal) with the latest events under it, or one event a line when the output is
 * not a terminal, and the shutdown summary.
 */
import { join } from 'node:path';
import chalk from 'chalk';
import Table from 'cli-table3';
import type { NodeHandle, ShutdownReport } from '../sim/manager.ts';
import type { RunningSimulation } from '../sim/run.ts';
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
    const out = `${liveTable(sim.nodes)}\n${events.join('\n')}`;
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
  const summary = report.nodes.map((n) => `${n.port}: ${n.result}`).join(', ');
  console.log(chalk.bold(`shut down: ${summary}`));
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

function age(ms: number | undefined): string {
  if (!ms) return '-';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function rate(hps: number): string {
  if (hps >= 1e6) return `${(hps / 1e6).toFixed(2)} MH/s`;
  if (hps >= 1e3) return `${(hps / 1e3).toFixed(1)} kH/s`;
  return `${Math.round(hps)} H/s`;
}

function liveTable(nodes: readonly NodeHandle[]): string {
  const table = new Table({
    head: ['node', 'state', 'height', 'tip', 'peers', 'hash rate', 'mempool', 'last block'].map((h) =>
      chalk.bold(h),
    ),
    style: { head: [], border: [] },
  });
  for (const n of nodes) {
    const s = n.status;
    const state =
      n.state === 'up' ? chalk.green('up') : n.state === 'down' ? chalk.red('down') : chalk.dim(n.state);
    table.push([
      String(n.port),
      state,
      s ? String(s.height) : '-',
      s ? colorHash(s.tip) : '-',
      s ? String(s.peers) : '-',
      rate(n.pow?.hashRate() ?? 0),
      s ? String(s.mempool) : '-',
      age(s?.lastTipAt),
    ]);
  }
  return table.toString();
}
