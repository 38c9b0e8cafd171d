import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { type OpenTestDatabase, openTestDatabase } from './harness/databases.js';
import { TEST_IMAGE } from './harness/docker-hosts.js';
import { startOrchestrator, temporalClient, waitUntilPolling } from './harness/graphium.js';
import { useInfra } from './harness/infra.js';
import { type ManagedProcess, ProcessDiedError } from './harness/processes.js';
import { operationWorkflowIds, putStack, registerHosts, runOperation } from './harness/stack-ops.js';

// Issue 29: the orchestrator died in the middle of a deploy and the benchmark waited 15 minutes
// for a workflow nobody polled any more. A wait of the harness (and of the benchmarks, which use
// it) fails within seconds instead, naming the process and quoting its last log lines. That a
// restarted orchestrator resumes the deploy is test/faults/orchestrator-kill.test.ts's subject.

describe('a harness wait on a process that died', () => {
  let database: OpenTestDatabase;
  let client: Client;
  let orchestrator: ManagedProcess;

  before(async () => {
    const infra = await useInfra();
    database = await openTestDatabase('postgres', infra.pgAdminUrl);
    client = await temporalClient(infra);
    await registerHosts(database.db, [{ id: 'vm1' }]);
    await putStack(database.db, 'orphan', `services:\n  app:\n    image: ${TEST_IMAGE}\n`);
    orchestrator = startOrchestrator(infra, database.url!, 'orchestrator-dead-process');
    await waitUntilPolling([orchestrator]);
  });

  after(async () => {
    // The deploy it left behind: nobody runs it any more.
    for (const workflowId of await operationWorkflowIds(database.db)) {
      await client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    }
    await orchestrator?.stop(5_000);
    await client?.connection.close();
    await database?.close();
  });

  it('a deploy whose orchestrator is SIGKILLed rejects within seconds, with its last log lines', async () => {
    const ctx = {
      db: database.db,
      temporal: client,
      namespace: 'default',
      // No agent runs: without the orchestrator's death the wait would last the whole pickup bound.
      pickupTimeout: '10m',
      processes: () => [orchestrator],
    };
    const waiting = runOperation(ctx, 'orphan', 'deploy');
    // Killed from outside, as the kernel's OOM killer or a fatal V8 error would end it.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const killedAt = Date.now();
    process.kill(orchestrator.child.pid!, 'SIGKILL');
    await assert.rejects(waiting, (error: Error) => {
      assert.ok(error instanceof ProcessDiedError, String(error));
      assert.match(
        error.message,
        /^orchestrator-dead-process \(pid \d+\) exited unexpectedly \(killed by SIGKILL\); its last log lines/,
      );
      assert.match(error.message, /orchestrator polling/, 'its last log lines are quoted');
      return true;
    });
    const tookMs = Date.now() - killedAt;
    assert.ok(tookMs < 5_000, `rejected ${tookMs} ms after the kill`);
  });

  it('a process stopped on purpose is no failure', async () => {
    const stopped = startOrchestrator(await useInfra(), database.url!, 'orchestrator-stopped');
    await waitUntilPolling([stopped]);
    await stopped.stop(10_000);
    const outcome = await Promise.race([
      stopped.died.then(
        () => 'resolved',
        () => 'rejected',
      ),
      new Promise((resolve) => setTimeout(() => resolve('pending'), 1_500)),
    ]);
    assert.equal(outcome, 'pending');
  });
});
