import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostTaskQueue, LABEL_DEPLOYMENT, LABEL_STACK } from '../../contracts/vocabulary.js';
import { DaemonProbe } from '../harness/daemon.js';
import { type HeldLock, holdLock } from '../harness/db-locks.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { useFaultEnvironment } from '../harness/fault-env.js';
import {
  activityCompleted,
  activityFailed,
  activityScheduled,
  type Kill,
  type KillPoint,
  killAtPoints,
  untilClosed,
  workflowTaskCompleted,
} from '../harness/kill-points.js';
import { putStack, runOperation, startStackOperation } from '../harness/stack-ops.js';

// The orchestrator SIGKILLed at many points of a deploy and of its rollback, restarted each time:
// Temporal replays each workflow where it was, so the deploy ends as it would have, with the
// daemons and the database in step and nothing of a failed version left. Every wait follows the
// workflow's history (kill-points.ts): it fails when the history stands still, not at a set time,
// so a slow machine makes the file slower (10 min on a loaded two-core one), not red.

const STACK = 'okill';
/** Each healthcheck passes ~2 s after its container starts, so kills land while containers are awaited. */
const slowHealth = `healthcheck: { test: ["CMD-SHELL", "test -f /tmp/up || (sleep 2 && touch /tmp/up && false)"], interval: 1s, timeout: 5s, retries: 10 }`;

/** Three waves (a → b → c) of slow-to-be-healthy containers: each wave gives the test time to kill. */
function version(v: number, { failLast = false } = {}): string {
  const service = (name: string, dependsOn?: string, fail = false) => `
  ${name}:
    image: ${TEST_IMAGE}
    command: sleep 3600
    environment: { V: "${v}" }
    ${fail ? 'healthcheck: { test: ["CMD", "false"], interval: 1s, timeout: 2s, retries: 2 }' : slowHealth}
    stop_grace_period: 2s
    ${dependsOn ? `depends_on: { ${dependsOn}: { condition: service_healthy } }` : ''}
    deploy: { replicas: 3 }`;
  return `services:${service('a')}${service('b', 'a')}${service('c', 'b', failLast)}\n`;
}

