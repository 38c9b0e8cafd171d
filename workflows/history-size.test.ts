import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
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
// for a 1,000-container stack. Its activities are stand-ins that answer at once, on 10 host queues;
// the workflow code, its bundle and the Temporal server are the real ones.

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
            deployReplica: async (request: ReplicaRequest) => ({
              containerId: `id-${request.name}`,
              action: 'created' as const,
              status: 'running' as const,
              attempt: 1,
              agent: `agent:${hostId}@stand-in`,
            }),
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

  const deploy = async (spec: StackSpec, sequence: number) => {
    const workflowId = `deploy-big-${sequence}-${Date.now()}`;
    const result = await client.workflow.execute(deployWorkflow, {
      taskQueue: ORCHESTRATOR_TASK_QUEUE,
      workflowId,
      args: [input(spec, sequence, workflowId)],
    });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return { result, events: history.events?.length ?? 0 };
  };

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
