import { CancellationScope } from '@temporalio/workflow';
import { control } from './control.js';
import { failuresByHost } from './failures.js';
import { dockerOn, onHost, pickupRouter } from './kit/hosts.js';
import {
  finishOperation,
  onEveryHost,
  operationFailure,
  syncObserved,
  trackOperation,
} from './kit/lifecycle.js';
import type { StackOperationInput } from './operation-types.js';
import type { ProgressTracker } from './progress.js';
import type { OperationProgress } from './progress-types.js';
import { hostSweep } from './timeouts.js';

/**
 * FROZEN: the `delete` type runs deleteWorkflow (workflows/operations/delete.ts) now. This one stays,
 * unchanged, only so that runs started before finish and their recorded histories replay.
 *
 * Deletes a stack from every host it could have touched. Each host's agent finds the containers
 * by the stack's label (not by what the database remembers), removes them and the stack's
 * networks, and checks nothing is left. The stack is marked deleted only when every host confirms.
 */
export async function deleteStackWorkflow(input: StackOperationInput): Promise<OperationProgress> {
  return trackOperation(
    input,
    { name: 'delete', goalStates: ['removed'] },
    (tracker) => deleteEverywhere(input, tracker),
    pickupRouter(input.pickupTimeout),
  );
}

async function deleteEverywhere(
  input: StackOperationInput,
  tracker: ProgressTracker,
): Promise<OperationProgress> {
  tracker.setPhase(`removing containers on ${input.hostIds.length} hosts`);
  const results = await onEveryHost(input.hostIds, async (hostId) => {
    const result = await onHost(hostId, input.pickupTimeout, () =>
      dockerOn(hostId, hostSweep, input.pickupTimeout).removeStack.executeWithOptions(
        { summary: `remove every container of ${input.stack} on ${hostId}` },
        [{ stack: input.stack }],
      ),
    );
    // Whatever this host held of the stack is gone now, whether or not the database knew of it.
    const known = new Set(
      tracker
        .list()
        .filter((c) => c.hostId === hostId)
        .map((c) => c.name),
    );
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
  // Every host confirmed: the delete is done, and a late cancellation must not say otherwise.
  return CancellationScope.nonCancellable(async () => {
    await control.stackDeleted({ stackId: input.stackId });
    return finishOperation(tracker, 'succeeded', null);
  });
}
