import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { LABEL_STACK } from '../../contracts/vocabulary.js';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { startAgent, startApi, startOrchestrator, stopAll, waitUntilPolling } from '../harness/graphium.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { waitFor } from '../harness/ports.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import type { ManagedProcess } from '../harness/processes.js';

// A first `docker compose up`: the API and the orchestrator start at the same moment on an empty
// PostgreSQL database (both migrate it), with the pickup bound written the way Compose writes
// durations. Both must come up, and the first deploy must run its Docker steps with that bound.
describe('processes started together on an empty database', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let api: { process: ManagedProcess; baseUrl: string } | undefined;
  const processes: ManagedProcess[] = [];
  const adminToken = randomBytes(24).toString('hex');

  before(async () => {
    infra = await useInfra();
    database = await createTestDatabase(infra.pgAdminUrl);
  });

  after(async () => {
    await stopAll(processes);
    await database?.drop();
  });

  it('the API and the orchestrator both come up', async () => {
    processes.push(startOrchestrator(infra, database.url));
    api = await startApi(infra, database.url, adminToken, 'api-startup', {
      GRAPHIUM_AGENT_PICKUP_TIMEOUT: '1m30s',
    });
    processes.push(api.process, startAgent(infra, 'vm1', infra.dockerHosts[0]!.dockerHost));
    await waitUntilPolling([processes[0]!, processes[2]!]);
    for (const process of processes) assert.ok(process.running, `${process.name} is running`);
    assert.doesNotMatch(processes[0]!.logs, /cannot prepare the database/);
  });

  it('deploys with GRAPHIUM_AGENT_PICKUP_TIMEOUT=1m30s: Temporal applies the bound the API checked', async () => {
    assert.ok(api, 'the API came up');
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${api!.baseUrl}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    assert.equal((await call('POST', '/hosts', { id: 'vm1' })).status, 201);
    const compose = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 3600\n`;
    assert.equal((await call('POST', '/stacks', { name: 'startup', compose })).status, 201);
    const started = await call('POST', '/stacks/startup/deploy', {});
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const finished = await waitFor(
      'the deploy to finish',
      async () => {
        const { body } = await call('GET', `/deployments/${started.body.deploymentId}`);
        return ['succeeded', 'failed', 'rolled_back'].includes(String(body.status)) && body;
      },
      { timeoutMs: 120_000 },
    );
    assert.equal(finished.status, 'succeeded', JSON.stringify(finished));
    const probe = new DaemonProbe(infra.dockerHosts[0]!.socketPath);
    const containers = await probe.containers({ [LABEL_STACK]: 'startup' });
    assert.deepEqual(
      containers.map((c) => [c.name, c.state]),
      [['startup_app_1', 'running']],
    );
    await call('DELETE', '/stacks/startup');
    await waitFor(
      'the stack to be removed',
      async () => (await probe.containers({ [LABEL_STACK]: 'startup' })).length === 0,
      { timeoutMs: 60_000 },
    );
  });
});
