import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { apiEnvSchema } from '../lib/env.js';
import { type OpenTestDatabase, openTestDatabase } from '../test/harness/databases.js';
import { TEST_IMAGE } from '../test/harness/docker-hosts.js';
import {
  startAgent,
  startOrchestrator,
  stopAll,
  temporalClient,
  waitUntilPolling,
} from '../test/harness/graphium.js';
import { startInfra } from '../test/harness/infra.js';
import type { ManagedProcess } from '../test/harness/processes.js';
import { putStack, registerHosts, runOperation } from '../test/harness/stack-ops.js';
import { type CpuSnapshot, cpuShares, cpuSnapshot, formatCpuShares } from './cpu-shares.js';
import { deployPhases, formatPhases } from './deploy-phases.js';
import { directDeploy, removeByLabel } from './direct-docker.js';
import { historyFigures } from './history-figures.js';
import { idleHostPickups } from './pickup-series.js';
import { peakRssMb, rssMb } from './process-memory.js';

// `npm run bench:deploy -- [--hosts 3] [--containers 30] [--parallel 8] [--series 20] [--skip-sequential]`
// Deploys one stack of N containers over H real dockerd hosts through Graphium, with the product's
// default pickup bound, and reads where its time went from its history; then creates and starts the
// same containers by direct Docker API calls (in parallel, then one by one as the old push model
// did); then times agent pickup on idle hosts over a series of one-container deploys. Prints the
// figures side by side. Not a test: it asserts nothing.

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '3' },
    containers: { type: 'string', default: '30' },
    parallel: { type: 'string', default: '8' },
    series: { type: 'string', default: '20' },
    // The sequential loop of 1,000 containers takes minutes; its target is the 30-container one's.
    'skip-sequential': { type: 'boolean', default: false },
  },
});
const hostCount = Number(values.hosts);
const containers = Number(values.containers);
const parallel = Number(values.parallel);
const seriesLength = Number(values.series);
/** The API's own default (GRAPHIUM_AGENT_PICKUP_TIMEOUT unset), not a copy of it. */
const pickupTimeout: string = apiEnvSchema.shape.GRAPHIUM_AGENT_PICKUP_TIMEOUT.parse(undefined);

/**
 * Which part of the benchmark a process belongs to, by its command name (truncated to 15 characters;
 * runc's init stages name themselves `runc:[1:CHILD]` and the like).
 */
const PROCESS_GROUPS: Record<string, string> = {
  temporal: 'Temporal dev server',
  dockerd: 'dockerd',
  containerd: 'containerd, shims, runc',
  'containerd-shim': 'containerd, shims, runc',
  runc: 'containerd, shims, runc',
  'docker-init': 'containerd, shims, runc',
  // runc's init becomes the container's process: its set-up work is counted under `sleep`.
  sleep: 'container processes (runc init, then sleep)',
  postgres: 'PostgreSQL',
};

