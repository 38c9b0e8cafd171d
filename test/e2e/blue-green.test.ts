import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/lib/errors.js';
import { itReplaysEveryWorkflowItRan, useDeployEnvironment } from '../harness/deploy-env.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { putStack, runOperation, startStackOperation } from '../harness/stack-ops.js';
import {
  outcomeOf,
  type ServiceContainer,
  serviceContainers,
  takeAction,
  waitUntilAwaiting,
} from '../harness/strategies.js';

// Blue-green on two real dockerd hosts: the new version beside the old one without the service's
// aliases, the switch, the rollback window, and the rollback, all read back from the daemons.

const web = (version: number, ports = '') => `
services:
  web:
    image: ${TEST_IMAGE}
    command: httpd -f -p 8080
    labels: { version: "${version}" }
    stop_grace_period: 1s
    healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 2s, retries: 3 }
${ports}    deploy:
      replicas: 2
      placement: { constraints: ["node.labels.zone == a"] }
`;

const NETWORK = 'bg_default';

/** `[name, state, version, aliases on the stack's network]`, the way the daemons report them. */
const view = (containers: ServiceContainer[]) =>
  containers.map((c) => [c.name, c.state, c.version, c.aliases[NETWORK] ?? []]);

describe('blue-green on two real dockerd hosts', () => {
  const env = useDeployEnvironment([{ zone: 'a' }, { zone: 'a' }, { zone: 'b' }]);
  const hosts = ['vm1', 'vm2'];
  const fast = { settleMs: 500 };
  const onDaemons = () => serviceContainers(env.infra, hosts, 'bg', 'web');

  it('switches the aliases to the new version, keeps the old one stopped, then removes it', async () => {
    await putStack(env.ctx.db, 'bg', web(1));
    const first = await runOperation(env.ctx, 'bg', 'deploy', { options: fast });
    assert.equal(first.deployment.status, 'succeeded', first.deployment.error ?? '');
    const blue = await onDaemons();

    await putStack(env.ctx.db, 'bg', web(2));
    const started = await startStackOperation(env.ctx, 'bg', 'blue-green', {
      options: { ...fast, rollbackWindow: '20s' },
    });
    const switched = await waitUntilAwaiting(env.ctx.temporal, started.workflowId, 'rollback');
    assert.ok(switched.awaiting?.deadline, 'the rollback window has an end');
    const during = await onDaemons();
    const green = (c: ServiceContainer) => c.name.includes('.green-');
    assert.deepEqual(
      view(during.filter((c) => !green(c))),
      blue.map((c) => [c.name, 'exited', '1', []]),
      'blue: stopped, kept, without the service’s alias',
    );
    assert.deepEqual(
      during
        .filter(green)
        .map((c) => [c.name.replace(/\.green-.*/, ''), c.state, c.healthy, c.version, c.aliases[NETWORK]]),
      blue.map((c) => [c.name, 'running', true, '2', ['web']]),
      'green: running, healthy, answering to web',
    );
    assert.deepEqual(
      during.filter((c) => !green(c)).map((c) => c.id),
      blue.map((c) => c.id),
      'the very same blue containers',
    );

    const outcome = await outcomeOf(env.ctx, started.workflowId);
    assert.equal(outcome.status, 'succeeded', outcome.error ?? '');
    const after = await onDaemons();
    assert.deepEqual(
      view(after),
      blue.map((c) => [c.name, 'running', '2', ['web']]),
      'green took the replicas’ names; blue is gone',
    );
    assert.deepEqual(
      after.map((c) => c.id),
      during.filter(green).map((c) => c.id),
      'the green containers themselves, renamed',
    );
    assert.deepEqual(
      outcome.containers.map((c) => [c.name, c.status]),
      blue.map((c) => [c.name, 'healthy']),
    );
  });

  it('rollback, inside the window, gives blue its aliases back and removes green', async () => {
    const blue = await onDaemons();
    await putStack(env.ctx.db, 'bg', web(3));
    const started = await startStackOperation(env.ctx, 'bg', 'blue-green', {
      options: { ...fast, rollbackWindow: '10m' },
    });
    await waitUntilAwaiting(env.ctx.temporal, started.workflowId, 'rollback');
    assert.ok(
      (await onDaemons()).some((c) => c.name.includes('.green-') && c.aliases[NETWORK]?.includes('web')),
    );
    const afterAction = await takeAction(env.ctx.temporal, started.workflowId, 'rollback');
    assert.equal(afterAction.awaiting, null);
    const outcome = await outcomeOf(env.ctx, started.workflowId);
    assert.equal(outcome.status, 'rolled_back');
    assert.match(outcome.error ?? '', /switch to the new version rolled back: rollback by test/);
    const after = await onDaemons();
    assert.deepEqual(view(after), view(blue), 'blue runs again with its alias; nothing green is left');
    assert.deepEqual(
      after.map((c) => [c.id, c.healthy || c.state]),
      blue.map((c) => [c.id, c.healthy || c.state]),
    );
  });

  it('is refused before it starts when blue and green would bind the same host port', async () => {
    await putStack(env.ctx.db, 'bg', web(4, '    ports: ["18080:8080"]\n'));
    await assert.rejects(
      startStackOperation(env.ctx, 'bg', 'blue-green'),
      (error: unknown) =>
        error instanceof ApiError &&
        error.status === 422 &&
        /service web has host port 18080, and vm\d would run its new container beside/.test(error.message),
    );
  });

  itReplaysEveryWorkflowItRan(env, 'blue-green');
});
