import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

// Canaries on two real dockerd hosts: the new version beside the old, answering to the service's
// name; promote, abort, the deadline, and a canary that aborts itself; each read back from the daemons.

const web = (version: number, command = 'httpd -f -p 8080', test = '["CMD", "true"]') => `
services:
  web:
    image: ${TEST_IMAGE}
    command: ${command}
    labels: { version: "${version}" }
    stop_grace_period: 1s
    healthcheck: { test: ${test}, interval: 1s, timeout: 2s, retries: 1 }
    deploy:
      replicas: 2
      placement: { constraints: ["node.labels.zone == a"] }
`;

/** `[name, state, version, aliases on the stack's network]` as the daemons report them. */
const view = (containers: ServiceContainer[]) =>
  containers.map((c) => [c.name, c.state, c.version, c.aliases.cn_default ?? []]);

describe('canary on two real dockerd hosts', () => {
  const env = useDeployEnvironment([{ zone: 'a' }, { zone: 'a' }, { zone: 'b' }]);
  const hosts = ['vm1', 'vm2'];
  const fast = { settleMs: 500 };
  const onDaemons = () => serviceContainers(env.infra, hosts, 'cn', 'web');
  const startCanary = async (yaml: string, options: Record<string, unknown>) => {
    await putStack(env.ctx.db, 'cn', yaml);
    return startStackOperation(env.ctx, 'cn', 'canary', { options: { ...fast, watch: '2s', ...options } });
  };
  /** The version as it ran before a canary that must leave it exactly so. */
  const expectUntouched = async (before: ServiceContainer[]) => {
    const after = await onDaemons();
    assert.deepEqual(view(after), view(before), 'no canary left; the old version as it was');
    assert.deepEqual(
      after.map((c) => c.id),
      before.map((c) => c.id),
      'the very same containers',
    );
  };

  it('promote: a canary of the new version answers beside the old, then the version rolls out', async () => {
    await putStack(env.ctx.db, 'cn', web(1));
    const first = await runOperation(env.ctx, 'cn', 'deploy', { options: fast });
    assert.equal(first.deployment.status, 'succeeded', first.deployment.error ?? '');
    const old = await onDaemons();

    const started = await startCanary(web(2), { deadline: '10m' });
    const awaiting = await waitUntilAwaiting(env.ctx.temporal, started.workflowId, 'promote');
    assert.deepEqual(awaiting.awaiting?.actions, ['promote', 'abort']);
    const during = await onDaemons();
    const canaries = during.filter((c) => c.name.includes('.canary-'));
    assert.deepEqual(
      canaries.map((c) => [
        c.name.replace(/\.canary-.*/, ''),
        c.hostId,
        c.state,
        c.healthy,
        c.version,
        c.aliases.cn_default,
      ]),
      [['cn_web_1', old[0]!.hostId, 'running', true, '2', ['web']]],
      'one canary, beside the first replica, answering to web',
    );
    assert.deepEqual(
      view(during.filter((c) => !c.name.includes('.canary-'))),
      view(old),
      'the old replicas go on serving',
    );
    assert.ok(awaiting.containers.some((c) => c.name === canaries[0]!.name && c.status === 'healthy'));

    await takeAction(env.ctx.temporal, started.workflowId, 'promote');
    const outcome = await outcomeOf(env.ctx, started.workflowId);
    assert.equal(outcome.status, 'succeeded', outcome.error ?? '');
    assert.deepEqual(
      view(await onDaemons()),
      old.map((c) => [c.name, 'running', '2', ['web']]),
      'every replica runs version 2; the canary is gone',
    );
    assert.deepEqual(
      outcome.containers.map((c) => [c.name, c.status]),
      old.map((c) => [c.name, 'healthy']),
    );
  });

  it('abort: the canary goes, and the old version stays exactly as it was', async () => {
    const before = await onDaemons();
    const started = await startCanary(web(3), { deadline: '10m' });
    await waitUntilAwaiting(env.ctx.temporal, started.workflowId, 'abort');
    assert.equal((await onDaemons()).filter((c) => c.name.includes('.canary-')).length, 1);
    await takeAction(env.ctx.temporal, started.workflowId, 'abort');
    const outcome = await outcomeOf(env.ctx, started.workflowId);
    assert.equal(outcome.status, 'rolled_back');
    assert.match(outcome.error ?? '', /canary of web: aborted by test/);
    await expectUntouched(before);
  });

  it('deadline: nobody decides in time, and onDeadline (abort by default) decides', async () => {
    const before = await onDaemons();
    const started = await startCanary(web(3), { deadline: '3s' });
    const outcome = await outcomeOf(env.ctx, started.workflowId);
    assert.equal(outcome.status, 'rolled_back');
    assert.match(outcome.error ?? '', /canary of web: aborted by the deadline/);
    await expectUntouched(before);

    const promoted = await startCanary(web(4), { deadline: '3s', onDeadline: 'promote' });
    const rolledOut = await outcomeOf(env.ctx, promoted.workflowId);
    assert.equal(rolledOut.status, 'succeeded', rolledOut.error ?? '');
    assert.deepEqual(
      view(await onDaemons()),
      before.map((c) => [c.name, 'running', '4', ['web']]),
    );
  });

  it('a canary that turns unhealthy while watched aborts by itself', async () => {
    const before = await onDaemons();
    // Healthy at first, sick four seconds later: within its 30 s watch.
    const sick = web(
      5,
      '["sh", "-c", "(sleep 4; : > /tmp/sick) & exec httpd -f -p 8080"]',
      '["CMD-SHELL", "test ! -f /tmp/sick"]',
    );
    const started = await startCanary(sick, { watch: '30s', deadline: '10m' });
    const outcome = await outcomeOf(env.ctx, started.workflowId);
    assert.equal(outcome.status, 'rolled_back');
    assert.match(
      outcome.error ?? '',
      /cn_web_1\.canary-\w+ on host vm\d turned unhealthy while it was watched/,
    );
    await expectUntouched(before);
  });

  itReplaysEveryWorkflowItRan(env, 'canary');
});
