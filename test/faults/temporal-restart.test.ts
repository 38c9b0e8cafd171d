import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_DEPLOYMENT, LABEL_STACK } from '../../contracts/vocabulary.js';
import { DaemonProbe } from '../harness/daemon.js';
import { useFaultEnvironment } from '../harness/fault-env.js';
import { dbAndWeb } from '../harness/fault-stacks.js';
import { waitFor } from '../harness/ports.js';
import { putStack, runOperation, startStackOperation } from '../harness/stack-ops.js';

// The Temporal server restarted mid-deploy on the same database file: workflows, timers and queued
// tasks are all in that file, and every Graphium process reconnects by itself. The deploy finishes.

const STACK = 'trestart';
const version = (v: number) => dbAndWeb(v, { db: 2, web: 4, healthDelayS: 3 });

describe('the Temporal server restarted mid-deploy', () => {
  const env = useFaultEnvironment({
    name: 'trestart',
    hosts: [{ zone: 'a' }, { zone: 'b' }],
    persistTemporal: true,
  });

  it('the deploy completes once the server is back, in step with the daemons', async () => {
    await putStack(env.ctx.db, STACK, version(1));
    const first = await runOperation(env.ctx, STACK, 'deploy', { options: { settleMs: 300 } });
    assert.equal(first.deployment.status, 'succeeded', first.deployment.error ?? '');

    await putStack(env.ctx.db, STACK, version(2));
    const started = await startStackOperation(env.ctx, STACK, 'deploy', { options: { settleMs: 300 } });
    await waitFor(
      'the deploy to be creating containers',
      async () => {
        const probe = new DaemonProbe(env.daemonOf('vm1').socketPath);
        return (await probe.containers({ [LABEL_STACK]: STACK, [LABEL_DEPLOYMENT]: started.id })).length > 0;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    // Down for a while: long enough for heartbeats and polls to fail, and the workers to retry.
    await env.restartTemporal(10_000);
    const result = await waitFor(
      'the deploy to finish after the restart',
      async () => {
        try {
          return await env.temporal.workflow.getHandle(started.workflowId).result();
        } catch (error) {
          if (/unavailable|connect/i.test((error as Error).message)) return undefined;
          throw error;
        }
      },
      { timeoutMs: 240_000, intervalMs: 1_000 },
    );
    assert.equal(result.status, 'succeeded', result.error ?? '');
    await env.assertEndState(STACK);
  });
});
