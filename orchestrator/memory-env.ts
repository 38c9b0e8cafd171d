/**
 * Memory settings of the orchestrator process. docker-compose.yml gives them to its `orchestrator`
 * service and the test and benchmark harness starts the orchestrator with them, so both run what
 * BENCHMARKS.md measured; `test/deploy-files.test.ts` keeps docker-compose.yml in line with this object.
 * Both must be in the environment before Node starts: glibc reads its variable once, V8 its flags once.
 *
 * - `MALLOC_ARENA_MAX=2`: glibc gives threads that allocate at once their own malloc arenas (up to 8
 *   per core), and each keeps the memory it freed. The orchestrator has some 18 threads (Node's
 *   libuv pool and V8 helpers, the Temporal core's Rust runtime, the workflow thread, tsx's loader).
 * - `--max-semi-space-size=4` (MB): V8 grows each isolate's young generation up to 16 MB per
 *   semi-space when allocation is busy (the young generation is three semi-spaces), and the
 *   orchestrator has three isolates (main, workflow thread, tsx's loader thread); 4 MB caps each
 *   isolate's young generation at 12 MB instead of 48.
 *
 * Together they took the idle orchestrator from 224–293 MB resident to 182–213 MB (`npm run
 * bench:memory`). Only the orchestrator gets them: its memory is the one with a target, and the
 * 1,000-container runs with every process so set were not shown faster or slower than without
 * (single runs on a shared machine vary by ±20 %; BENCHMARKS.md#orchestrator-memory).
 */
export const ORCHESTRATOR_MEMORY_ENV = {
  MALLOC_ARENA_MAX: '2',
  NODE_OPTIONS: '--max-semi-space-size=4',
} as const;
