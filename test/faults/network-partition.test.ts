import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_DEPLOYMENT, LABEL_STACK } from '../../contracts/vocabulary.js';
import { findDeployment } from '../../db/repositories/deployments.js';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { useFaultEnvironment } from '../harness/fault-env.js';
import { waitFor } from '../harness/ports.js';
import { putStack, runOperation, startStackOperation, waitUntilIdle } from '../harness/stack-ops.js';

// vm1's agent runs in a network namespace of its own, joined to the machine by a veth pair; the
// test takes the machine's end of the link down for 60 s (packets vanish, nothing is refused) and
// brings it up again. vm1 must show offline within 30 s; a deploy whose pickup bound outlasts the
// partition completes once the link is back, one whose bound does not rolls back cleanly; and no
// replica starts a second copy elsewhere while vm1 is away.

const PARTITION_MS = 60_000;
const slowHealth = `healthcheck: { test: ["CMD-SHELL", "test -f /tmp/up || (sleep 2 && touch /tmp/up && false)"], interval: 1s, timeout: 5s, retries: 10 }`;
const version = (v: number, health = slowHealth) => `
services:
  app:
    image: ${TEST_IMAGE}
    command: sleep 3600
    environment: { V: "${v}" }
    ${health}
    deploy: { replicas: 2 }
`;
/** Healthy only after ~40 s: the partition lands while vm1's replica is being waited for. */
const verySlowHealth = `healthcheck: { test: ["CMD-SHELL", "test -f /tmp/up || (sleep 40 && touch /tmp/up && false)"], interval: 1s, timeout: 60s, retries: 3 }`;

describe('an agent cut off by a network partition', () => {
  const env = useFaultEnvironment({
    name: 'partition',
    hosts: [{ zone: 'a' }, { zone: 'b' }],
    partitionable: ['vm1'],
    api: true,
    // Reconcile finishes the rollback of a deploy that could not reach vm1 before the link came back.
    reconcileInterval: '20s',
  });
  const link = () => env.namespaces.get('vm1')!;
  const hostStatus = async (hostId: string) => {
    const response = await fetch(`${env.api!.baseUrl}/api/v1/hosts/${hostId}`, {
      headers: { authorization: `Bearer ${env.api!.token}` },
    });
    return ((await response.json()) as { status: string }).status;
  };
  const onVm1 = (stack: string, deploymentId: string) => async () => {
    const probe = new DaemonProbe(env.daemonOf('vm1').socketPath);
    return (await probe.containers({ [LABEL_STACK]: stack, [LABEL_DEPLOYMENT]: deploymentId })).length > 0;
  };
  /** Cuts the link, and resolves (with how long vm1 took to show offline) once it is up again. */
  const partition = async (): Promise<number> => {
    const cutAt = Date.now();
    link().cut();
    try {
      await waitFor('vm1 to show offline', async () => (await hostStatus('vm1')) === 'offline', {
        timeoutMs: PARTITION_MS - 5_000,
        intervalMs: 500,
      });
      const offlineAfter = Date.now() - cutAt;
      await new Promise((resolve) => setTimeout(resolve, PARTITION_MS - (Date.now() - cutAt)));
      return offlineAfter;
    } finally {
      link().restore();
    }
  };

  it('shows vm1 offline within 30 s; a deploy within its pickup bound completes once the link is back', async () => {
    for (const stack of ['part', 'sticky']) {
      await putStack(env.ctx.db, stack, version(1));
      const first = await runOperation(env.ctx, stack, 'deploy', { options: { settleMs: 300 } });
      assert.equal(first.deployment.status, 'succeeded', first.deployment.error ?? '');
    }
    assert.equal(await hostStatus('vm1'), 'online');

    const ctx = { ...env.ctx, pickupTimeout: '150s' };
    await putStack(env.ctx.db, 'part', version(2));
    const started = await startStackOperation(ctx, 'part', 'deploy', { options: { settleMs: 300 } });
    await waitFor('the deploy to reach vm1', onVm1('part', started.id), {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    let stickyId = '';
    // While vm1 is away, a deploy of another stack keeps vm1's replica on vm1 (it waits for the
    // agent) instead of starting a second copy on vm2 that would run beside it once vm1 is back.
    const duringPartition = async () => {
      await waitFor('vm1 to show offline', async () => (await hostStatus('vm1')) === 'offline', {
        timeoutMs: 45_000,
        intervalMs: 500,
      });
      await putStack(env.ctx.db, 'sticky', version(2));
      const sticky = await startStackOperation(ctx, 'sticky', 'deploy', { options: { settleMs: 300 } });
      stickyId = sticky.id;
      assert.deepEqual(
        sticky.containers.map((c) => `${c.name}@${c.hostId}`).sort(),
        ['sticky_app_1@vm1', 'sticky_app_2@vm2'],
        'vm1’s replica stays on vm1',
      );
    };
    const cut = partition();
    try {
      await duringPartition();
    } finally {
      // The link comes back whatever happened meanwhile.
      await cut.catch(() => {});
    }
    const offlineAfter = await cut;
    console.log(`vm1 showed offline ${offlineAfter} ms after the link went down`);
    assert.ok(offlineAfter <= 30_000, `vm1 showed offline after ${offlineAfter} ms`);

    for (const deploymentId of [started.id, stickyId]) {
      const row = await waitFor(
        'the deploy to end',
        async () => {
          const current = await findDeployment(env.ctx.db, deploymentId);
          return current && !['pending', 'running'].includes(current.status) ? current : undefined;
        },
        { timeoutMs: 240_000, intervalMs: 1_000 },
      );
      assert.equal(row.status, 'succeeded', `${row.workflowId}: ${row.error}`);
    }
    await waitFor('vm1 to show online again', async () => (await hostStatus('vm1')) === 'online', {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    for (const stack of ['part', 'sticky']) {
      await waitUntilIdle(env.ctx.db, stack);
      await env.assertEndState(stack);
    }
  });

  it('a deploy caught mid-replica by the partition ends succeeded or rolled back, in step with the daemons', async () => {
    // 20 s to pick a step up. The replica step (20 s without a heartbeat, 5 attempts) may outlast the
    // 60 s the link is down and complete, or the host be found offline and the deploy roll back: either
    // way it must end truthfully once the link is back, never half-done or `failed`.
    const ctx = { ...env.ctx, pickupTimeout: '20s' };
    await putStack(env.ctx.db, 'part', version(3, verySlowHealth));
    const started = await startStackOperation(ctx, 'part', 'deploy', { options: { settleMs: 300 } });
    await waitFor(
      'vm1’s new replica to be running, waited for',
      async () => {
        const probe = new DaemonProbe(env.daemonOf('vm1').socketPath);
        const found = await probe.containers({ [LABEL_STACK]: 'part', [LABEL_DEPLOYMENT]: started.id });
        return found.some((c) => c.state === 'running');
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    await partition();
    const row = await waitFor(
      'the deploy to end',
      async () => {
        const current = await findDeployment(env.ctx.db, started.id);
        return current && !['pending', 'running'].includes(current.status) ? current : undefined;
      },
      { timeoutMs: 420_000, intervalMs: 1_000 },
    );
    console.log(`partitioned deploy ended ${row.status}: ${row.error}`);
    assert.ok(['succeeded', 'rolled_back'].includes(row.status), `${row.status}: ${row.error}`);
    await waitUntilIdle(env.ctx.db, 'part');
    await env.assertEndState('part');
  });
});
