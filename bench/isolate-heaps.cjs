// Preloaded (`--require`) into the orchestrator by `npm run bench:memory`, in its main thread and in
// every worker thread (Node preloads `--require` modules into workers too): each isolate writes its
// V8 heap figures to stderr every second, for the benchmark to read from the process's log.
const { threadId } = require('node:worker_threads');
const v8 = require('node:v8');

setInterval(() => {
  const heap = v8.getHeapStatistics();
  const mb = (bytes) => Math.round(bytes / 1048576);
  process.stderr.write(
    `ISOLATE_HEAP ${JSON.stringify({ threadId, total: mb(heap.total_heap_size), resident: mb(heap.total_physical_size), used: mb(heap.used_heap_size) })}\n`,
  );
}, 1000).unref();
