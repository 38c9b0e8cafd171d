import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_DEPLOYMENT, LABEL_STACK } from '../../contracts/vocabulary.js';
import { DaemonProbe } from '../harness/daemon.js';
import { useFaultEnvironment } from '../harness/fault-env.js';
import { dbAndWeb } from '../harness/fault-stacks.js';
import { waitFor } from '../harness/ports.js';
import { putStack, runOperation, startStackOperation } from '../harness/stack-ops.js';

// PostgreSQL stopped for 30 s mid-deploy (a private cluster: the machine's shared server is never
// stopped). The Docker work goes on; the orchestrator's database writes are retried until the
// database is back, so the record ends true.

const STACK = 'pgdown';
const OUTAGE_MS = 30_000;
const version = (v: number) => dbAndWeb(v, { db: 2, web: 4, healthDelayS: 3 });

describe('PostgreSQL stopped mid-deploy', () => {
  const env = useFaultEnvironment({
    name: 'pgdown',
    hosts: [{ zone: 'a' }, { zone: 'b' }],
    privatePostgres: true,
  });

  it('for 30 s: the deploy completes and its record is true once the database is back', async () => {
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
    await env.postgres!.stop();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await env.postgres!.start();
    const result = await env.temporal.workflow.getHandle(started.workflowId).result();
    assert.equal(result.status, 'succeeded', result.error ?? '');
    assert.ok(env.orchestrator.running, 'the orchestrator rode the outage out');
    await env.assertEndState(STACK);
  });
});
