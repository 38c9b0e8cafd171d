import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_HOST, LABEL_STACK } from '../../contracts/vocabulary.js';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { useFaultEnvironment } from '../harness/fault-env.js';
import { waitUntilPolling } from '../harness/graphium.js';
import { waitFor } from '../harness/ports.js';
import { putStack, runOperation, startStackOperation } from '../harness/stack-ops.js';

// Two agents for one host: both poll its queue and share its work. Every Docker step is idempotent,
// so the host ends with exactly one container per replica. An agent started for a host id that
// another live agent serves on another daemon refuses to start: one host id is one daemon.

const STACK = 'twins';
const version = (v: number) => `
services:
  app:
    image: ${TEST_IMAGE}
    command: sleep 3600
    environment: { V: "${v}" }
    healthcheck: { test: ["CMD-SHELL", "test -f /tmp/up || (sleep 2 && touch /tmp/up && false)"], interval: 1s, timeout: 5s, retries: 10 }
    deploy: { replicas: 6, placement: { constraints: ["node.labels.zone == a"] } }
`;

describe('two agents for the same host', () => {
  const env = useFaultEnvironment({ name: 'twins', hosts: [{ zone: 'a' }, { zone: 'b' }] });

  it('share the host’s work: one container per replica, the deploy succeeds', async () => {
    await putStack(env.ctx.db, STACK, version(1));
    const started = await startStackOperation(env.ctx, STACK, 'deploy', {
      options: { settleMs: 300, maxParallelPerHost: 3 },
    });
    await waitFor('a container of the deploy on vm1', async () => {
      const probe = new DaemonProbe(env.daemonOf('vm1').socketPath);
      return (await probe.containers({ [LABEL_STACK]: STACK })).length > 0;
    });
    const second = env.startAgent('vm1', { name: 'agent-twins-vm1-second' });
    await waitUntilPolling([second]);
    const result = await env.temporal.workflow.getHandle(started.workflowId).result();
    assert.equal(result.status, 'succeeded', result.error ?? '');
    await env.assertEndState(STACK);

    // The first one goes away; the second carries on alone.
    await env.agents.get('vm1')!.stop();
    await putStack(env.ctx.db, STACK, version(2));
    const again = await runOperation(env.ctx, STACK, 'deploy', {
      options: { settleMs: 300, maxParallelPerHost: 3 },
    });
    assert.equal(again.deployment.status, 'succeeded', again.deployment.error ?? '');
    assert.match(second.logs, /"container created"/, 'the second agent did some of the work');
    await env.assertEndState(STACK);
  });

  it('on another daemon, a second agent for the host refuses to start', async () => {
    const wrong = env.startAgent('vm1', {
      name: 'agent-twins-vm1-wrong-daemon',
      dockerHost: env.daemonOf('vm2').dockerHost,
    });
    const code = await wrong.exited;
    assert.equal(code, 1);
    assert.match(wrong.logs, /another agent of host vm1 is running against another Docker daemon/);
    const probe = new DaemonProbe(env.daemonOf('vm2').socketPath);
    assert.deepEqual(await probe.containers({ [LABEL_HOST]: 'vm1', [LABEL_STACK]: STACK }), []);
    await env.assertEndState(STACK);
  });
});
