import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { msToTs, tsToMs } from '@temporalio/common/lib/time.js';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { ReplicaRequest, StackInventory } from '../activities/docker/types.js';
import { startBinding } from '../contracts/signed-work.js';
import { hostLivenessQueue, hostTaskQueue, ORCHESTRATOR_TASK_QUEUE } from '../contracts/vocabulary.js';
import { ensureSearchAttributes } from '../lib/temporal.js';
import type { PlacedContainer, ServiceSpec, StackSpec } from '../stack/types.js';
import { useInfra } from '../test/harness/infra.js';
import type { StackOperationInput } from './operation-types.js';
import { deployWorkflow } from './operations/deploy.js';

// The deploy workflow's history must stay far below Temporal's limits (51,200 events per workflow)
// for a 1,000-container stack, and each of its workflow tasks short (issue 29: tasks of 5 s and more
// ended in the orchestrator's abort). Its activities are stand-ins on 10 host queues, a documented
// fake for a scale real daemons cannot give a test: they answer at once, or after a replica's settle
// time as an agent does; the workflow code, its bundle and the Temporal server are the real ones.

const HOSTS = Array.from({ length: 10 }, (_, i) => `h${i + 1}`);
const REPLICAS = 1000;
const NAMESPACE = 'graphium-history-size';

const service = (updateConfig?: ServiceSpec['updateConfig']): ServiceSpec => ({
  name: 'web',
  image: 'graphium-test/busybox:1',
  environment: {},
  ports: [],
  mounts: [],
  labels: {},
  restart: { policy: 'no' },
  dependsOn: [],
  replicas: REPLICAS,
  constraints: [],
  networks: [{ name: 'default', aliases: ['web'] }],
  ...(updateConfig ? { updateConfig } : {}),
});

const placements: PlacedContainer[] = Array.from({ length: REPLICAS }, (_, i) => ({
  service: 'web',
  replica: i + 1,
  hostId: HOSTS[i % HOSTS.length]!,
  name: `big_web_${i + 1}`,
}));

