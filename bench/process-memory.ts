import { readFileSync } from 'node:fs';
import type { ManagedProcess } from '../test/harness/processes.js';

/** Peak resident memory (VmHWM) of a running child process, in MB, read from /proc. */
export function peakRssMb(process: ManagedProcess): number {
  return statusMb(process, 'VmHWM');
}

/** Resident memory now (VmRSS), in MB: before any work, it is what the process costs idle. */
export function rssMb(process: ManagedProcess): number {
  return statusMb(process, 'VmRSS');
}

function statusMb(process: ManagedProcess, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${process.child.pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}
