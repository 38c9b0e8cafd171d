import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OperationProgress } from '../../workflows/progress-types.js';
import { itReplaysEveryWorkflowItRan, useDeployEnvironment } from '../harness/deploy-env.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { waitUntilPolling } from '../harness/graphium.js';
import { waitFor } from '../harness/ports.js';
import { containersOnHosts, putStack, runOperation, startStackOperation } from '../harness/stack-ops.js';

const allContainers = async (env: ReturnType<typeof useDeployEnvironment>, stack: string) =>
  Object.values(await containersOnHosts(env.infra, env.hostIds, stack)).flat();

describe('deploy faults on real hosts', () => {
  const env = useDeployEnvironment([{ zone: 'a' }, { zone: 'b' }, { zone: 'c' }], '4s');

  it('an image that does not exist fails the deploy with that reason, and nothing of it remains', async () => {
    await putStack(
      env.ctx.db,
      'badimage',
      `
services:
  good:
    image: ${TEST_IMAGE}
    command: sleep 3600
    deploy: { replicas: 3 }
  missing:
    image: graphium-test/does-not-exist:1
    depends_on: [good]
    deploy: { placement: { constraints: ["node.labels.zone == b"] } }
`,
    );
    const { deployment } = await runOperation(env.ctx, 'badimage', 'deploy', { options: { settleMs: 300 } });
    assert.equal(deployment.status, 'rolled_back');
    assert.match(
      deployment.error ?? '',
      /image graphium-test\/does-not-exist:1 is not on host vm2 and could not be pulled/,
    );
    const failed = deployment.containers.find((c) => c.service === 'missing');
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.hostId, 'vm2');
    assert.deepEqual(await allContainers(env, 'badimage'), [], 'the good service was removed again too');
  });

  it('an agent killed mid-deploy and restarted: the deploy completes without duplicates', async () => {
    await putStack(
      env.ctx.db,
      'crash',
      `
services:
  slow:
    image: ${TEST_IMAGE}
    command: sleep 3600
    # Healthy only after ~3 s, so the kill lands while containers are being created or awaited.
    healthcheck: { test: ["CMD-SHELL", "test -f /tmp/up || (sleep 3 && touch /tmp/up && false)"], interval: 1s, timeout: 5s, retries: 10 }
    deploy: { replicas: 6, placement: { constraints: ["node.labels.zone == a"] } }
`,
    );
    // The restarted agent must be back within the pickup bound: this file's 4 s (which the offline-host
    // case below needs) is less than a cold `tsx` start on a loaded two-core machine.
    const started = await startStackOperation({ ...env.ctx, pickupTimeout: '60s' }, 'crash', 'deploy', {
      options: { maxParallelPerHost: 2, settleMs: 300 },
    });
    const handle = env.ctx.temporal.workflow.getHandle(started.workflowId);
    await waitFor('a container of the deploy to be in progress on vm1', async () => {
      const progress = (await handle.query('progress')) as OperationProgress;
      return progress.containers.some((c) => c.status === 'starting');
    });
    await env.agents.get('vm1')!.kill();
    await waitUntilPolling([env.startAgent('vm1')]);
    const result = (await handle.result()) as OperationProgress;
    assert.equal(result.status, 'succeeded');
    const onVm1 = (await containersOnHosts(env.infra, env.hostIds, 'crash')).vm1!;
    assert.deepEqual(
      onVm1.map((c) => c.name),
      ['crash_slow_1', 'crash_slow_2', 'crash_slow_3', 'crash_slow_4', 'crash_slow_5', 'crash_slow_6'],
      'exactly one container per replica',
    );
    assert.ok(onVm1.every((c) => c.state === 'running' && c.labels['io.graphium.deployment'] === started.id));
    assert.ok(
      result.containers.some((c) => c.attempts > 1),
      'a step was retried on the restarted agent',
    );
    const deleted = await runOperation(env.ctx, 'crash', 'delete');
    assert.equal(deleted.deployment.status, 'succeeded', deleted.deployment.error ?? '');
    assert.deepEqual(await allContainers(env, 'crash'), []);
  });

  it('a host whose agent stays down past the pickup bound fails the deploy naming it; other hosts are cleaned', async () => {
    await env.agents.get('vm3')!.stop();
    await putStack(
      env.ctx.db,
      'partial',
      `
services:
  app:
    image: ${TEST_IMAGE}
    command: sleep 3600
    deploy: { replicas: 3 }
`,
    );
    const { deployment } = await runOperation(env.ctx, 'partial', 'deploy', { options: { settleMs: 300 } });
    assert.equal(deployment.status, 'rolled_back', deployment.error ?? '');
    assert.match(deployment.error ?? '', /host vm3 is offline: its agent did not pick up work within 4s/);
    assert.deepEqual(await allContainers(env, 'partial'), [], 'vm1 and vm2 were rolled back');
    await waitUntilPolling([env.startAgent('vm3')]);
  });

  itReplaysEveryWorkflowItRan(env, 'faults');
});
