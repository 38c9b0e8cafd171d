import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { LABEL_STACK } from '../../contracts/vocabulary.js';
import { json } from '../harness/api-app.js';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import {
  startAgent,
  startApi,
  startOrchestrator,
  stopAll,
  temporalClient,
  waitUntilPolling,
} from '../harness/graphium.js';
import { fetchHistories, replayHistories, saveHistories } from '../harness/histories.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { waitFor } from '../harness/ports.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import type { ManagedProcess } from '../harness/processes.js';
import { collectSse, readSse } from '../harness/sse.js';
import { containersOnHosts, names } from '../harness/stack-ops.js';

// The whole lifecycle through HTTP only, as an outside client sees it: the real API, orchestrator and
// three agents as separate processes, plain fetch, and each dockerd asked directly what it runs.

const STACK = 'api-shop';
const HOSTS = ['vm1', 'vm2', 'vm3'];

// PID 1 ignores SIGTERM unless it traps it: without the trap every stop waits out Docker's 10 s grace.
const idle = `["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]`;

const compose = (extra = '') => `
services:
  db:
    image: ${TEST_IMAGE}
    command: ${idle}
    healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 1s, retries: 3 }
    deploy: { placement: { constraints: ["node.labels.role == db"] } }
  api:
    image: ${TEST_IMAGE}
    command: ${idle}
    depends_on: { db: { condition: service_healthy } }
    deploy: { replicas: 2, placement: { constraints: ["node.labels.zone == a"] } }
  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 & wait"]
    depends_on: [api]
    deploy: { replicas: 3 }
${extra}`;

// Never healthy: a deploy of it stays in progress until cancelled.
const stuckService = `
  stuck:
    image: ${TEST_IMAGE}
    command: ${idle}
    healthcheck: { test: ["CMD", "false"], interval: 1s, timeout: 1s, retries: 120 }
    deploy: { replicas: 2 }
`;

interface Deployment {
  id: string;
  status: string;
  progress: number;
  error: string | null;
  containers: { name: string; hostId: string; status: string }[];
}

