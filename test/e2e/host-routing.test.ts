import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { startBinding } from '../../contracts/signed-work.js';
import { ORCHESTRATOR_TASK_QUEUE } from '../../contracts/vocabulary.js';
import { DaemonProbe } from '../harness/daemon.js';
import {
  startAgent,
  startOrchestrator,
  stopAll,
  temporalClient,
  waitUntilPolling,
} from '../harness/graphium.js';
import { fetchHistories, replayHistories, saveHistories } from '../harness/histories.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import type { ManagedProcess } from '../harness/processes.js';

/** Every signed start names its type and ID; a probe belongs to no deployment or stack. */
const probeBinding = (workflowId: string) =>
  startBinding({ workflowType: 'probeHostsWorkflow', workflowId, deploymentId: null, stack: null });

describe('routing by host queue (real Temporal, real dockerd hosts, real agents)', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let client: Client;
  const processes: ManagedProcess[] = [];

  before(async () => {
    infra = await useInfra();
    database = await createTestDatabase(infra.pgAdminUrl);
    client = await temporalClient(infra);
    processes.push(
      startOrchestrator(infra, database.url),
      startAgent(infra, 'vm1', infra.dockerHosts[0]!.dockerHost),
      startAgent(infra, 'vm2', infra.dockerHosts[1]!.dockerHost),
    );
    await waitUntilPolling(processes);
  });

  after(async () => {
    await stopAll(processes);
    await client?.connection.close();
    await database?.drop();
  });

  it('each host queue is served by the agent of that host, against its own daemon', async () => {
    const workflowId = `probe-hosts-${Date.now()}`;
    const results = await client.workflow.execute('probeHostsWorkflow', {
      taskQueue: ORCHESTRATOR_TASK_QUEUE,
      workflowId,
      args: [{ hostIds: ['vm1', 'vm2'], ...probeBinding(workflowId) }],
    });
    const daemons = await Promise.all(
      infra.dockerHosts.slice(0, 2).map((host) => new DaemonProbe(host.socketPath).info()),
    );
    assert.deepEqual(
      results.map((r: { hostId: string; dockerId: string }) => [r.hostId, r.dockerId]),
      [
        ['vm1', daemons[0]!.ID],
        ['vm2', daemons[1]!.ID],
      ],
    );
    if (!infra.sharedDaemon)
      assert.notEqual(daemons[0]!.ID, daemons[1]!.ID, 'the two hosts must be distinct daemons');
    const histories = await fetchHistories(client, [workflowId]);
    assert.deepEqual(await replayHistories(infra.workflowBundle, histories), []);
    saveHistories('routing', histories);
  });

  it('the orchestrator registered its search attributes on the plain dev server', async () => {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({
      namespace: infra.namespace,
    });
    for (const name of ['GraphiumStack', 'GraphiumHosts', 'GraphiumOperation', 'GraphiumStatus']) {
      assert.ok(name in (customAttributes ?? {}), `${name} registered`);
    }
  });

  it('a host without an agent is reported as offline, naming it, after the pickup bound', async () => {
    const workflowId = `probe-hosts-offline-${Date.now()}`;
    await assert.rejects(
      client.workflow.execute('probeHostsWorkflow', {
        taskQueue: ORCHESTRATOR_TASK_QUEUE,
        workflowId,
        args: [{ hostIds: ['vm1', 'vm-nobody'], pickupTimeout: '2s', ...probeBinding(workflowId) }],
      }),
      (error: Error) => {
        assert.match(String((error as { cause?: Error }).cause?.message ?? error.message), /vm-nobody/);
        return true;
      },
    );
  });

  it('an agent stops cleanly on SIGTERM', async () => {
    const agent = processes.find((p) => p.name === 'agent-vm2')!;
    assert.equal(await agent.stop(), 0, agent.tail());
    assert.match(agent.logs, /"msg":"agent stopped"/);
  });
});
