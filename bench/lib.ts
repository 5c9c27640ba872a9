/** Shared bench helpers: a table on screen, JSON on disk (bench/results/<name>.json), progress on stderr. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { availableParallelism, cpus, loadavg } from 'node:os';
import chalk from 'chalk';
import Table from 'cli-table3';
import { requestJSON } from '../dist/net/http-client.js';

export const RESULTS_DIR = new URL('./results/', import.meta.url);

export function writeResults(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const url = new URL(`${name}.json`, RESULTS_DIR);
  writeFileSync(
    url,
    `${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  );
  return url.pathname;
}

export function printTable(title: string, head: string[], rows: Array<Array<string | number>>): void {
  const table = new Table({ head: head.map((h) => chalk.bold(h)), style: { head: [], border: [] } });
  for (const r of rows) table.push(r.map(String));
  console.log(chalk.bold.cyan(`\n${title}`));
  console.log(table.toString());
}

/** One-line progress on stderr when it is a terminal, a plain line otherwise. */
export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${chalk.dim(message)}`);
  else process.stderr.write(`${message}\n`);
}

export function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export function machine(): { node: string; cpus: number; cpu: string; loadavg: number[] } {
  return {
    node: process.version,
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model ?? process.arch,
    // The 1, 5 and 15 minute load averages: the machine is shared, so figures are only as quiet as this.
    loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** The 1-minute load average, for progress lines and notes. */
export function load1(): string {
  return loadavg()[0]!.toFixed(2);
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A base port such that base .. base+count-1 are free now. Below Linux's ephemeral range (32768-60999): a
 * simulator's own client sockets (the manager fetching `/node/id` while later nodes still bind, peers relaying)
 * take ports from that range, and one of them could be a node's port by the time that node listens.
 */
export async function freePortRun(count: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
}

/** One keep-alive `GET path` on 127.0.0.1:`port`: its latency in ms, or null for an error or a non-200 answer. */
async function timedGet(agent: Agent, port: number, path: string): Promise<number | null> {
  const t0 = performance.now();
  try {
    const { status } = await requestJSON(`http://127.0.0.1:${port}${path}`, {
      agent,
      timeoutMs: 5_000,
      readBody: false,
    });
    return status === 200 ? performance.now() - t0 : null;
  } catch {
    return null;
  }
}

/**
 * `total` keep-alive `GET path` requests over `concurrency` connections (chainsim's HTTP client, node:http:
 * lighter than fetch, so the client measures the server rather than itself); `portOf(i)` picks the port of request i.
 */
export async function httpLoad(
  portOf: (i: number) => number,
  total: number,
  concurrency: number,
  path = '/node/id',
): Promise<{ latencies: number[]; errors: number; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const one = async (port: number): Promise<void> => {
    const ms = await timedGet(agent, port, path);
    if (ms === null) errors++;
    else latencies.push(ms);
  };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < total) await one(portOf(issued++));
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { latencies, errors, seconds };
}

/**
 * Open-loop load: `GET path` at a fixed `rate` per second for `seconds`, each request sent on time whether or
 * not earlier ones have answered, as independent users probing nodes would; `portOf(i)` picks the port of
 * request i. Unlike `httpLoad`, which sends as fast as answers come back and so keeps the cores busy with its
 * own work, this measures the latency a request meets at that rate.
 *
 * The client is a bare keep-alive HTTP/1.1 client over node:net (like `postLoad`), one request at a time per
 * connection, a new connection only when every open one to that port is busy. It shares the machine's two
 * cores with the simulator it measures, so it must cost little: node:http's client took ~0.2-0.3 ms of CPU a
 * request, and its garbage cost collections of 2-8 ms in this process, which stretched every request in
 * flight meanwhile (seen as slow answers from every node at once).
 */
