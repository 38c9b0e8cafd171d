import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DaemonProbe } from '../harness/daemon.js';
import { itReplaysEveryWorkflowItRan, useDeployEnvironment } from '../harness/deploy-env.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { putStack, runOperation, startStackOperation } from '../harness/stack-ops.js';
import {
  outcomeOf,
  sampleHealthy,
  serviceContainers,
  takeAction,
  waitUntilAwaiting,
} from '../harness/strategies.js';

// Rolling updates on two real dockerd hosts, checked on the daemons themselves: how many replicas
// serve while a service is replaced, which version each runs, and what a paused update leaves.

const web = (version: number, updateConfig = '') => `
services:
  web:
    image: ${TEST_IMAGE}
    command: httpd -f -p 8080
    labels: { version: "${version}" }
    stop_grace_period: 1s
    healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 2s, retries: 3 }
    deploy:
      replicas: 4
      placement: { constraints: ["node.labels.zone == a"] }
${updateConfig ? `      update_config: ${updateConfig}\n` : ''}`;

/** Healthy where the `flag` volume (one per host) holds `/data/<flag>`; version 1 needs no flag. */
const flagged = (version: number, flag?: string) => `
services:
  web:
    image: ${TEST_IMAGE}
    command: sleep 3600
    labels: { version: "${version}" }
    stop_grace_period: 1s
    volumes: ["flag:/data"]
    healthcheck:
      test: ${flag ? `["CMD-SHELL", "test -f /data/${flag}"]` : '["CMD", "true"]'}
      interval: 1s
      timeout: 2s
      retries: 2
    deploy:
      replicas: 2
      placement: { constraints: ["node.labels.zone == a"] }
      update_config: { failure_action: pause, monitor: 1s }
volumes:
  flag: {}
`;

