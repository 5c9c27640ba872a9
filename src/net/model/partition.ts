/** Partitions: groups of nodes that reach only each other ('5000-5005/5006-5011'); a node in no group is alone. */
import { badValue, shown } from './errors.ts';
import { portIndexer } from './edge-file.ts';

/**
 * A --partition value: groups separated by '/', each a comma-separated list of ports and port ranges
 * ('5000-5005/5006-5011', '5000,5001/5002'), as node indices. Checked as checkPartition does.
 */
export function parsePartition(text: string, ports: readonly number[]): number[][] {
  const expected =
    "a partition is groups of ports separated by '/', like 5000-5005/5006-5011 or 5000,5001/5002";
  if (typeof text !== 'string' || text.trim() === '') throw badValue(`${expected}, got ${shown(text)}`);
  const indexOf = portIndexer(ports);
  const groups = text.split('/').map((group, g) => {
    const where = `partition group ${g + 1}: `;
    if (group.trim() === '') throw badValue(`${where}is empty (${expected})`);
    return group.split(',').flatMap((item) => {
      const t = item.trim();
      const range = /^(\d+)\s*-\s*(\d+)$/.exec(t);
      if (range === null) return [indexOf(t, where)];
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (from > to) throw badValue(`${where}the range ${t} runs backwards (write the smaller port first)`);
      const out: number[] = [];
      for (let p = from; p <= to; p++) out.push(indexOf(String(p), where));
      return out;
    });
  });
  checkPartition(groups, ports.length, (i) => String(ports[i] ?? i));
  return groups;
}

/** Array.isArray without narrowing a typed array to any[] (the groups may come from a JSON body). */
function isList(x: unknown): boolean {
  return Array.isArray(x);
}

/**
 * Refuses a partition with an empty group, a node outside 0..n-1, or a node in two groups (ModelError
 * bad-value naming them; `name` shows a node as the user knows it, its port say). Returns the groups, sorted.
 */
export function checkPartition(
  groups: readonly (readonly number[])[],
  n: number,
  name: (i: number) => string = String,
): number[][] {
  if (!isList(groups) || groups.length === 0)
    throw badValue(`a partition needs at least one group of nodes, got ${shown(groups)}`);
  const groupOf = new Map<number, number>();
  const problems: string[] = [];
  for (const [g, group] of groups.entries()) {
    if (!isList(group) || group.length === 0) {
      problems.push(`group ${g + 1} is empty`);
      continue;
    }
    for (const i of group) {
      if (!Number.isSafeInteger(i) || i < 0 || i >= n) {
        problems.push(`node ${shown(i)} is not in the simulation (nodes 0 to ${n - 1})`);
        continue;
      }
      const before = groupOf.get(i);
      if (before === undefined) groupOf.set(i, g);
      else if (before === g) problems.push(`node ${name(i)} is listed twice in group ${g + 1}`);
      else problems.push(`node ${name(i)} is in groups ${before + 1} and ${g + 1}`);
    }
  }
  if (problems.length > 0) throw badValue(`bad partition: ${problems.join('; ')}`);
  return groups.map((g) => [...g].sort((a, b) => a - b));
}