export async function rateLoad(
  portOf: (i: number) => number,
  rate: number,
  seconds: number,
  path = '/node/id',
): Promise<{ latencies: number[]; errors: number; sent: number }> {
  const client = createLeanGetClient(path);
  const latencies: number[] = [];
  const inFlight: Array<Promise<void>> = [];
  let errors = 0;
  let sent = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    for (; sent < due; sent++) {
      inFlight.push(
        client.get(portOf(sent)).then((ms) => {
          if (ms === null) errors++;
          else latencies.push(ms);
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  client.close();
  return { latencies, errors, sent };
}

/**
 * The first HTTP/1.1 answer in `pending`, for the bare clients here: its status and its length in bytes
 * (head and body); null while it is incomplete; 'no-length' when its head has no Content-Length, which these
 * clients cannot frame (fastify's JSON answers always have one).
 */
function frameAnswer(pending: Buffer): { status: number; total: number } | null | 'no-length' {
  const end = pending.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = pending.subarray(0, end).toString('latin1');
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (!length) return 'no-length';
  const total = end + 4 + Number(length[1]);
  return pending.length < total ? null : { status: Number(head.slice(9, 12)), total };
}

/** `GET path` on 127.0.0.1:port over reused raw connections; each answer's latency, or null (error, non-200). */
function createLeanGetClient(path: string): { get(port: number): Promise<number | null>; close(): void } {
  const idle = new Map<number, Socket[]>();
  const all = new Set<Socket>();
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`, 'latin1');
  const open = (port: number): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
      all.add(socket);
      socket.once('close', () => all.delete(socket));
    });
  const get = async (port: number): Promise<number | null> => {
    const t0 = performance.now();
    let socket: Socket;
    try {
      socket = idle.get(port)?.pop() ?? (await open(port));
    } catch {
      return null;
    }
    return new Promise((resolve) => {
      let pending: Buffer = Buffer.alloc(0);
      const done = (ms: number | null): void => {
        socket.off('data', onData);
        socket.off('error', onError);
        if (ms === null) socket.destroy();
        else {
          const free = idle.get(port);
          if (free) free.push(socket);
          else idle.set(port, [socket]);
        }
        resolve(ms);
      };
      const onError = (): void => done(null);
      const onData = (chunk: Buffer): void => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        const answer = frameAnswer(pending);
        if (answer === 'no-length') return done(null);
        if (answer) done(answer.status === 200 ? performance.now() - t0 : null);
      };
      socket.on('data', onData);
      socket.on('error', onError);
      socket.write(request);
    });
  };
  return {
    get,
    close: () => {
      for (const s of all) s.destroy();
    },
  };
}

export function round(x: number, places = 2): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}

/**
 * POSTs every body to `http://host:port/path`, `concurrency` requests in flight, each on its own keep-alive
 * connection, and returns each request's status and latency. A bare HTTP/1.1 client over node:net: the load
 * generator shares this machine's cores with the server it measures, and this one costs about 0.1 ms of CPU a
 * request where node:http costs 0.2 to 0.3 ms and fetch more (measured on the 2-core target machine), so the
 * figure is the server's, not the client's. Answers must carry a Content-Length (fastify's JSON ones do).
 */
export async function postLoad(
  host: string,
  port: number,
  path: string,
  bodies: readonly string[],
  concurrency: number,
): Promise<{ statuses: number[]; latencies: number[]; seconds: number }> {
  const statuses: number[] = [];
  const latencies: number[] = [];
  let next = 0;
  const connection = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      let pending: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = (): void => {
        if (next >= bodies.length) {
          socket.end();
          resolve();
          return;
        }
        const body = Buffer.from(bodies[next++]!);
        const head =
          `POST ${path} HTTP/1.1\r\nhost: ${host}:${port}\r\ncontent-type: application/json\r\n` +
          `content-length: ${body.length}\r\n\r\n`;
        sentAt = performance.now();
        socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
      };
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        for (;;) {
          const answer = frameAnswer(pending);
          if (answer === null) return;
          if (answer === 'no-length') {
            socket.destroy();
            reject(
              new Error(`an answer without content-length: ${pending.toString('latin1').split('\r\n')[0]}`),
            );
            return;
          }
          statuses.push(answer.status);
          latencies.push(performance.now() - sentAt);
          pending = pending.subarray(answer.total);
          send();
        }
      });
      socket.on('error', reject);
      socket.on('connect', send);
    });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, connection));
  return { statuses, latencies, seconds: (performance.now() - t0) / 1000 };
}
