import type { ActivityOptions } from '@temporalio/common';
import { type ActivityInterfaceFor, CancellationScope } from '@temporalio/workflow';
import type { DockerActivities, SweepResult } from '../../activities/docker/index.js';
import type { ContainerState } from '../../contracts/vocabulary.js';
import { control } from '../control.js';
import { failuresByHost } from '../failures.js';
import type { OperationProgress } from '../progress-types.js';
import { urgentHostSweep } from '../timeouts.js';
import { finishOperation, type Operation, onEveryHost, operationFailure, syncObserved } from './lifecycle.js';

// Whole-stack steps on every host the stack could be on: each agent finds the stack's containers by
// label on its own daemon, so what the database believes never decides what is touched.

export type HostSweep = (
  docker: ActivityInterfaceFor<DockerActivities>,
  hostId: string,
  services: string[],
) => Promise<SweepResult>;

/**
 * Runs `sweep` on every host wave by wave (a wave's services on all hosts at once), records what
 * each host reports, and stops at the first wave a host failed. Ends the operation either way.
 */
export async function sweepInWaves(
  op: Operation,
  waves: string[][],
  sweep: HostSweep,
  preset: ActivityOptions = urgentHostSweep,
): Promise<OperationProgress> {
  const { input, tracker, hosts } = op;
  const failures: string[] = [];
  for (const [index, services] of waves.entries()) {
    tracker.setPhase(`${tracker.operation} wave ${index + 1} of ${waves.length}: ${services.join(', ')}`);
    const results = await onEveryHost(input.hostIds, (hostId) =>
      hosts.run(hostId, preset, (docker) => sweep(docker, hostId, services)),
    );
    recordStates(op, results);
    await syncObserved(input, results);
    failures.push(...failuresByHost(results));
    if (failures.length > 0) break;
  }
  if (failures.length > 0)
    throw operationFailure(await finishOperation(tracker, 'failed', failures.join('; ')));
  return finishOperation(tracker, 'succeeded', null);
}

/** What a sweep left on each host that answered, as each container's progress. */
function recordStates(op: Operation, results: Map<string, PromiseSettledResult<SweepResult>>) {
  for (const [hostId, result] of results) {
    if (result.status !== 'fulfilled') continue;
    const affected = new Set(result.value.affected);
    op.tracker.apply(
      result.value.remaining
        .filter((c) => affected.has(c.name))
        .map((c) => ({
          hostId,
          name: c.name,
          service: c.service,
          replica: c.replica,
          containerId: c.containerId,
          status: dockerStateToProgress(c.state),
        })),
    );
  }
}

function dockerStateToProgress(state: string): ContainerState {
  if (state === 'running') return 'running';
  if (state === 'exited' || state === 'created') return 'stopped';
  return 'failed';
}

/**
 * Removes the stack from every host it could have touched: every container with its label, its
 * networks and its files, checked gone on each host. Only when every host confirms is the stack
 * marked deleted (and a late cancellation no longer says otherwise).
 */
export async function removeEverywhere(
  op: Operation,
  options: { volumes: boolean } = { volumes: false },
): Promise<OperationProgress> {
  const { input, tracker, hosts } = op;
  tracker.setPhase(`removing containers on ${input.hostIds.length} hosts`);
  const results = await onEveryHost(input.hostIds, async (hostId) => {
    const result = await hosts.run(hostId, urgentHostSweep, (docker) =>
      docker.removeStack.executeWithOptions(
        { summary: `remove every container of ${input.stack} on ${hostId}` },
        // Without the option the request is what it always was, so recorded histories replay unchanged.
        [options.volumes ? { stack: input.stack, volumes: true } : { stack: input.stack }],
      ),
    );
    // Whatever this host held of the stack is gone now, whether or not the database knew of it.
    const known = tracker
      .list()
      .filter((c) => c.hostId === hostId)
      .map((c) => c.name);
    tracker.apply(
      [...new Set([...known, ...result.affected])].map((name) => ({
        hostId,
        name,
        status: 'removed' as const,
      })),
    );
    return result;
  });
  await syncObserved(input, results);
  const failures = failuresByHost(results);
  if (failures.length > 0) {
    const snapshot = await finishOperation(
      tracker,
      'failed',
      `stack not deleted everywhere: ${failures.join('; ')}`,
    );
    throw operationFailure(snapshot);
  }
  return CancellationScope.nonCancellable(async () => {
    await control.stackDeleted({ stackId: input.stackId });
    return finishOperation(tracker, 'succeeded', null);
  });
}
