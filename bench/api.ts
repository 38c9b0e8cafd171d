import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type autocannon from 'autocannon';
import { openMemoryDatabase } from '../db/client.js';
import { loadEnv, orchestratorEnvSchema } from '../lib/env.js';
import { createLogger } from '../lib/log.js';
import { installTemporalRuntime } from '../lib/temporal-worker.js';
import { runOrchestrator } from '../orchestrator/worker.js';
import { type OpenTestDatabase, openTestDatabase } from '../test/harness/databases.js';
import {
  startAgent,
  startOrchestrator,
  stopAll,
  TEST_ENCRYPTION_KEYS,
  waitUntilPolling,
} from '../test/harness/graphium.js';
import { startInfra, type TestInfra } from '../test/harness/infra.js';
import { testPayloadEnv } from '../test/harness/payload-keys.js';
import type { ManagedProcess } from '../test/harness/processes.js';
import { BENCH_ADMIN_TOKEN, type BenchApi, startBenchApi, startRunningDeployments } from './api-harness.js';
import { startCpuProfile } from './cpu-profile.js';
import { HandlerTimes, type ProcessProbeFigures, startProcessProbe } from './process-probe.js';

// `npm run bench:api -- [--rate 200] [--duration 20] [--deployments 10] [--profile]`
// GET /api/v1/deployments/:id under a fixed request rate while `--deployments` deploys run, on
// PostgreSQL and on the embedded PGlite, with real Temporal, dockerd hosts and agents. autocannon
// sends the load over loopback from a process of its own; the API runs in this process, so its
// Temporal calls are counted. Not a test: it asserts nothing, it prints what it measured.

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '20' },
    deployments: { type: 'string', default: '10' },
    // Profiles the API's process during each load and prints where its main thread spent the time.
    profile: { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const duration = Number(values.duration);
const deploymentCount = Number(values.deployments);

interface Measured {
  database: string;
  requests: number;
  non2xx: number;
  p50: number;
  p99: number;
  max: number;
  temporalCallsPerSecond: number;
  /** Where the time went inside the API's process while the load ran. */
  probe: ProcessProbeFigures;
}

/** Each run's API records its handlers' durations here; the probe reads them for its window. */
const handlerTimes = new HandlerTimes();

/** `rate` requests per second spread over the running deployments, for `duration` seconds. */
async function load(api: BenchApi, ids: string[], database: string): Promise<Measured> {
  const before = api.counter.snapshot();
  const profiler = values.profile ? await startCpuProfile() : undefined;
  const probe = startProcessProbe(handlerTimes);
  const result = await generateLoad({
    url: api.base.replace('/api/v1', ''),
    paths: ids.map((id) => `/api/v1/deployments/${id}`),
    token: BENCH_ADMIN_TOKEN,
    rate,
    duration,
    connections: 20,
  });
  const figures = probe.stop();
  if (profiler) {
    console.log(`\n${database}: the API process's main thread during the load, by function (self time)`);
    for (const line of (await profiler.stop()).slice(0, 15)) {
      console.log(
        `  ${line.ms.toFixed(0).padStart(7)} ms  ${line.percent.toFixed(1).padStart(5)} %  ${line.name}`,
      );
    }
  }
  const calls = api.counter.total(api.counter.since(before));
  return {
    database,
    requests: result.requests.total,
    non2xx: result.non2xx,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    temporalCallsPerSecond: calls / duration,
    probe: figures,
  };
}

/** Runs bench/load-generator.ts in its own process and reads autocannon's result from it. */
function generateLoad(load: Record<string, unknown>): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'load-generator.ts'), JSON.stringify(load)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(output) as autocannon.Result)
        : reject(new Error(`load generator exited ${code}`)),
    );
  });
}

async function onPostgres(infra: TestInfra, processes: ManagedProcess[]): Promise<Measured> {
  let database: OpenTestDatabase | undefined;
  let api: BenchApi | undefined;
  const own: ManagedProcess[] = [];
  try {
    database = await openTestDatabase('postgres', infra.pgAdminUrl);
    api = await startBenchApi(infra, database.db, { handlerTimes });
    own.push(startOrchestrator(infra, database.url!, 'orchestrator-pg'));
    await waitUntilPolling(own);
    const ids = await startRunningDeployments(api, processes.length, deploymentCount, 'pg');
    const measured = await load(api, ids, 'PostgreSQL');
    for (const id of ids) await api.call('POST', `/deployments/${id}/cancel`).catch(() => {});
    return measured;
  } finally {
    await stopAll(own);
    await api?.close();
    await database?.close();
  }
}

