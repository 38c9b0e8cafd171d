import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_DEPLOYMENT, LABEL_STACK } from '../../contracts/vocabulary.js';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { useFaultEnvironment } from '../harness/fault-env.js';
import { waitFor } from '../harness/ports.js';
import { putStack, runOperation, startStackOperation } from '../harness/stack-ops.js';

// The Temporal server restarted mid-deploy on the same database file: workflows, timers and queued
// tasks are all in that file, and every Graphium process reconnects by itself. The deploy finishes.

const STACK = 'trestart';
const slowHealth = `healthcheck: { test: ["CMD-SHELL", "test -f /tmp/up || (sleep 3 && touch /tmp/up && false)"], interval: 1s, timeout: 5s, retries: 10 }`;
const version = (v: number) => `
services:
  db:
    image: ${TEST_IMAGE}
    command: sleep 3600
    environment: { V: "${v}" }
    ${slowHealth}
    deploy: { replicas: 2 }
  web:
    image: ${TEST_IMAGE}
    command: sleep 3600
    environment: { V: "${v}" }
    depends_on: { db: { condition: service_healthy } }
    ${slowHealth}
    deploy: { replicas: 4 }
`;

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
