/**
 * Stopping one node's worker as the old project stops a node: `GET /shutdown` to it, then confirm its worker
 * exited; a node that cannot answer is told through its port, and one that hangs is terminated.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { httpJSON } from '../net/http-client.ts';
import type { NodeHandle } from './types.ts';

export type StopResult = 'exited' | 'terminated' | 'already-down';

export async function stopNodeWorker(
  n: NodeHandle,
  o: { readonly timeoutMs: number; readonly token: string | undefined; readonly log: Logger },
): Promise<StopResult> {
  if (!n.worker) return 'already-down';
  const worker = n.worker;
  // Stopped on purpose from now on: no push is routed to it, and its exit is not a crash.
  n.state = 'stopped';
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  await httpJSON(`http://${n.address}/shutdown`, { timeoutMs: 2000, token: o.token }).catch(() => {
    // A node that cannot answer is told through its port, then terminated if it hangs.
    worker.postMessage({ type: 'shutdown' });
  });
  const ok = await Promise.race([exited.then(() => true), sleep(o.timeoutMs).then(() => false)]);
  if (ok) return 'exited';
  await worker.terminate();
  o.log.warn({ node: n.port }, `node ${n.port} did not exit within ${o.timeoutMs} ms: terminated`);
  return 'terminated';
}
