/**
 * The process's limit of open files (the soft RLIMIT_NOFILE), read from /proc on Linux; undefined elsewhere.
 * Node has no getrlimit: the simulator shares this limit out among its servers (sim/node-config.ts).
 */
import { readFileSync } from 'node:fs';

export function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    const n = Number(soft);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
