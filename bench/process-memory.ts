import { readFileSync } from 'node:fs';
import type { ManagedProcess } from '../test/harness/processes.js';

/** Peak resident memory (VmHWM) of a running child process, in MB, read from /proc. */
export function peakRssMb(process: ManagedProcess): number {
  const status = readFileSync(`/proc/${process.child.pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}
