import { readdirSync, readFileSync } from 'node:fs';

// Which processes a test's child started (servers it spawned, their helpers), so a test can check
// that a clean shutdown left none of them behind. Linux only: it reads /proc.

/**
 * A `/proc/<pid>/stat` (or `/proc/<pid>/task/<tid>/stat`) file, split: the command name, and the
 * fields after it from the state on (so `fields[1]` is the parent, `fields[11]` utime). The name sits
 * in parentheses and may itself hold spaces and parentheses, hence the last `)`. Undefined once the
 * process is gone.
 */
export function readProcStat(path: string): { comm: string; fields: string[] } | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    const close = stat.lastIndexOf(')');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), fields: stat.slice(close + 2).split(' ') };
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  const stat = readProcStat(`/proc/${pid}/stat`);
  return stat ? Number(stat.fields[1]) : undefined;
}

/** Every live descendant of `root` (children, grandchildren, …), detached ones included. */
export function descendantPids(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const parent = parentOf(pid);
    if (parent !== undefined) parents.set(pid, parent);
  }
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return parentOf(pid) !== undefined && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}
