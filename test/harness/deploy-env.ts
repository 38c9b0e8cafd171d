import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { type OpenTestDatabase, openTestDatabase } from './databases.js';
import {
  startAgent,
  startOrchestrator,
  stopAll,
  temporalClient,
  waitUntilOnline,
  waitUntilPolling,
} from './graphium.js';
import { fetchHistories, replayHistories, saveHistories } from './histories.js';
import { type TestInfra, useInfra } from './infra.js';
import type { ManagedProcess } from './processes.js';
import { type OpsContext, operationWorkflowIds, registerHosts } from './stack-ops.js';

/**
 * The shared set-up of the end-to-end deploy tests: a fresh PostgreSQL database, the orchestrator
 * and one real agent per dockerd host (vm1, vm2, vm3), hosts registered with the given labels.
 * Everything is stopped after the file, pass or fail.
 */
export function useDeployEnvironment(
  hostLabels: Record<string, string>[],
  pickupTimeout = '20s',
  /** Extra environment of some hosts' agents, by host ID (a low GRAPHIUM_AGENT_CONCURRENCY…). */
  agentEnv: Record<string, Record<string, string>> = {},
) {
  const env = {
    infra: undefined as unknown as TestInfra,
    ctx: undefined as unknown as OpsContext,
    hostIds: hostLabels.map((_, i) => `vm${i + 1}`),
    agents: new Map<string, ManagedProcess>(),
    orchestrator: undefined as unknown as ManagedProcess,
    startAgent(hostId: string, extraEnv: Record<string, string> = {}): ManagedProcess {
      const index = env.hostIds.indexOf(hostId);
      const agent = startAgent(env.infra, hostId, env.infra.dockerHosts[index]!.dockerHost, extraEnv);
      env.agents.set(hostId, agent);
      processes.push(agent);
      return agent;
    },
  };
  const processes: ManagedProcess[] = [];
  let database: OpenTestDatabase;
  let client: Client;

  before(async () => {
    env.infra = await useInfra();
    database = await openTestDatabase('postgres', env.infra.pgAdminUrl);
    client = await temporalClient(env.infra);
    env.ctx = {
      db: database.db,
      temporal: client,
      namespace: env.infra.namespace,
      pickupTimeout,
      processes: () => [env.orchestrator, ...env.agents.values()],
    };
    await registerHosts(
      database.db,
      env.hostIds.map((id, i) => ({ id, labels: hostLabels[i] })),
    );
    env.orchestrator = startOrchestrator(env.infra, database.url!);
    processes.push(env.orchestrator);
    for (const hostId of env.hostIds) env.startAgent(hostId, agentEnv[hostId]);
    await waitUntilPolling(processes);
    await waitUntilOnline(client, env.infra.namespace, env.hostIds, env.agents.values());
  });

  after(async () => {
    await stopAll(processes);
    await client?.connection.close();
    await database?.close();
  });

  return env;
}

/**
 * The last test of a deploy file: every operation workflow the file ran (children included)
 * replays against the bundle the orchestrator ran, and is kept as a fixture when recording.
 */
export function itReplaysEveryWorkflowItRan(env: ReturnType<typeof useDeployEnvironment>, scenario: string) {
  it('every workflow run here replays deterministically from its recorded history', async () => {
    const histories = await fetchHistories(env.ctx.temporal, await operationWorkflowIds(env.ctx.db));
    assert.ok(histories.length > 0, 'the operations of this file were found');
    assert.deepEqual(await replayHistories(env.infra.workflowBundle, histories), []);
    saveHistories(scenario, histories);
  });
}
