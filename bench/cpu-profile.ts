import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../test/harness/processes.js';

// A V8 CPU profile of this process's main thread over a window, summed by function: which code runs
// while the API's event loop stalls. Sampling every 1 ms (the default) adds a few percent of CPU, so
// a profiled run's latencies are not the benchmark's figures.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface ProfileLine {
  name: string;
  ms: number;
  percent: number;
}

export async function startCpuProfile(): Promise<{ stop(): Promise<ProfileLine[]> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      const nodes = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
      const byFunction = new Map<string, number>();
      const samples = profile.samples ?? [];
      const deltas = profile.timeDeltas ?? [];
      let totalUs = 0;
      samples.forEach((id, i) => {
        // timeDeltas[i] is the time before sample i; the time after it is the next delta.
        const us = deltas[i + 1] ?? 0;
        const frame = nodes.get(id)?.callFrame;
        const name = frame
          ? `${frame.functionName || '(anonymous)'}${frame.url ? ` ${shortPath(frame.url)}:${frame.lineNumber + 1}` : ''}`
          : '?';
        byFunction.set(name, (byFunction.get(name) ?? 0) + us);
        totalUs += us;
      });
      return [...byFunction]
        .map(([name, us]) => ({ name, ms: us / 1000, percent: (100 * us) / Math.max(1, totalUs) }))
        .sort((a, b) => b.ms - a.ms);
    },
  };
}

/** A dependency by its path inside node_modules, our own code by its path in the repository. */
function shortPath(url: string): string {
  const dependency = url.split('/node_modules/');
  if (dependency.length > 1) return dependency.at(-1)!;
  return url.replace(pathToFileURL(REPO_ROOT).href, '');
}