describe('the orchestrator killed mid-operation', () => {
  const env = useFaultEnvironment({ name: 'okill', hosts: [{ zone: 'a' }, { zone: 'b' }, { zone: 'c' }] });
  const seed = Number(process.env.GRAPHIUM_FAULT_SEED ?? Date.now() % 1_000_000);
  const actions = {
    kill: () => env.orchestrator.kill(),
    restart: async () => {
      await env.startOrchestrator();
    },
  };
  /** A container of this deployment exists on some daemon. */
  const createdBy = (deploymentId: string, service: string) => async () => {
    for (const hostId of env.hostIds) {
      const probe = new DaemonProbe(env.daemonOf(hostId).socketPath);
      const found = await probe.containers({ [LABEL_STACK]: STACK, [LABEL_DEPLOYMENT]: deploymentId });
      if (found.some((c) => c.labels['io.graphium.service'] === service)) return true;
    }
    return false;
  };
  const distinct = (kills: Kill[]) => new Set(kills.map((k) => k.events)).size;

  it(`a deploy killed at every step completes, in step with the daemons (seed ${seed})`, async () => {
    await putStack(env.ctx.db, STACK, version(1));
    const first = await runOperation(env.ctx, STACK, 'deploy', { options: { settleMs: 300 } });
    assert.equal(first.deployment.status, 'succeeded', first.deployment.error ?? '');

    await putStack(env.ctx.db, STACK, version(2));
    const started = await startStackOperation(env.ctx, STACK, 'deploy', { options: { settleMs: 300 } });
    const handle = env.temporal.workflow.getHandle(started.workflowId);
    const points: KillPoint[] = [
      { name: 'the workflow began', reached: workflowTaskCompleted },
      // One deployReplica step per replica, three replicas per wave: the 1st, 4th and 7th open a wave.
      { name: 'wave 1 started', reached: activityScheduled('deployReplica', 1) },
      { name: 'wave 1 containers being made', reached: createdBy(started.id, 'a') },
      { name: 'wave 2 started', reached: activityScheduled('deployReplica', 4) },
      { name: 'wave 2 containers being made', reached: createdBy(started.id, 'b') },
      { name: 'wave 3 started', reached: activityScheduled('deployReplica', 7) },
      { name: 'wave 3 containers being made', reached: createdBy(started.id, 'c') },
      { name: 'commit: pruning the old version', reached: activityScheduled('pruneStack') },
      { name: 'recording the end', reached: activityScheduled('operationFinished') },
    ];
    const kills = await killAtPoints(env.temporal, handle, points, actions, { seed });
    console.log(`deploy kills (seed ${seed}): ${JSON.stringify(kills)}`);
    assert.ok(distinct(kills) >= 5, `killed at ${distinct(kills)} distinct points: ${JSON.stringify(kills)}`);
    // Bounded by the workflow's progress, not the clock (a hang fails with its last events).
    await untilClosed(env.temporal, handle);
    await handle.result();
    await env.assertEndState(STACK);
  });

  it(`a rollback killed at every step still restores the previous version (seed ${seed})`, async () => {
    await putStack(env.ctx.db, STACK, version(3, { failLast: true }));
    const started = await startStackOperation(env.ctx, STACK, 'deploy', { options: { settleMs: 300 } });
    const handle = env.temporal.workflow.getHandle(started.workflowId);
    // Frozen agents hold the rollback on their hosts, so each host's rollback is a point of its own.
    const freeze = (hostId: string) => {
      env.agents.get(hostId)!.child.kill('SIGSTOP');
    };
    const thaw = (hostId: string) => {
      env.agents.get(hostId)!.child.kill('SIGCONT');
    };
    let placementsLock: HeldLock | undefined;
    let finishLock: HeldLock | undefined;
    const points: KillPoint[] = [
      {
        name: 'a replica failed',
        reached: activityFailed('deployReplica'),
        whileDown: () => {
          freeze('vm2');
          freeze('vm3');
        },
      },
      { name: 'rollback sent to the hosts', reached: activityScheduled('rollbackDeployment') },
      {
        name: 'vm1 rolled back',
        reached: activityCompleted('rollbackDeployment', 1, hostTaskQueue('vm1')),
        afterRestart: () => thaw('vm2'),
      },
      {
        name: 'vm2 rolled back',
        reached: activityCompleted('rollbackDeployment', 1, hostTaskQueue('vm2')),
        // Writing what the hosts hold waits for this lock: the next point holds until it goes.
        whileDown: async () => {
          placementsLock = await holdLock(env.databaseUrl(), 'lock table placements in exclusive mode');
        },
        afterRestart: () => thaw('vm3'),
      },
      { name: 'vm3 rolled back', reached: activityCompleted('rollbackDeployment', 1, hostTaskQueue('vm3')) },
      {
        name: 'recording what the hosts hold',
        reached: activityScheduled('syncPlacements'),
        whileDown: async () => {
          finishLock = await holdLock(
            env.databaseUrl(),
            `select 1 from deployments where id = '${started.id}' for update`,
          );
          await placementsLock?.release();
        },
      },
      {
        name: 'recording the end',
        reached: activityScheduled('operationFinished'),
        whileDown: () => finishLock?.release(),
      },
    ];
    const kills = await killAtPoints(env.temporal, handle, points, actions, { seed: seed + 1 });
    console.log(`rollback kills (seed ${seed + 1}): ${JSON.stringify(kills)}`);
    assert.ok(distinct(kills) >= 5, `killed at ${distinct(kills)} distinct points: ${JSON.stringify(kills)}`);
    thaw('vm2');
    thaw('vm3');
    await placementsLock?.release();
    await finishLock?.release();
    await untilClosed(env.temporal, handle);
    await assert.rejects(handle.result());
    await env.assertEndState(STACK);
  });
});