function input(spec: StackSpec, sequence: number, workflowId: string): StackOperationInput {
  const deploymentId = `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
  return {
    ...startBinding({ workflowType: 'deployWorkflow', workflowId, deploymentId, stack: 'big' }),
    deploymentId,
    stackId: '00000000-0000-4000-8000-000000000000',
    stack: 'big',
    requestedBy: 'test',
    version: sequence,
    spec,
    placements,
    hostIds: HOSTS,
    pickupTimeout: '60s',
  };
}

describe('history size of a 1,000-container deploy (real server and workflow code, stand-in agents)', () => {
  let client: Client;
  let connection: NativeConnection;
  const workers: Worker[] = [];
  let running: Promise<unknown>;
  /** What the stand-in hosts hold: nothing at first, then version 1 of every replica. */
  let existing: 'nothing' | 'version 1' = 'nothing';
  /** How long a stand-in takes for a replica: at once, or its settle time as a real agent waits it. */
  let replicaPace: 'at once' | 'settle' = 'at once';

  before(async () => {
    const infra = await useInfra();
    const clientConnection = await Connection.connect({ address: infra.temporalAddress });
    client = new Client({ connection: clientConnection, namespace: NAMESPACE });
    await clientConnection.workflowService
      .registerNamespace({ namespace: NAMESPACE, workflowExecutionRetentionPeriod: msToTs('1 day') })
      .catch((error: Error) => {
        if (!/already/i.test(error.message)) throw error;
      });
    await ensureSearchAttributes(clientConnection, NAMESPACE);
    connection = await NativeConnection.connect({ address: infra.temporalAddress });
    const noop = async () => {};
    const claimed = async () => ({ claimed: true as const });
    workers.push(
      await Worker.create({
        connection,
        namespace: NAMESPACE,
        taskQueue: ORCHESTRATOR_TASK_QUEUE,
        workflowBundle: { codePath: infra.workflowBundle },
        activities: {
          operationStarted: claimed,
          recordProgress: noop,
          operationFinished: noop,
          syncPlacements: noop,
        },
      }),
    );
    for (const hostId of HOSTS) {
      workers.push(
        await Worker.create({
          connection,
          namespace: NAMESPACE,
          taskQueue: hostTaskQueue(hostId),
          maxConcurrentActivityTaskExecutions: 8,
          activities: {
            prepareHost: noop,
            pullImage: async () => ({ pulled: false }),
            inventoryStack: async (): Promise<StackInventory> => ({
              hashes: { web: existing === 'nothing' ? 'v1' : 'v2' },
              containers:
                existing === 'nothing'
                  ? []
                  : placements
                      .filter((p) => p.hostId === hostId)
                      .map((p) => ({
                        name: p.name,
                        containerId: `id-${p.name}`,
                        service: 'web',
                        replica: p.replica,
                        deploymentId: 'earlier',
                        configHash: 'v1',
                        state: 'running',
                        health: 'healthy' as const,
                      })),
            }),
            deployReplica: async (request: ReplicaRequest) => {
              if (replicaPace === 'settle') await sleep(request.settleMs);
              return {
                containerId: `id-${request.name}`,
                action: 'created' as const,
                status: 'running' as const,
                attempt: 1,
                agent: `agent:${hostId}@stand-in`,
              };
            },
            pruneStack: async () => ({ affected: [], restored: [], remaining: [] }),
          },
        }),
        await Worker.create({
          connection,
          namespace: NAMESPACE,
          taskQueue: hostLivenessQueue(hostId),
          activities: { agentAlive: async () => ({ hostId, identity: `agent:${hostId}@stand-in` }) },
        }),
      );
    }
    running = Promise.all(workers.map((worker) => worker.run()));
  });

  after(async () => {
    for (const worker of workers) worker.shutdown();
    await running?.catch(() => undefined);
    await connection?.close();
    await client?.connection.close();
  });

  const deploy = async (spec: StackSpec, sequence: number, options?: StackOperationInput['options']) => {
    const workflowId = `deploy-big-${sequence}-${Date.now()}`;
    const result = await client.workflow.execute(deployWorkflow, {
      taskQueue: ORCHESTRATOR_TASK_QUEUE,
      workflowId,
      args: [{ ...input(spec, sequence, workflowId), ...(options ? { options } : {}) }],
    });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return { result, events: history.events?.length ?? 0, tasks: workflowTasks(history.events ?? []) };
  };

  it('a 1,000-container deploy at an agent pace: every workflow task well under the 2 s deadlock warning', async (t) => {
    replicaPace = 'settle';
    try {
      const spec: StackSpec = {
        services: [service()],
        networks: [{ name: 'default', external: false }],
        volumes: [],
      };
      // Each replica settles 2 s (the default) on its stand-in agent, 8 at once per host: 80 in flight.
      const { result, tasks } = await deploy(spec, 3, { settleMs: 2_000 });
      assert.equal(result.status, 'succeeded', result.error ?? '');
      assert.equal(result.containers.filter((c) => c.status === 'running').length, REPLICAS);
      t.diagnostic(
        `${tasks.durations.length} workflow tasks, longest ${tasks.longestMs} ms, ` +
          `median ${tasks.durations[Math.floor(tasks.durations.length / 2)]} ms`,
      );
      // A failed or timed-out task makes the next one replay the whole history: the slow path.
      assert.deepEqual(tasks.failures, [], 'no workflow task failed or timed out');
      // The SDK stops an activation after 5 s, and that abort takes the orchestrator with it; the
      // deadlock detector warns at 2 s. Measured on two cores: 724-849 ms with the unit files beside it
      // (before the O(1) bookkeeping: 1,042 ms and a force-failed task), so 1.5 s fails on a regression,
      // not on a busy neighbour.
      assert.ok(tasks.longestMs < 1_500, `longest workflow task ${tasks.longestMs} ms`);
    } finally {
      replicaPace = 'at once';
    }
  });

  it('a fresh deploy of 1,000 containers on 10 hosts', async (t) => {
    const spec: StackSpec = {
      services: [service()],
      networks: [{ name: 'default', external: false }],
      volumes: [],
    };
    const { result, events } = await deploy(spec, 1);
    assert.equal(result.status, 'succeeded', result.error ?? '');
    assert.equal(result.containers.filter((c) => c.status === 'running').length, REPLICAS);
    t.diagnostic(`${events} events in the deploy's one history (Temporal's limit: 51,200)`);
    assert.ok(events < 10_000, `${events} events`);
  });

  it('a rolling update of the same 1,000 containers, 100 at a time', async (t) => {
    existing = 'version 1';
    const updateConfig = {
      parallelism: 100,
      delayMs: 0,
      order: 'stop-first' as const,
      failureAction: 'rollback' as const,
      monitorMs: 0,
      maxFailureRatio: 0,
    };
    const spec: StackSpec = {
      services: [service(updateConfig)],
      networks: [{ name: 'default', external: false }],
      volumes: [],
    };
    const { result, events } = await deploy(spec, 2);
    assert.equal(result.status, 'succeeded', result.error ?? '');
    t.diagnostic(`${events} events in the update's one history (Temporal's limit: 51,200)`);
    assert.ok(events < 10_000, `${events} events`);
  });
});

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** Each workflow task's time from WorkflowTaskStarted to WorkflowTaskCompleted, slowest first, and failures. */
function workflowTasks(events: HistoryEvent[]): {
  durations: number[];
  longestMs: number;
  failures: string[];
} {
  const ms = (event: HistoryEvent) => tsToMs(event.eventTime!);
  const durations: number[] = [];
  const failures: string[] = [];
  let started: number | undefined;
  for (const event of events) {
    if (event.workflowTaskStartedEventAttributes) started = ms(event);
    if (event.workflowTaskCompletedEventAttributes && started !== undefined)
      durations.push(ms(event) - started);
    const failed = event.workflowTaskFailedEventAttributes;
    if (failed) failures.push(`event ${event.eventId}: task failed (${failed.cause})`);
    if (event.workflowTaskTimedOutEventAttributes) failures.push(`event ${event.eventId}: task timed out`);
  }
  durations.sort((a, b) => b - a);
  return { durations, longestMs: durations[0] ?? 0, failures };
}