/** PGlite admits one process: the orchestrator runs in this one, as `npm run dev` runs it. */
async function onPglite(infra: TestInfra, processes: ManagedProcess[]): Promise<Measured> {
  const database = await openMemoryDatabase();
  let api: BenchApi | undefined;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let orchestrator: Promise<void> | undefined;
  try {
    // The same variables the orchestrator process gets (startOrchestrator), read by its own schema.
    const env = loadEnv(orchestratorEnvSchema, {
      TEMPORAL_ADDRESS: infra.temporalAddress,
      TEMPORAL_NAMESPACE: infra.namespace,
      GRAPHIUM_WORKFLOW_BUNDLE: infra.workflowBundle,
      GRAPHIUM_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      ...testPayloadEnv.orchestrator,
      GRAPHIUM_RECONCILE_INTERVAL: '0',
      LOG_LEVEL: 'warn',
    });
    orchestrator = runOrchestrator(env, createLogger('orchestrator', 'warn', 'json'), database.db, stopped);
    api = await startBenchApi(infra, database.db, { handlerTimes });
    const ids = await startRunningDeployments(api, processes.length, deploymentCount, 'lite');
    const measured = await load(api, ids, 'PGlite');
    for (const id of ids) await api.call('POST', `/deployments/${id}/cancel`).catch(() => {});
    return measured;
  } finally {
    stop();
    await orchestrator?.catch(() => {});
    await api?.close();
    await database.close();
  }
}

async function main(): Promise<number> {
  const workDir = join('/tmp', `graphium-bench-api-${process.pid}`);
  const agents: ManagedProcess[] = [];
  const infraStart = startInfra(workDir, process.env, 2);
  try {
    const { infra } = await infraStart;
    installTemporalRuntime(createLogger('bench', 'warn', 'json'));
    agents.push(...infra.dockerHosts.map((host, i) => startAgent(infra, `vm${i + 1}`, host.dockerHost)));
    await waitUntilPolling(agents);
    console.log(
      `graphium bench: GET /api/v1/deployments/:id at ${rate} requests/s for ${duration} s, ${deploymentCount} deploys running`,
    );
    const results = [await onPostgres(infra, agents), await onPglite(infra, agents)];
    console.log('');
    console.log('database     requests   non-2xx   p50 ms   p99 ms   max ms   API Temporal calls/s');
    for (const r of results) {
      console.log(
        `${r.database.padEnd(12)} ${String(r.requests).padStart(8)}   ${String(r.non2xx).padStart(7)}   ${String(r.p50).padStart(6)}   ${String(r.p99).padStart(6)}   ${String(r.max).padStart(6)}   ${r.temporalCallsPerSecond.toFixed(1).padStart(20)}`,
      );
    }
    console.log('');
    console.log(
      'where the time went in the API process while the load ran (times in ms; loop delay includes its 1 ms sampling interval)',
    );
    console.log(
      'database     handler p50/p99   loop delay p50/p99/max   GC pauses (total, max; full)   heap used   process CPU   machine busy',
    );
    for (const { database, probe: p } of results) {
      const d = (n: number) => n.toFixed(1);
      console.log(
        `${database.padEnd(12)} ${`${d(p.handlerP50)} / ${d(p.handlerP99)}`.padStart(15)}   ${`${d(p.loopDelayP50)} / ${d(p.loopDelayP99)} / ${d(p.loopDelayMax)}`.padStart(22)}   ${`${p.gcPauses} (${p.gcTotalMs}, ${d(p.gcMaxMs)}; ${p.gcMajor})`.padStart(28)}   ${`${p.heapUsedMb} MB`.padStart(9)}   ${`${p.processCpuPercent} %`.padStart(11)}   ${`${p.machineBusyPercent} %`.padStart(12)}`,
      );
    }
    return results.every((r) => r.non2xx === 0) ? 0 : 1;
  } finally {
    await stopAll(agents);
    await (await infraStart.catch(() => undefined))?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`graphium bench: ${error instanceof Error ? error.stack : error}`);
    process.exit(1);
  },
);
