import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconcileDeployment } from '../../api/services/deployment-state.js';
import { LABEL_DEPLOYMENT, LABEL_STACK } from '../../contracts/vocabulary.js';
import { findDeployment } from '../../db/repositories/deployments.js';
import { DaemonProbe } from '../harness/daemon.js';
import { useFaultEnvironment } from '../harness/fault-env.js';
import { dbAndWeb } from '../harness/fault-stacks.js';
import { waitFor } from '../harness/ports.js';
import { putStack, runOperation, startStackOperation, waitUntilIdle } from '../harness/stack-ops.js';

// A deploy terminated in Temporal (not cancelled) runs no saga: it leaves new containers beside old
// ones stopped under `.retired-` names. Graphium notices the terminated workflow, and reconcile
// rolls back what it left, as the saga would have: the previous version runs again everywhere.

const STACK = 'term';
const version = (v: number) => dbAndWeb(v, { db: 3, web: 3, healthDelayS: 2 });

describe('a deploy terminated in Temporal', () => {
  // The schedule exists (so the API can trigger it) but would not fire by itself during the test.
  const env = useFaultEnvironment({
    name: 'term',
    hosts: [{ zone: 'a' }, { zone: 'b' }, { zone: 'c' }],
    reconcileInterval: '1h',
  });

  it('is rolled back by reconcile: the previous version runs everywhere, nothing retired is left', async () => {
    await putStack(env.ctx.db, STACK, version(1));
    const first = await runOperation(env.ctx, STACK, 'deploy', { options: { settleMs: 300 } });
    assert.equal(first.deployment.status, 'succeeded', first.deployment.error ?? '');

    await putStack(env.ctx.db, STACK, version(2));
    const started = await startStackOperation(env.ctx, STACK, 'deploy', { options: { settleMs: 300 } });
    // Terminate once wave 2 is being made: wave 1 is replaced (its old containers retired).
    await waitFor(
      'a web container of the new deploy',
      async () => {
        for (const hostId of env.hostIds) {
          const probe = new DaemonProbe(env.daemonOf(hostId).socketPath);
          const found = await probe.containers({ [LABEL_STACK]: STACK, [LABEL_DEPLOYMENT]: started.id });
          if (found.some((c) => c.name.startsWith(`${STACK}_web_`))) return true;
        }
        return false;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    await env.temporal.workflow
      .getHandle(started.workflowId)
      .terminate('pressed Terminate in the Temporal UI');
    const retired = async () => {
      let n = 0;
      for (const hostId of env.hostIds) {
        const all = await new DaemonProbe(env.daemonOf(hostId).socketPath).containers({
          [LABEL_STACK]: STACK,
        });
        n += all.filter((c) => c.name.includes('.retired-')).length;
      }
      return n;
    };
    assert.ok(
      (await retired()) > 0,
      'the terminated deploy left retired containers, as it does before the fix',
    );

    // Anyone reading the deployment (GET /deployments/:id) settles it and asks for a reconcile now.
    const row = await findDeployment(env.ctx.db, started.id);
    const settled = await reconcileDeployment({ db: env.ctx.db, temporal: env.temporal }, row!);
    assert.equal(settled.status, 'failed');
    assert.match(settled.error ?? '', /terminated in Temporal/);
    const final = await waitFor(
      'the reconcile to roll the terminated deploy back',
      async () => {
        const current = await findDeployment(env.ctx.db, started.id);
        return current?.status === 'rolled_back' ? current : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    assert.match(final.error ?? '', /terminated in Temporal.*leftovers were rolled back by reconcile-term-/);
    assert.equal(await retired(), 0);
    await waitUntilIdle(env.ctx.db, STACK);
    await env.assertEndState(STACK);

    // And the stack deploys again as usual.
    const again = await runOperation(env.ctx, STACK, 'deploy', { options: { settleMs: 300 } });
    assert.equal(again.deployment.status, 'succeeded', again.deployment.error ?? '');
    await env.assertEndState(STACK);
  });
});