async function main(): Promise<number> {
  const workDir = join('/tmp', `graphium-bench-${process.pid}`);
  console.log(
    `graphium bench: ${containers} containers over ${hostCount} dockerd hosts, ${parallel} at once per host, ` +
      `pickup bound ${pickupTimeout}`,
  );
  const processes: ManagedProcess[] = [];
  // Kept as promises, so a teardown that a signal starts mid-setup still stops what is on its way up.
  let infraStart: ReturnType<typeof startInfra> | undefined;
  let databaseOpen: Promise<OpenTestDatabase> | undefined;
  let clientConnect: Promise<Client> | undefined;
  let tornDown: Promise<void> | undefined;
  const settled = <T>(promise: Promise<T> | undefined) => promise?.catch(() => undefined);
  const teardown = () =>
    (tornDown ??= (async () => {
      await stopAll(processes);
      await (await settled(clientConnect))?.connection.close();
      await (await settled(databaseOpen))?.close();
      await (await settled(infraStart))?.stop();
      rmSync(workDir, { recursive: true, force: true });
    })());
  const onSignal = () => void teardown().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    infraStart = startInfra(workDir, process.env, hostCount);
    const { infra } = await infraStart;
    if (infra.sharedDaemon) {
      // The direct-Docker baseline tells hosts apart by daemon; on one shared daemon its clean-up
      // (removeByLabel) of one host races the others', and the figures would not be per-host anyway.
      console.error(
        'graphium bench: refusing to run: separate dockerd daemons could not be started here (needs root ' +
          'and docker.io), so the hosts would share one daemon',
      );
      return 1;
    }
    databaseOpen = openTestDatabase('postgres', infra.pgAdminUrl);
    const database = await databaseOpen;
    clientConnect = temporalClient(infra);
    const client = await clientConnect;
    const hostIds = infra.dockerHosts.map((_, i) => `vm${i + 1}`);
    const orchestrator = startOrchestrator(infra, database.url!);
    processes.push(
      orchestrator,
      ...hostIds.map((id, i) => startAgent(infra, id, infra.dockerHosts[i]!.dockerHost)),
    );
    await waitUntilPolling(processes);
    await registerHosts(
      database.db,
      hostIds.map((id) => ({ id })),
    );
    await putStack(
      database.db,
      'bench',
      `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 86400\n    stop_grace_period: 1s\n    deploy: { replicas: ${containers} }\n`,
    );
    // A deploy whose orchestrator or agent died fails at once with its last log lines (issue 29: the
    // benchmark once waited 15 minutes on a workflow nobody polled any more).
    const ctx = {
      db: database.db,
      temporal: client,
      namespace: infra.namespace,
      pickupTimeout,
      processes: () => processes,
    };
    const orchestratorIdleMb = rssMb(orchestrator);

    const orchestratorPid = orchestrator.child.pid!;
    const agentPids = new Set(processes.slice(1).map((p) => p.child.pid));
    const cpuBefore = cpuSnapshot(orchestratorPid);
    const started = Date.now();
    const deploy = await runOperation(ctx, 'bench', 'deploy', {
      options: { maxParallelPerHost: parallel, settleMs: 0 },
    });
    const received = Date.now();
    const cpuAfter = cpuSnapshot(orchestratorPid);
    const graphiumMs = received - started;
    if (deploy.deployment.status !== 'succeeded')
      throw new Error(`deploy ${deploy.deployment.status}: ${deploy.deployment.error}`);
    const figures = await historyFigures(client, deploy.deployment.workflowId);
    const breakdown = deployPhases(figures.timeline, containers, started, received);
    // Printed at once: the baselines that follow take minutes at 1,000 containers.
    console.log(`\n(b) Graphium deploy, wall time ${(graphiumMs / 1000).toFixed(2)} s`);
    for (const line of formatPhases(breakdown)) console.log(line);
    const groupOf = (pid: number, comm: string) =>
      pid === orchestratorPid
        ? 'orchestrator'
        : agentPids.has(pid)
          ? 'agents'
          : pid === process.pid
            ? 'this benchmark (client, history reads)'
            : (PROCESS_GROUPS[comm] ?? (comm.startsWith('runc') ? PROCESS_GROUPS.runc! : `other: ${comm}`));
    const cpuLines = (before: CpuSnapshot, during: string) =>
      formatCpuShares(cpuShares(before, cpuSnapshot(orchestratorPid), groupOf, orchestratorPid), during, 0);
    for (const line of formatCpuShares(
      cpuShares(cpuBefore, cpuAfter, groupOf, orchestratorPid),
      'the Graphium deploy',
    ))
      console.log(line);
    const orchestratorPeakMb = peakRssMb(orchestrator);
    const agentPeakMb = Math.max(...processes.slice(1).map(peakRssMb));
    await runOperation(ctx, 'bench', 'delete');

    const sockets = infra.dockerHosts.map((h) => h.dockerHost);
    const parallelMs = await directDeploy(sockets, containers, {
      parallelPerHost: parallel,
      image: TEST_IMAGE,
    });
    await removeByLabel(sockets);
    // The same, attached to a network as Graphium's replicas are (the line above uses none).
    const networkedCpu = cpuSnapshot(orchestratorPid);
    const networkedMs = await directDeploy(sockets, containers, {
      parallelPerHost: parallel,
      image: TEST_IMAGE,
      network: 'direct_default',
    });
    // The Docker work of the same containers without Graphium: set against the deploy's lines above.
    for (const line of cpuLines(networkedCpu, "(c') direct parallel calls on a network")) console.log(line);
    await removeByLabel(sockets);
    let sequentialMs: number | undefined;
    if (!values['skip-sequential']) {
      sequentialMs = await directDeploy(sockets, containers, {
        parallelPerHost: 1,
        sequential: true,
        image: TEST_IMAGE,
      });
      await removeByLabel(sockets);
    }
    const series = seriesLength > 0 ? await idleHostPickups(ctx, seriesLength) : undefined;

    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log('');
    console.log(`containers                         ${containers} over ${hostCount} hosts`);
    console.log(
      `agent pickup latency (sched→start) p50 ${figures.pickupP50} ms, p99 ${figures.pickupP99} ms, max ${figures.pickupMax} ms (${figures.activities} activities)`,
    );
    console.log(`(b) Graphium deploy, wall time     ${s(graphiumMs)}`);
    console.log(
      `(c) direct parallel Docker calls   ${s(parallelMs)}   Graphium / direct parallel = ${(graphiumMs / parallelMs).toFixed(2)}x`,
    );
    console.log(
      `(c') direct parallel, on a network ${s(networkedMs)}   Graphium / this            = ${(graphiumMs / networkedMs).toFixed(2)}x`,
    );
    if (sequentialMs !== undefined) {
      console.log(
        `(d) sequential loop (push model)   ${s(sequentialMs)}   Graphium / sequential     = ${(graphiumMs / sequentialMs).toFixed(2)}x`,
      );
    }
    const children =
      figures.children > 0 ? `, largest child ${figures.maxChildEvents} (${figures.children} children)` : '';
    console.log(
      `history events                     ${figures.parentEvents}${children} (limit 51,200 per workflow)`,
    );
    console.log(
      `peak RSS                           orchestrator ${orchestratorPeakMb} MB (${orchestratorIdleMb} MB idle before the deploy), largest agent ${agentPeakMb} MB`,
    );
    if (series) {
      console.log(
        `idle-host pickup (sched→start)     p50 ${series.p50} ms, p99 ${series.p99} ms, max ${series.max} ms ` +
          `(${series.steps} Docker steps of ${series.deploys} one-container deploys; deployReplica p50 ` +
          `${series.replicaP50} ms; a deploy p50 ${s(series.deployP50Ms)})`,
      );
    }
    return 0;
  } finally {
    await teardown();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`graphium bench: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