describe('the HTTP API drives a stack through its whole life on three dockerd hosts', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let baseUrl: string;
  const processes: ManagedProcess[] = [];
  const adminToken = `e2e-${randomBytes(16).toString('hex')}`;
  const tokens = { deployer: '', viewer: '' };
  let stackId: string;
  let firstDeploymentId: string;

  const call = (
    method: string,
    path: string,
    token: string,
    init: { json?: unknown; yaml?: string; key?: string } = {},
  ) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    if (init.yaml !== undefined) headers['content-type'] = 'application/yaml';
    if (init.key) headers['idempotency-key'] = init.key;
    const body = init.yaml ?? (init.json === undefined ? undefined : JSON.stringify(init.json));
    return fetch(`${baseUrl}/api/v1${path}`, { method, headers, body });
  };
  const accepted = async (response: Response) => {
    assert.equal(response.status, 202, await response.clone().text());
    return (await response.json()) as { deploymentId: string; workflowId: string; runId: string };
  };
  /** Follows the deployment's event stream to its `end` event; returns every event's deployment. */
  const follow = async (deploymentId: string) => {
    const response = await call('GET', `/deployments/${deploymentId}/events`, tokens.viewer);
    assert.equal(response.status, 200);
    const events = await collectSse(response.body!);
    assert.equal(events.at(-1)?.event, 'end', 'the stream ends with end');
    return events.map((e) => ({ event: e.event, deployment: JSON.parse(e.data) as Deployment }));
  };
  const onDaemons = () => containersOnHosts(infra, HOSTS, STACK);

  before(async () => {
    infra = await useInfra();
    database = await createTestDatabase(infra.pgAdminUrl);
    // The API migrates the database; the orchestrator starts once that is done.
    const api = await startApi(infra, database.url, adminToken);
    processes.push(api.process);
    baseUrl = api.baseUrl;
    processes.push(startOrchestrator(infra, database.url));
    HOSTS.forEach((id, i) => {
      processes.push(startAgent(infra, id, infra.dockerHosts[i]!.dockerHost));
    });
    await waitUntilPolling(processes.slice(1));
  });

  after(async () => {
    await stopAll(processes);
    await database?.drop();
  });

  it('an admin makes tokens and registers three labelled hosts whose agents are online', async () => {
    for (const role of ['deployer', 'viewer'] as const) {
      const response = await call('POST', '/tokens', adminToken, { json: { name: `e2e-${role}`, role } });
      assert.equal(response.status, 201);
      tokens[role] = (await json(response)).token;
    }
    const labels = [{ zone: 'a', role: 'db' }, { zone: 'a' }, { zone: 'b' }];
    for (const [i, id] of HOSTS.entries()) {
      const response = await call('POST', '/hosts', adminToken, { json: { id, labels: labels[i] } });
      assert.equal(response.status, 201);
    }
    await waitFor('every agent to show online', async () => {
      const { items } = await json(await call('GET', '/hosts', tokens.viewer));
      return items.every((h: { status: string }) => h.status === 'online') && items.length === 3;
    });
  });

  it('a deployer creates the stack from Compose YAML', async () => {
    const response = await call('POST', `/stacks?name=${STACK}`, tokens.deployer, { yaml: compose() });
    assert.equal(response.status, 201);
    const stack = await json(response);
    stackId = stack.id;
    assert.deepEqual(stack.services, ['db', 'api', 'web']);
  });

  it('deploys, streams progress to the end, and places each container where its constraints say', async () => {
    const started = await accepted(
      await call('POST', `/stacks/${STACK}/deploy`, tokens.deployer, { key: 'first' }),
    );
    firstDeploymentId = started.deploymentId;
    const retried = await accepted(
      await call('POST', `/stacks/${STACK}/deploy`, tokens.deployer, { key: 'first' }),
    );
    assert.deepEqual(retried, started, 'a retry with the same Idempotency-Key starts nothing new');
    const concurrent = await call('POST', `/stacks/${STACK}/stop`, tokens.deployer);
    assert.equal(concurrent.status, 409);
    assert.equal((await json(concurrent)).error.details.deploymentId, started.deploymentId);

    const events = await follow(started.deploymentId);
    assert.ok(events.length >= 3, `live progress events, not only the end: ${events.length}`);
    const percentages = events.map((e) => e.deployment.progress);
    assert.deepEqual(
      percentages,
      [...percentages].sort((a, b) => a - b),
      'progress never goes back',
    );
    const final = events.at(-1)!.deployment;
    assert.equal(final.status, 'succeeded', final.error ?? '');
    assert.equal(final.progress, 100);
    assert.deepEqual(
      final,
      await json(await call('GET', `/deployments/${started.deploymentId}`, tokens.viewer)),
    );

    const byHost = await onDaemons();
    const services = (hostId: string) => names(byHost[hostId]!).map((n) => n.replace(/_\d+$/, ''));
    assert.deepEqual(services('vm1'), ['api-shop_api', 'api-shop_db', 'api-shop_web']);
    assert.deepEqual(services('vm2'), ['api-shop_api', 'api-shop_web']);
    assert.deepEqual(services('vm3'), ['api-shop_web'], 'zone b runs neither db nor api');
    for (const hostId of HOSTS) {
      for (const c of byHost[hostId]!) {
        assert.equal(c.state, 'running', `${c.name} on ${hostId}`);
        assert.equal(c.labels['io.graphium.stack'], STACK);
        assert.equal(c.labels['io.graphium.deployment'], started.deploymentId);
        assert.equal(
          c.name,
          `${STACK}_${c.labels['io.graphium.service']}_${c.labels['io.graphium.replica']}`,
        );
      }
    }
  });

  it('stops and starts the stack on every daemon', async () => {
    const before = Object.values(await onDaemons()).flat();
    assert.ok(before.length > 0);
    const stopped = await follow(
      (await accepted(await call('POST', `/stacks/${STACK}/stop`, tokens.deployer))).deploymentId,
    );
    assert.equal(stopped.at(-1)!.deployment.status, 'succeeded');
    for (const [hostId, containers] of Object.entries(await onDaemons())) {
      assert.ok(containers.length > 0, hostId);
      for (const c of containers) assert.equal(c.state, 'exited', `${c.name} on ${hostId}`);
    }
    const restarted = await follow(
      (await accepted(await call('POST', `/stacks/${STACK}/start`, tokens.deployer))).deploymentId,
    );
    assert.equal(restarted.at(-1)!.deployment.status, 'succeeded');
    const after = Object.values(await onDaemons()).flat();
    assert.deepEqual(
      after.map((c) => [c.name, c.id, c.state]),
      before.map((c) => [c.name, c.id, c.state]),
      'the same containers, running again',
    );
  });

  it('cancels a deploy mid-way: it ends cancelled and removes every container it created', async () => {
    const before = Object.values(await onDaemons()).flat();
    const updated = await call('PUT', `/stacks/${STACK}`, tokens.deployer, { yaml: compose(stuckService) });
    assert.equal(updated.status, 200);
    const started = await accepted(
      await call('POST', `/stacks/${STACK}/deploy`, tokens.deployer, { json: { version: 2 } }),
    );
    const stream = await call('GET', `/deployments/${started.deploymentId}/events`, tokens.viewer);
    let cancelled = false;
    let final: Deployment | undefined;
    for await (const item of readSse(stream.body!)) {
      if ('comment' in item) continue;
      const deployment = JSON.parse(item.data) as Deployment;
      const stuckStarting = deployment.containers.some(
        (c) => c.name.includes('_stuck_') && c.status === 'starting',
      );
      if (!cancelled && stuckStarting) {
        const response = await call('POST', `/deployments/${started.deploymentId}/cancel`, tokens.deployer);
        assert.equal(response.status, 202);
        cancelled = true;
      }
      if (item.event === 'end') final = deployment;
    }
    assert.ok(cancelled, 'the stuck service was seen starting');
    assert.equal(final?.status, 'cancelled', final?.error ?? '');
    assert.match(final?.error ?? '', /cancelled on request/);
    const after = Object.values(await onDaemons()).flat();
    assert.ok(!after.some((c) => c.labels['io.graphium.deployment'] === started.deploymentId));
    assert.deepEqual(
      after.map((c) => [c.name, c.id, c.state]),
      before.map((c) => [c.name, c.id, c.state]),
      'the previous version keeps running, untouched',
    );
    const again = await call('POST', `/deployments/${started.deploymentId}/cancel`, tokens.deployer);
    assert.equal(again.status, 409, 'a finished deployment cannot be cancelled');
  });

  it('records the deployer token as the actor of the deploy in the audit log', async () => {
    const { items } = await json(await call('GET', '/audit?limit=200', adminToken));
    const deploy = items.find(
      (e: { action: string; details: { deploymentId?: string } }) =>
        e.action === 'POST /api/v1/stacks/:id/deploy' && e.details.deploymentId === firstDeploymentId,
    );
    assert.equal(deploy?.actor, 'e2e-deployer');
    assert.equal(deploy?.target, stackId);
    assert.equal(deploy?.status, 202);
    assert.equal(deploy?.details.operation, 'deploy');
  });

  it('deletes the stack: nothing with its label is left on any daemon', async () => {
    const deleted = await follow(
      (await accepted(await call('DELETE', `/stacks/${STACK}`, tokens.deployer))).deploymentId,
    );
    assert.equal(deleted.at(-1)!.deployment.status, 'succeeded');
    for (const [i, hostId] of HOSTS.entries()) {
      const probe = new DaemonProbe(infra.dockerHosts[i]!.socketPath);
      assert.deepEqual(await probe.containers({ [LABEL_STACK]: STACK }), [], `nothing left on ${hostId}`);
    }
    assert.equal((await call('GET', `/stacks/${STACK}`, tokens.viewer)).status, 404);
    const { items } = await json(await call('GET', `/deployments?stackId=${stackId}`, tokens.viewer));
    assert.deepEqual(
      items.map((d: { operation: string; status: string }) => `${d.operation} ${d.status}`),
      ['delete succeeded', 'deploy cancelled', 'start succeeded', 'stop succeeded', 'deploy succeeded'],
    );
  });

  it('every workflow it ran, the cancelled deploy included, replays from its recorded history', async () => {
    const { items } = await json(await call('GET', `/deployments?stackId=${stackId}`, tokens.viewer));
    const client = await temporalClient(infra);
    try {
      const histories = await fetchHistories(
        client,
        items.map((d: { workflowId: string }) => d.workflowId),
      );
      assert.deepEqual(await replayHistories(infra.workflowBundle, histories), []);
      saveHistories('api', histories);
    } finally {
      await client.connection.close();
    }
  });
});
