import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { describeHostAgent } from '../../api/services/host-agents.js';
import { DaemonProbe } from '../harness/daemon.js';
import { itReplaysEveryWorkflowItRan, useDeployEnvironment } from '../harness/deploy-env.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { waitFor } from '../harness/ports.js';
import { containersOnHosts, putStack, startStackOperation } from '../harness/stack-ops.js';
import { outcomeOf, progressOf } from '../harness/strategies.js';

// An agent whose every slot is busy for longer than the pickup bound is busy, not offline: its
// deploy goes on and succeeds; and a rollback queued on it behind deploy work runs first.

/** Healthy only once the test writes /tmp/ok into it: the test decides how long each one keeps a slot. */
const heldUntilTold = `
    command: sleep 3600
    stop_grace_period: 1s
    healthcheck: { test: ["CMD-SHELL", "test -f /tmp/ok"], interval: 1s, timeout: 2s, retries: 3, start_period: 10m }`;

const PICKUP = '3s';

describe('a busy agent on a real dockerd host', () => {
  // vm1's agent works on two Docker steps at once; the others keep the default.
  const env = useDeployEnvironment([{ zone: 'a' }, { zone: 'b' }, { zone: 'c' }], PICKUP, {
    vm1: { GRAPHIUM_AGENT_CONCURRENCY: '2' },
  });
  const vm1 = () => new DaemonProbe(env.infra.dockerHosts[0]!.socketPath);
  const vm2 = () => new DaemonProbe(env.infra.dockerHosts[1]!.socketPath);
  const release = async (probe: DaemonProbe, name: string) => {
    await probe.exec(name, ['sh', '-c', ': > /tmp/ok']).catch(() => undefined);
  };

  it('is not offline: its deploy succeeds, and a rollback queued behind deploy work runs first', async (t) => {
    // `other` reaches vm1 (a quick replica) and then waits on vm2 until the test makes it fail.
    await putStack(
      env.ctx.db,
      'other',
      `
services:
  quick:
    image: ${TEST_IMAGE}
    command: sleep 3600
    stop_grace_period: 1s
    deploy: { placement: { constraints: ["node.labels.zone == a"] } }
  hold:
    image: ${TEST_IMAGE}${heldUntilTold}
    deploy: { placement: { constraints: ["node.labels.zone == b"] } }
`,
    );
    const other = await startStackOperation(env.ctx, 'other', 'deploy', { options: { settleMs: 300 } });
    await waitFor(
      'other: quick up on vm1, hold waiting on vm2',
      async () => {
        const progress = await progressOf(env.ctx.temporal, other.workflowId);
        const status = (name: string) => progress.containers.find((c) => c.name === name)?.status;
        return status('other_quick_1') === 'running' && status('other_hold_1') === 'starting';
      },
      { timeoutMs: 120_000 },
    );

    // `busy` puts four replicas on vm1: two take its two slots, waiting for /tmp/ok; two queue.
    await putStack(
      env.ctx.db,
      'busy',
      `
services:
  web:
    image: ${TEST_IMAGE}${heldUntilTold}
    deploy: { replicas: 4, placement: { constraints: ["node.labels.zone == a"] } }
`,
    );
    const busy = await startStackOperation(env.ctx, 'busy', 'deploy', { options: { settleMs: 300 } });
    await waitFor(
      'two busy replicas created on vm1 (the agent’s two slots), all four scheduled',
      async () => {
        const progress = await progressOf(env.ctx.temporal, busy.workflowId);
        const created = (await vm1().containers({ 'io.graphium.stack': 'busy' })).length;
        return progress.containers.filter((c) => c.status === 'starting').length === 4 && created === 2;
      },
      { timeoutMs: 120_000 },
    );

    // Every slot stays busy well past the pickup bound: the host is not offline for it.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    assert.equal((await progressOf(env.ctx.temporal, busy.workflowId)).status, 'running');
    assert.equal((await vm1().containers({ 'io.graphium.stack': 'busy' })).length, 2, 'still only two');
    const status = await describeHostAgent(env.ctx.temporal, env.ctx.namespace, 'vm1');
    assert.equal(status.status, 'online', 'the API reports the busy agent online');

    // `other` fails on vm2: its rollback of vm1 is queued there behind busy's two waiting replicas.
    const hold = (await vm2().containers({ 'io.graphium.stack': 'other' }))[0]!;
    await vm2().removeContainer(hold.id);
    await waitFor(
      'the rollback of other to be scheduled on vm1',
      async () => (await activitySteps(other.workflowId)).some((s) => isRollbackOnVm1(s)),
      { timeoutMs: 120_000 },
    );
    // A slot frees: the agent picks the rollback, not the deploy work queued before it.
    const [firstHeld] = await vm1().containers({ 'io.graphium.stack': 'busy' });
    await release(vm1(), firstHeld!.name);
    // Without priority the freed slot would go to the deploy work queued first, which the test holds:
    // the rollback would wait behind it for as long as the test lets it.
    const otherOutcome = await Promise.race([
      outcomeOf(env.ctx, other.workflowId),
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error('the rollback did not overtake the deploy work queued on vm1')),
          120_000,
        ),
      ),
    ]);
    assert.equal(otherOutcome.status, 'rolled_back', otherOutcome.error ?? '');
    assert.deepEqual((await containersOnHosts(env.infra, env.hostIds, 'other')).vm1, [], 'vm1 rolled back');

    // Then the rest of busy's replicas come up, one slot at a time.
    const releasing = setInterval(async () => {
      for (const c of await vm1()
        .containers({ 'io.graphium.stack': 'busy' })
        .catch(() => [])) {
        await release(vm1(), c.name);
      }
    }, 500);
    let busyOutcome: Awaited<ReturnType<typeof outcomeOf>>;
    try {
      busyOutcome = await outcomeOf(env.ctx, busy.workflowId);
    } finally {
      clearInterval(releasing);
    }
    assert.equal(busyOutcome.status, 'succeeded', busyOutcome.error ?? '');
    assert.equal(busyOutcome.containers.filter((c) => c.status === 'healthy').length, 4);

    const busySteps = (await activitySteps(busy.workflowId)).filter((s) => s.type === 'deployReplica');
    const rollback = (await activitySteps(other.workflowId)).find(isRollbackOnVm1)!;
    const queuedAhead = busySteps.filter(
      (s) => s.scheduledAt < rollback.scheduledAt && s.startedAt > rollback.scheduledAt,
    );
    t.diagnostic(
      `pickup bound ${PICKUP}; busy replicas waited ${busySteps.map((s) => s.startedAt - s.scheduledAt).join(', ')} ms ` +
        `for a slot; the rollback waited ${rollback.startedAt - rollback.scheduledAt} ms behind ${queuedAhead.length} of them`,
    );
    assert.ok(
      busySteps.some((s) => s.startedAt - s.scheduledAt > 3_000),
      'a deploy step waited for a slot longer than the pickup bound',
    );
    assert.ok(queuedAhead.length > 0, 'deploy work was queued on vm1 before the rollback');
    for (const step of queuedAhead) {
      assert.ok(
        rollback.startedAt < step.startedAt,
        'the rollback started before deploy work queued ahead of it',
      );
    }
  });

  itReplaysEveryWorkflowItRan(env, 'busy-agent');

  interface Step {
    type: string;
    taskQueue: string;
    scheduledAt: number;
    startedAt: number;
  }

  function isRollbackOnVm1(step: Step): boolean {
    return step.type === 'rollbackDeployment' && step.taskQueue === 'graphium-host-vm1';
  }

  /** The activities of a workflow with when each was scheduled and picked up (Infinity: not yet). */
  async function activitySteps(workflowId: string): Promise<Step[]> {
    const history = await env.ctx.temporal.workflow.getHandle(workflowId).fetchHistory();
    const at = (event: temporal.api.history.v1.IHistoryEvent) =>
      Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
    const steps = new Map<string, Step>();
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled) {
        steps.set(String(event.eventId), {
          type: scheduled.activityType?.name ?? '',
          taskQueue: scheduled.taskQueue?.name ?? '',
          scheduledAt: at(event),
          startedAt: Number.POSITIVE_INFINITY,
        });
      }
      const started = event.activityTaskStartedEventAttributes;
      const step = started && steps.get(String(started.scheduledEventId));
      if (step) step.startedAt = at(event);
    }
    return [...steps.values()];
  }
});
