import {
  constants,
  monitorEventLoopDelay,
  type PerformanceEntry,
  PerformanceObserver,
  performance,
} from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { machineTicks } from './cpu-shares.js';
import { percentile } from './history-timeline.js';

// What the API's own process went through while the load ran, to tell apart where a slow request
// spent its time: in the handler, queued behind other work on the event loop (the loop's delay),
// stopped by garbage collection, or waiting for a core (the machine's busy share).

export interface ProcessProbeFigures {
  handlerP50: number;
  handlerP99: number;
  loopDelayP50: number;
  loopDelayP99: number;
  loopDelayMax: number;
  gcPauses: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** Full (mark-compact) collections: the long pauses; their time is the heap's size at work. */
  gcMajor: number;
  /** This process's V8 heap in use when the load ended, MB. */
  heapUsedMb: number;
  /** This process's CPU time over the window, as a share of one core. */
  processCpuPercent: number;
  /** The whole machine's busy time over the window, as a share of all its cores. */
  machineBusyPercent: number;
}

/** Handler durations (ms): the API records each request's time from Hono receiving it to its response. */
export class HandlerTimes {
  private times: number[] = [];
  record(ms: number): void {
    this.times.push(ms);
  }
  take(): number[] {
    const taken = this.times;
    this.times = [];
    return taken;
  }
}

export function startProcessProbe(handlers: HandlerTimes): { stop(): ProcessProbeFigures } {
  handlers.take();
  // 1 ms resolution: the tail being looked for is tens of milliseconds. The histogram holds the time
  // between samples, so an idle loop reads about 1.1 ms: the delay is what lies above the 1 ms.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const pauses: number[] = [];
  let major = 0;
  const onEntry = (entry: PerformanceEntry) => {
    pauses.push(entry.duration);
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) major += 1;
  };
  const gc = new PerformanceObserver((list) => list.getEntries().forEach(onEntry));
  gc.observe({ entryTypes: ['gc'] });
  const cpu = process.cpuUsage();
  const machine = machineTicks();
  const started = performance.now();
  return {
    stop() {
      loop.disable();
      gc.takeRecords().forEach(onEntry);
      gc.disconnect();
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const machineNow = machineTicks();
      const times = handlers.take();
      const ms = (ns: number) => Math.round((ns / 1e6) * 10) / 10;
      return {
        handlerP50: percentile(times, 50),
        handlerP99: percentile(times, 99),
        loopDelayP50: ms(loop.percentile(50)),
        loopDelayP99: ms(loop.percentile(99)),
        loopDelayMax: ms(loop.max),
        gcPauses: pauses.length,
        gcTotalMs: Math.round(pauses.reduce((a, b) => a + b, 0)),
        gcMaxMs: Math.round(Math.max(0, ...pauses) * 10) / 10,
        gcMajor: major,
        heapUsedMb: Math.round(getHeapStatistics().used_heap_size / 1048576),
        processCpuPercent: Math.round(((used.user + used.system) / 1000 / wallMs) * 100),
        machineBusyPercent: Math.round(
          (100 * (machineNow.busy - machine.busy)) / Math.max(1, machineNow.total - machine.total),
        ),
      };
    },
  };
}
