import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonContainer } from '../harness/daemon.js';
import { itReplaysEveryWorkflowItRan, useDeployEnvironment } from '../harness/deploy-env.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { containersOnHosts, names, putStack, runOperation } from '../harness/stack-ops.js';

/** Which containers each daemon holds, with their IDs and states: equal means nothing was touched. */
const identity = (byHost: Record<string, DaemonContainer[]>) =>
  Object.entries(byHost).map(([hostId, list]) => [hostId, list.map((c) => [c.name, c.id, c.state])]);

const compose = (webCommand = 'httpd -f -p 8080') => `
services:
  db:
    image: ${TEST_IMAGE}
    command: sleep 3600
    stop_grace_period: 1s
    healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 1s, retries: 3 }
    deploy: { placement: { constraints: ["node.labels.role == db"] } }
  api:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    depends_on: { db: { condition: service_healthy } }
    deploy: { replicas: 2, placement: { constraints: ["node.labels.zone == a"] } }
  web:
    image: ${TEST_IMAGE}
    command: ${webCommand}
    stop_grace_period: 1s
    depends_on: [api]
    deploy: { replicas: 3 }
`;

describe('stack lifecycle on three real dockerd hosts', () => {
  const env = useDeployEnvironment([{ zone: 'a', role: 'db' }, { zone: 'a' }, { zone: 'b' }]);
  const stack = 'shop';
  const fast = { options: { settleMs: 500 } };

  it('deploys each service where its constraints allow, with the ownership labels', async () => {
    await putStack(env.ctx.db, stack, compose());
    const { deployment, result, failure } = await runOperation(env.ctx, stack, 'deploy', fast);
    assert.equal(failure, undefined, failure?.cause?.message);
    assert.equal(deployment.status, 'succeeded');
    assert.equal(deployment.progress, 100);
    assert.equal(result?.containers.length, 6);
    const onHosts = await containersOnHosts(env.infra, env.hostIds, stack);
    assert.deepEqual(
      names(onHosts.vm1!).filter((n) => n.startsWith('shop_db')),
      ['shop_db_1'],
    );
    assert.deepEqual(
      names(onHosts.vm2!)
        .concat(names(onHosts.vm3!))
        .filter((n) => n.startsWith('shop_db')),
      [],
    );
    assert.deepEqual(
      [...names(onHosts.vm1!), ...names(onHosts.vm2!)].filter((n) => n.startsWith('shop_api')).sort(),
      ['shop_api_1', 'shop_api_2'],
    );
    assert.equal(
      names(onHosts.vm3!).filter((n) => n.startsWith('shop_api')).length,
      0,
      'zone b holds no api',
    );
    for (const hostId of env.hostIds) {
      assert.equal(
        names(onHosts[hostId]!).filter((n) => n.startsWith('shop_web')).length,
        1,
        `one web on ${hostId}`,
      );
      for (const c of onHosts[hostId]!) {
        assert.equal(c.state, 'running', `${c.name} on ${hostId}`);
        assert.equal(c.labels['io.graphium.stack'], stack);
        assert.equal(c.labels['io.graphium.deployment'], deployment.id);
        assert.equal(c.labels['io.graphium.host'], hostId);
        assert.equal(c.name, `shop_${c.labels['io.graphium.service']}_${c.labels['io.graphium.replica']}`);
      }
    }
  });

  it('redeploying an unchanged stack leaves every container as it is', async () => {
    const before = await containersOnHosts(env.infra, env.hostIds, stack);
    const { deployment, result } = await runOperation(env.ctx, stack, 'deploy', fast);
    assert.equal(deployment.status, 'succeeded');
    assert.deepEqual(
      result?.containers.map((c) => c.status),
      Array(6).fill('unchanged'),
    );
    assert.deepEqual(identity(await containersOnHosts(env.infra, env.hostIds, stack)), identity(before));
  });

  it('stop and start change the state of the containers on each daemon', async () => {
    const before = await containersOnHosts(env.infra, env.hostIds, stack);
    const stopped = await runOperation(env.ctx, stack, 'stop');
    assert.equal(stopped.deployment.status, 'succeeded', stopped.deployment.error ?? '');
    for (const [hostId, containers] of Object.entries(
      await containersOnHosts(env.infra, env.hostIds, stack),
    )) {
      assert.ok(containers.length > 0);
      for (const c of containers) assert.equal(c.state, 'exited', `${c.name} on ${hostId} stopped`);
    }
    const started = await runOperation(env.ctx, stack, 'start');
    assert.equal(started.deployment.status, 'succeeded', started.deployment.error ?? '');
    assert.deepEqual(
      started.result?.containers.map((c) => c.status),
      Array(6).fill('running'),
    );
    const after = await containersOnHosts(env.infra, env.hostIds, stack);
    assert.deepEqual(identity(after), identity(before), 'the same containers, running again');
    for (const [hostId, containers] of Object.entries(after)) {
      for (const c of containers) assert.equal(c.state, 'running', `${c.name} on ${hostId} running`);
    }
  });

  it('a changed service is replaced; the others are left alone', async () => {
    const before = Object.values(await containersOnHosts(env.infra, env.hostIds, stack)).flat();
    await putStack(env.ctx.db, stack, compose('httpd -f -p 8081'));
    const { deployment, result } = await runOperation(env.ctx, stack, 'deploy', fast);
    assert.equal(deployment.status, 'succeeded', deployment.error ?? '');
    const after = Object.values(await containersOnHosts(env.infra, env.hostIds, stack)).flat();
    assert.deepEqual(after.map((c) => c.name).sort(), before.map((c) => c.name).sort(), 'no leftovers');
    for (const c of after) {
      const old = before.find((b) => b.name === c.name)!;
      if (c.name.startsWith('shop_web')) {
        assert.notEqual(c.id, old.id, `${c.name} replaced`);
        assert.equal(c.labels['io.graphium.deployment'], deployment.id);
      } else assert.equal(c.id, old.id, `${c.name} kept`);
    }
    assert.equal(result?.containers.filter((c) => c.status === 'unchanged').length, 3);
  });

  it('a failed deploy rolls back and leaves the previous version running', async () => {
    const before = Object.values(await containersOnHosts(env.infra, env.hostIds, stack)).flat();
    await putStack(env.ctx.db, stack, compose('sh -c "echo web is broken; exit 3"'));
    const { deployment, failure } = await runOperation(env.ctx, stack, 'deploy', fast);
    assert.equal(deployment.status, 'rolled_back');
    assert.match(
      deployment.error ?? '',
      /shop_web_\d on host vm\d exited with code 3; last output: web is broken/,
    );
    assert.match(failure?.cause?.message ?? '', /deploy of stack shop rolled back/);
    const after = Object.values(await containersOnHosts(env.infra, env.hostIds, stack)).flat();
    assert.deepEqual(
      after.map((c) => [c.name, c.id, c.state]),
      before.map((c) => [c.name, c.id, c.state]),
      'the very same containers, running again under their own names',
    );
    assert.ok(!after.some((c) => c.labels['io.graphium.deployment'] === deployment.id));
  });

  it('deletes the stack from every host, leaving no container with its label', async () => {
    const { deployment, failure } = await runOperation(env.ctx, stack, 'delete');
    assert.equal(failure, undefined, failure?.cause?.message);
    assert.equal(deployment.status, 'succeeded');
    const onHosts = await containersOnHosts(env.infra, env.hostIds, stack);
    for (const hostId of env.hostIds) assert.deepEqual(onHosts[hostId], [], `nothing left on ${hostId}`);
  });

  itReplaysEveryWorkflowItRan(env, 'lifecycle');
});