describe('rolling updates on two real dockerd hosts', () => {
  const env = useDeployEnvironment([{ zone: 'a' }, { zone: 'a' }, { zone: 'b' }]);
  const hosts = ['vm1', 'vm2'];
  const fast = { options: { settleMs: 500 } };
  const onDaemons = (stack: string) => serviceContainers(env.infra, hosts, stack, 'web');

  /** Deploys `yaml` while sampling both daemons every 100 ms; returns the fewest healthy replicas seen. */
  const updateWhileSampling = async (
    stack: string,
    yaml: string,
    t: { diagnostic(message: string): void },
  ) => {
    await putStack(env.ctx.db, stack, yaml);
    const sampler = sampleHealthy(env.infra, hosts, stack, 'web');
    const { deployment } = await runOperation(env.ctx, stack, 'deploy', fast);
    const counts = await sampler.stop();
    assert.equal(deployment.status, 'succeeded', deployment.error ?? '');
    assert.ok(counts.length >= 10, `the daemons were sampled (${counts.length} samples)`);
    t.diagnostic(`${counts.length} samples of both daemons; fewest healthy replicas: ${Math.min(...counts)}`);
    return { deployment, fewest: Math.min(...counts) };
  };

  it('with the default update_config, at least 3 of 4 replicas serve through the whole update', async (t) => {
    await putStack(env.ctx.db, 'roll', web(1));
    const first = await runOperation(env.ctx, 'roll', 'deploy', fast);
    assert.equal(first.deployment.status, 'succeeded', first.deployment.error ?? '');
    const before = await onDaemons('roll');
    assert.deepEqual(before.map((c) => c.hostId).sort(), ['vm1', 'vm1', 'vm2', 'vm2'], 'two replicas a host');

    const { deployment, fewest } = await updateWhileSampling('roll', web(2), t);
    assert.ok(fewest >= 3, `one replica at a time: ≥ 3 running and healthy in every sample, saw ${fewest}`);
    const after = await onDaemons('roll');
    assert.deepEqual(
      after.map((c) => [c.hostId, c.name, c.state, c.version, c.healthy]),
      before.map((c) => [c.hostId, c.name, 'running', '2', true]),
      'every replica runs version 2 under its own name, and nothing retired is left',
    );
    assert.ok(
      after.every((c) => !before.some((b) => b.id === c.id)),
      'every container was replaced',
    );
    assert.ok(
      deployment.containers.every((c) => c.status === 'healthy' && c.agent?.startsWith(`agent:${c.hostId}@`)),
      'progress names the agent that ran each replica',
    );
  });

  it('with order: start-first, all 4 replicas serve through the whole update', async (t) => {
    const { fewest } = await updateWhileSampling('roll', web(3, '{ order: start-first }'), t);
    assert.ok(
      fewest >= 4,
      `each new replica is healthy before its old one goes: 4 in every sample, saw ${fewest}`,
    );
    assert.deepEqual(
      (await onDaemons('roll')).map((c) => [c.name, c.state, c.version, c.healthy]),
      ['roll_web_1', 'roll_web_2', 'roll_web_3', 'roll_web_4'].map((name) => [name, 'running', '3', true]),
      'the new containers took the replicas’ names; nothing beside them is left',
    );
  });

  describe('failure_action: pause', () => {
    const touch = async (container: { hostId: string; name: string }, file: string) => {
      const probe = new DaemonProbe(env.infra.dockerHosts[hosts.indexOf(container.hostId)]!.socketPath);
      const { exitCode } = await probe.exec(container.name, ['sh', '-c', `: > /data/${file}`]);
      assert.equal(exitCode, 0);
    };
    const running = async () =>
      (await onDaemons('pausing'))
        .filter((c) => c.state === 'running')
        .map((c) => [c.hostId, c.id, c.version, c.healthy]);

    it('keeps the service whole, awaits resume or abort, and resume tries the failed replica again', async () => {
      await putStack(env.ctx.db, 'pausing', flagged(1));
      const v1 = await runOperation(env.ctx, 'pausing', 'deploy', fast);
      assert.equal(v1.deployment.status, 'succeeded', v1.deployment.error ?? '');
      // Replicas are replaced in replica order: the first finds its flag, the second does not.
      const [first, second] = await onDaemons('pausing');
      assert.ok(first && second && first.hostId !== second.hostId, 'one replica a host');
      await touch(first, 'ok2');
      await putStack(env.ctx.db, 'pausing', flagged(2, 'ok2'));
      const update = await startStackOperation(env.ctx, 'pausing', 'deploy', fast);
      const paused = await waitUntilAwaiting(env.ctx.temporal, update.workflowId, 'resume');
      assert.deepEqual(paused.awaiting?.actions, ['resume', 'abort']);
      assert.match(
        paused.error ?? '',
        new RegExp(`update of web paused: ${second.name} on ${second.hostId}: .*healthcheck failed`),
      );
      const whilePaused = await running();
      assert.equal(whilePaused.length, 2, 'one replica a host, no more');
      assert.deepEqual(whilePaused[0]!.slice(2), ['2', true], 'the first replica runs the new version');
      assert.deepEqual(
        whilePaused[1],
        [second.hostId, second.id, '1', true],
        'the second runs its very same old container again',
      );

      // The cause is fixed there (through the old replica, which shares the volume): resume.
      await touch(second, 'ok2');
      const resumed = await takeAction(env.ctx.temporal, update.workflowId, 'resume');
      assert.equal(resumed.awaiting, null);
      const result = await env.ctx.temporal.workflow.getHandle(update.workflowId).result();
      assert.equal(result.status, 'succeeded', result.error ?? '');
      assert.deepEqual(
        (await running()).map(([hostId, , version, healthy]) => [hostId, version, healthy]),
        [
          [first.hostId, '2', true],
          [second.hostId, '2', true],
        ],
      );
    });

    it('abort rolls the whole update back: every replica as it was, the very same containers', async () => {
      const before = await running();
      // Version 3 wants a flag no host has: the first replica fails, is put back, and the update pauses.
      await putStack(env.ctx.db, 'pausing', flagged(3, 'ok3'));
      const update = await startStackOperation(env.ctx, 'pausing', 'deploy', fast);
      await waitUntilAwaiting(env.ctx.temporal, update.workflowId, 'abort');
      assert.deepEqual(await running(), before, 'paused: nothing changed');
      await takeAction(env.ctx.temporal, update.workflowId, 'abort');
      const outcome = await outcomeOf(env.ctx, update.workflowId);
      assert.equal(outcome.status, 'rolled_back');
      assert.match(
        outcome.error ?? '',
        /update of web paused after pausing_web_\d on vm\d: .*: aborted by test/,
      );
      assert.deepEqual(await running(), before);
      assert.equal((await onDaemons('pausing')).length, 2, 'nothing of version 3 is left');
    });
  });

  itReplaysEveryWorkflowItRan(env, 'rolling');
});
