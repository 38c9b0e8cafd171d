import { CancellationScope } from '@temporalio/workflow';
import { z } from 'zod';
import { control } from './control.js';
import { failuresByHost } from './failures.js';
import { dockerOn, onHost } from './host-routing.js';
import { defineOperation } from './kit/operation-type.js';
import {
  finishOperation,
  onEveryHost,
  operationFailure,
  syncObserved,
  trackOperation,
} from './operation-lifecycle.js';
import type { StackOperationInput } from './operation-types.js';
import type { ProgressTracker } from './progress.js';
import type { OperationProgress } from './progress-types.js';
import { hostSweep } from './timeouts.js';

/**
 * Deletes a stack from every host it could have touched. Each host's agent finds the containers
 * by the stack's label (not by what the database remembers), removes them and the stack's
 * networks, and checks nothing is left. The stack is marked deleted only when every host confirms.
 * Its volumes and data directories stay unless the `volumes` option asks for them.
 */
export async function deleteStackWorkflow(
  input: StackOperationInput<DeleteOptions>,
): Promise<OperationProgress> {
  return trackOperation(input, remove, (tracker) => deleteEverywhere(input, tracker));
}

const deleteOptions = z.strictObject({
  volumes: z
    .boolean()
    .optional()
    .describe("Also remove the stack's volumes and data directories on every host (`--volumes`)."),
});
type DeleteOptions = z.output<typeof deleteOptions>;

export const remove = defineOperation({
  name: 'delete',
  description:
    'Remove every container and network of the stack from every host, then the stack itself; its volumes only with `volumes`.',
  role: 'deployer',
  options: deleteOptions,
  actions: {},
  placesVersion: false,
  goalStates: ['removed'],
  workflow: deleteStackWorkflow,
});

async function deleteEverywhere(
  input: StackOperationInput<DeleteOptions>,
  tracker: ProgressTracker,
): Promise<OperationProgress> {
  tracker.setPhase(`removing containers on ${input.hostIds.length} hosts`);
  const results = await onEveryHost(input.hostIds, async (hostId) => {
    const result = await onHost(hostId, input.pickupTimeout, () =>
      dockerOn(hostId, hostSweep, input.pickupTimeout).removeStack.executeWithOptions(
        { summary: `remove every container of ${input.stack} on ${hostId}` },
        // Without the option the request is what it always was, so runs in flight replay unchanged.
        [input.options?.volumes ? { stack: input.stack, volumes: true } : { stack: input.stack }],
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
