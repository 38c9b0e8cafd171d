import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ORCHESTRATOR_MEMORY_ENV } from '../orchestrator/memory-env.js';
import { openTestDatabase } from '../test/harness/databases.js';
import { startOrchestrator, stopAll, waitUntilPolling } from '../test/harness/graphium.js';
import { startInfra } from '../test/harness/infra.js';
import { rssMb } from './process-memory.js';

// `npm run bench:memory -- [--settle 15] [--rounds 2]`
// What the idle orchestrator's resident memory is made of, and what each memory setting of
// orchestrator/memory-env.ts takes off it: starts Temporal, one dockerd host and PostgreSQL, then the
// orchestrator once per variant and round, lets it idle `--settle` seconds after it polls, and reads
// its resident memory (by mapping, from /proc/<pid>/smaps) and the V8 heap of each of its isolates.
// Not a test: it asserts nothing.

const { values } = parseArgs({
  options: { settle: { type: 'string', default: '15' }, rounds: { type: 'string', default: '2' } },
});
const settleMs = Number(values.settle) * 1000;
const rounds = Number(values.rounds);

/** Unset, glibc allows 8 arenas per core (64-bit) and V8 sizes the semi-space from the heap limit. */
const VARIANTS: Record<string, { MALLOC_ARENA_MAX?: string; NODE_OPTIONS?: string }> = {
  'defaults (neither set)': {},
  'MALLOC_ARENA_MAX=2 only': { MALLOC_ARENA_MAX: ORCHESTRATOR_MEMORY_ENV.MALLOC_ARENA_MAX },
  '--max-semi-space-size=4 only': { NODE_OPTIONS: ORCHESTRATOR_MEMORY_ENV.NODE_OPTIONS },
  'both (orchestrator/memory-env.ts)': ORCHESTRATOR_MEMORY_ENV,
};

/** Resident MB by mapping kind: anonymous memory (heaps, arenas, stacks), the node binary, the Temporal core. */
function residentByMapping(pid: number): Map<string, number> {
  const totals = new Map<string, number>();
  let current = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1] ?? '';
      current =
        path === '' || path === '[heap]' || path.startsWith('[stack')
          ? 'anonymous'
          : path.endsWith('/node')
            ? 'node binary'
            : path.includes('core-bridge')
              ? 'Temporal core (index.node)'
              : 'other files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) totals.set(current, (totals.get(current) ?? 0) + Number(rss[1]) / 1024);
  }
  return totals;
}

/** The last heap report of each isolate: main thread first, then worker threads by id. */
function isolateHeaps(logs: string): string {
  const last = new Map<number, { total: number; resident: number; used: number }>();
  for (const line of logs.split('\n')) {
    const json = /ISOLATE_HEAP (\{.*\})/.exec(line)?.[1];
    if (!json) continue;
    const { threadId, ...heap } = JSON.parse(json) as {
      threadId: number;
      total: number;
      resident: number;
      used: number;
    };
    last.set(threadId, heap);
  }
  return [...last]
    .sort((a, b) => a[0] - b[0])
    .map(
      ([id, h]) =>
        `${id === 0 ? 'main' : `worker ${id}`} ${h.total} (${h.resident} resident, ${h.used} used)`,
    )
    .join(', ');
}

async function main(): Promise<void> {
  const workDir = join('/tmp', `graphium-bench-memory-${process.pid}`);
  const { infra, stop } = await startInfra(workDir, process.env, 1);
  const database = await openTestDatabase('postgres', infra.pgAdminUrl);
  try {
    console.log(`graphium bench: idle orchestrator memory, ${values.settle} s after it polls, MB`);
    for (let round = 1; round <= rounds; round += 1) {
      for (const [name, variant] of Object.entries(VARIANTS)) {
        const orchestrator = startOrchestrator(infra, database.url!, `memory-${round}`, {
          // Unset unless the variant sets it (the harness would otherwise give both).
          MALLOC_ARENA_MAX: variant.MALLOC_ARENA_MAX,
          NODE_OPTIONS: [variant.NODE_OPTIONS, `--require ${join(import.meta.dirname, 'isolate-heaps.cjs')}`]
            .filter(Boolean)
            .join(' '),
        });
        try {
          await waitUntilPolling([orchestrator]);
          await new Promise((resolve) => setTimeout(resolve, settleMs));
          const mapped = residentByMapping(orchestrator.child.pid!);
          const parts = [...mapped].map(([kind, mb]) => `${kind} ${Math.round(mb)}`).join(', ');
          console.log(`\nround ${round}, ${name}: resident ${rssMb(orchestrator)}`);
          console.log(`  by mapping: ${parts}`);
          console.log(`  V8 heaps (committed): ${isolateHeaps(orchestrator.logs)}`);
        } finally {
          await stopAll([orchestrator]);
        }
      }
    }
  } finally {
    await database.close();
    await stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`graphium bench: ${error instanceof Error ? error.stack : error}`);
    process.exit(1);
  },
);
