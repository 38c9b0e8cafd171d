import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_DEPLOYMENT, LABEL_STACK } from '../../contracts/vocabulary.js';
import { DaemonProbe } from '../harness/daemon.js';
import { useFaultEnvironment } from '../harness/fault-env.js';
import { dbAndWeb } from '../harness/fault-stacks.js';
import { waitFor } from '../harness/ports.js';
import { putStack, runOperation, startStackOperation } from '../harness/stack-ops.js';

// A host's dockerd stopped (as `systemctl restart docker` does) or frozen (SIGSTOP: it holds every
// connection and answers nothing) in the middle of a deploy, then back. The daemons are this
// test's own. A briefly absent or silent daemon delays the deploy; it does not break it.

const version = (v: number) =>
  dbAndWeb(v, { db: 2, web: 4, healthDelayS: 3, extra: 'restart: unless-stopped' });

describe('a host’s dockerd failing mid-deploy', () => {
  const env = useFaultEnvironment({
    name: 'dockerd',
    hosts: [{ zone: 'a' }, { zone: 'b' }],
    privateDaemons: true,
  });
  const deployReaches = (stack: string, deploymentId: string) =>
    waitFor(
      'the deploy to be creating containers on vm1',
      async () => {
        const probe = new DaemonProbe(env.daemonOf('vm1').socketPath);
        return (
          (await probe.containers({ [LABEL_STACK]: stack, [LABEL_DEPLOYMENT]: deploymentId })).length > 0
        );
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );

  it('stopped for 10 s, then started again: the deploy completes', async () => {
    await putStack(env.ctx.db, 'dstop', version(1));
    const first = await runOperation(env.ctx, 'dstop', 'deploy', { options: { settleMs: 300 } });
    assert.equal(first.deployment.status, 'succeeded', first.deployment.error ?? '');

    await putStack(env.ctx.db, 'dstop', version(2));
    const started = await startStackOperation(env.ctx, 'dstop', 'deploy', { options: { settleMs: 300 } });
    await deployReaches('dstop', started.id);
    const daemon = env.privateDaemons.get('vm1')!;
    await daemon.stop();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await daemon.start();
    const result = await env.temporal.workflow.getHandle(started.workflowId).result();
    assert.equal(result.status, 'succeeded', result.error ?? '');
    await env.assertEndState('dstop');
  });

  it('frozen with SIGSTOP for 20 s, then thawed: the deploy completes', async () => {
    await putStack(env.ctx.db, 'dfreeze', version(1));
    const first = await runOperation(env.ctx, 'dfreeze', 'deploy', { options: { settleMs: 300 } });
    assert.equal(first.deployment.status, 'succeeded', first.deployment.error ?? '');

    await putStack(env.ctx.db, 'dfreeze', version(2));
    const started = await startStackOperation(env.ctx, 'dfreeze', 'deploy', { options: { settleMs: 300 } });
    await deployReaches('dfreeze', started.id);
    const daemon = env.privateDaemons.get('vm1')!;
    daemon.freeze();
    try {
      await new Promise((resolve) => setTimeout(resolve, 20_000));
    } finally {
      daemon.thaw();
    }
    const result = await env.temporal.workflow.getHandle(started.workflowId).result();
    assert.equal(result.status, 'succeeded', result.error ?? '');
    await env.assertEndState('dfreeze');
  });
});
