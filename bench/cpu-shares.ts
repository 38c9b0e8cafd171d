import { readdirSync, readFileSync } from 'node:fs';
import { readProcStat } from '../test/harness/process-tree.js';

// Where the machine's CPU went during a measured window, read from /proc: per process group (the
// orchestrator, the agents, Temporal, the Docker daemons, PostgreSQL…) and per thread of the
// orchestrator. On a 2-core machine that runs every part of the benchmark, this is what tells "the
// orchestrator works" apart from "the orchestrator waits for a core".

/** Linux's USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream architecture). */
const TICKS_PER_SECOND = 100;

interface ProcessTicks {
  comm: string;
  /** Start time since boot: tells a reused pid from the process seen before. */
  started: number;
  /** Kernel threads (children of kthreadd, pid 2) do the network and disk work of containers. */
  kernel: boolean;
  /** utime + stime + cutime + cstime: its own CPU time and that of the children it has reaped. */
  ticks: number;
}

export interface CpuSnapshot {
  at: number;
  /** Busy ticks of the whole machine (all CPUs), from /proc/stat. */
  machineBusy: number;
  machineTotal: number;
  processes: Map<number, ProcessTicks>;
  /** Per thread of the watched process: own CPU time only. */
  threads: Map<number, ProcessTicks>;
}

/** `ownOnly`: utime + stime alone, as for threads, whose stat repeats the process's reaped children. */
function readTicks(path: string, ownOnly: boolean): ProcessTicks | undefined {
  const stat = readProcStat(path);
  if (!stat) return undefined; // it exited between listing and reading
  const { comm, fields } = stat;
  const own = [11, 12];
  const ticks = (ownOnly ? own : [...own, 13, 14]).reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  return { comm, ticks, started: Number(fields[19] ?? 0), kernel: fields[1] === '2' };
}

function threadTicks(pid: number): Map<number, ProcessTicks> {
  const threads = new Map<number, ProcessTicks>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    const t = readTicks(`/proc/${pid}/task/${tid}/stat`, true);
    if (t) threads.set(Number(tid), t);
  }
  return threads;
}

/** The machine's CPU ticks so far, all CPUs together: total and busy (neither idle nor iowait). */
export function machineTicks(): { total: number; busy: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, ...values] = line.trim().split(/\s+/);
  const n = values.map(Number);
  // user nice system idle iowait irq softirq steal
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { total, busy: total - (n[3] ?? 0) - (n[4] ?? 0) };
}

export function cpuSnapshot(watchedPid: number): CpuSnapshot {
  const { total: machineTotal, busy: machineBusy } = machineTicks();
  const processes = new Map<number, ProcessTicks>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // init (pid 1) reaps orphans, and with one inherits all of its life's CPU time, most of it from
    // before the window: only its own time counts. (Another subreaper would do the same; none of
    // the benchmark's processes is one but containerd's shims, whose children live in the window.)
    const p = readTicks(`/proc/${entry}/stat`, entry === '1');
    if (p) processes.set(Number(entry), p);
  }
  return { at: Date.now(), machineBusy, machineTotal, processes, threads: threadTicks(watchedPid) };
}

export interface CpuShares {
  wallSeconds: number;
  /** CPU-seconds the machine could give in the window (cores × wall). */
  capacitySeconds: number;
  busySeconds: number;
  groups: { name: string; seconds: number }[];
  threads: { name: string; seconds: number }[];
}

/**
 * The CPU-seconds each group used between two snapshots. `groupOf` names a process's group (by pid
 * or command); processes that started inside the window count from zero. What no counted process
 * accounts for (processes that started and exited inside it, reaped by an uncounted parent) is
 * the "not attributed" line.
 */
export function cpuShares(
  before: CpuSnapshot,
  after: CpuSnapshot,
  groupOf: (pid: number, comm: string) => string,
  watchedPid: number,
): CpuShares {
  const seconds = (ticks: number) => ticks / TICKS_PER_SECOND;
  const sums = new Map<string, number>();
  for (const [pid, p] of after.processes) {
    const previous = before.processes.get(pid);
    const delta = previous && previous.started === p.started ? p.ticks - previous.ticks : p.ticks;
    const name = p.kernel ? 'kernel threads (network, disk)' : groupOf(pid, p.comm);
    sums.set(name, (sums.get(name) ?? 0) + Math.max(0, delta));
  }
  const busy = after.machineBusy - before.machineBusy;
  const attributed = [...sums.values()].reduce((a, b) => a + b, 0);
  // Busy includes interrupts and steal (the hypervisor's), which no process carries.
  if (busy > attributed)
    sums.set('not attributed (interrupts, steal, short-lived processes)', busy - attributed);
  // cutime can carry a reaped child's time from before the window: shown, not hidden.
  if (attributed > busy) sums.set('counted beyond busy (children reaped from before)', busy - attributed);
  const threadSums = new Map<string, number>();
  for (const [tid, t] of after.threads) {
    const previous = before.threads.get(tid);
    const delta = previous && previous.started === t.started ? t.ticks - previous.ticks : t.ticks;
    const name = tid === watchedPid ? 'main thread' : t.comm === 'node' ? `node thread ${tid}` : t.comm;
    threadSums.set(name, (threadSums.get(name) ?? 0) + Math.max(0, delta));
  }
  const sorted = (m: Map<string, number>) =>
    [...m].map(([name, ticks]) => ({ name, seconds: seconds(ticks) })).sort((a, b) => b.seconds - a.seconds);
  return {
    wallSeconds: (after.at - before.at) / 1000,
    capacitySeconds: seconds(after.machineTotal - before.machineTotal),
    busySeconds: seconds(busy),
    groups: sorted(sums),
    threads: sorted(threadSums).filter((t) => t.seconds > 0),
  };
}

export function formatCpuShares(shares: CpuShares, during: string, threadsShown = 6): string[] {
  const f = (s: number) => `${s.toFixed(1).padStart(7)} s`;
  const pct = (s: number) => `${((100 * s) / shares.capacitySeconds).toFixed(0).padStart(3)} %`;
  return [
    `CPU during ${during} (from /proc: ${shares.wallSeconds.toFixed(1)} s wall, ` +
      `${shares.capacitySeconds.toFixed(1)} CPU-s available, ${shares.busySeconds.toFixed(1)} busy)`,
    ...foldOthers(shares.groups).map((g) => `  ${g.name.padEnd(50)} ${f(g.seconds)}  ${pct(g.seconds)}`),
    ...(threadsShown > 0
      ? [
          'orchestrator threads (CPU-s)',
          ...shares.threads.slice(0, threadsShown).map((t) => `  ${t.name.padEnd(50)} ${f(t.seconds)}`),
        ]
      : []),
  ];
}

/** Groups named `other: <command>` become one `other` line that names its two largest commands. */
function foldOthers(groups: CpuShares['groups']): CpuShares['groups'] {
  const others = groups.filter((g) => g.name.startsWith('other: '));
  if (others.length === 0) return groups;
  const seconds = others.reduce((sum, g) => sum + g.seconds, 0);
  const largest = others
    .slice(0, 2)
    .map((g) => g.name.slice('other: '.length))
    .join(', ');
  return [
    ...groups.filter((g) => !g.name.startsWith('other: ')),
    { name: `other (most: ${largest})`, seconds },
  ].sort((a, b) => b.seconds - a.seconds);
}
