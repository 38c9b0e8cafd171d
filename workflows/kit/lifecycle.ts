import { ApplicationFailure } from '@temporalio/common';
import { CancellationScope, log, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ObservedContainer, SweepResult } from '../../activities/docker/types.js';
import { hostsKey, operationKey, stackKey, statusKey } from '../../contracts/search-attributes.js';
import { START_BINDING_PATCH } from '../../contracts/signed-work.js';
import type { DeploymentStatus } from '../../contracts/vocabulary.js';
import { control } from '../control.js';
import { isCancellation } from '../failures.js';
import type { StackOperationInput } from '../operation-types.js';
import { ProgressTracker } from '../progress.js';
import type { OperationProgress } from '../progress-types.js';
import { quickDockerStep } from '../timeouts.js';
import { HostLinks, type HostRouter } from './hosts.js';
import type { OperationType } from './operation-type.js';

// The start and end every stack operation shares: search attributes for the Temporal UI, the
// database record, and the progress tracker that the `progress` query reads.

/** What a type's workflow works with: its input, its progress, and its way to the hosts. */
export interface Operation<Options = unknown> {
  input: StackOperationInput<Options>;
  tracker: ProgressTracker;
  hosts: HostLinks;
}

/**
 * Runs a workflow type's body with everything every type shares (trackOperation below), and hosts
 * reached through the liveness watch: `runOperation(input, canary, (op) => …)`.
 */
export function runOperation<Options>(
  input: StackOperationInput<Options>,
  type: Pick<OperationType, 'name' | 'goalStates'>,
  body: (op: Operation<Options>) => Promise<OperationProgress>,
): Promise<OperationProgress> {
  const hosts = new HostLinks(input.pickupTimeout);
  return trackOperation(input, type, (tracker) => body({ input, tracker, hosts }), hosts);
}

/**
 * Runs an operation's body with the bookkeeping every operation shares. A cancellation that the
 * body does not handle itself still ends with a record: each host is looked at again (in a
 * non-cancellable scope) so the database matches Docker, and the deployment is marked cancelled.
 */
export async function trackOperation<Options>(
  input: StackOperationInput<Options>,
  type: Pick<OperationType, 'name' | 'goalStates'>,
  body: (tracker: ProgressTracker) => Promise<OperationProgress>,
  hosts: HostRouter,
): Promise<OperationProgress> {
  const operation = type.name;
  const tracker = new ProgressTracker(
    input.deploymentId,
    operation,
    input.stack,
    input.placements,
    type.goalStates,
  ).listen();
  upsertSearchAttributes([
    { key: stackKey, value: input.stack },
    { key: hostsKey, value: input.hostIds },
    { key: operationKey, value: operation },
    { key: statusKey, value: 'running' },
  ]);
  // Asked before the claim: a run recorded before the claim replays it without a marker, even when
  // its answer (none) arrives after the replay.
  const mustClaim = patched(START_BINDING_PATCH);
  let claimed = !mustClaim;
  try {
    await claimOperation(input, mustClaim);
    claimed = true;
    return await body(tracker);
  } catch (error) {
    // A run cancelled before it holds the row has nothing to record, and no right to the row.
    if (!claimed || !isCancellation(error) || tracker.status !== 'running') throw error;
    return CancellationScope.nonCancellable(async () => {
      tracker.setPhase('cancelled: checking what each host holds now');
      await syncObserved(input, await observeHosts(hosts, input, input.hostIds));
      await finishOperation(tracker, 'cancelled', 'cancelled on request');
      throw error;
    });
  }
}

/** The failure type of a run that found its deployment already claimed: it did nothing. */
export const OPERATION_NOT_CLAIMED = 'OperationNotClaimed';

/**
 * Takes the deployment row for this run before anything else. A run that loses it (a replayed or
 * second start of a signed input) stops here: no host is touched, and the row, which is another
 * run's, is not written. Runs recorded before the claim got no answer from this step.
 */
async function claimOperation(input: StackOperationInput<unknown>, mustClaim: boolean): Promise<void> {
  const { workflowId, runId } = workflowInfo();
  const claim = await control.operationStarted({
    deploymentId: input.deploymentId,
    workflowId,
    runId,
    hostIds: input.hostIds,
  });
  if (!mustClaim || claim?.claimed === true) return;
  const reason = claim?.reason ?? 'no answer from the claim';
  log.error('operation not claimed: it stops before any host, and leaves the deployment record alone', {
    deploymentId: input.deploymentId,
    reason,
  });
  upsertSearchAttributes([{ key: statusKey, value: 'failed' }]);
  throw ApplicationFailure.create({
    type: OPERATION_NOT_CLAIMED,
    nonRetryable: true,
    message: `operation not claimed, nothing done: ${reason}`,
  });
}

/** What each host holds of the stack right now (hosts that do not answer are left out). */
export function observeHosts(
  hosts: HostRouter,
  input: Pick<StackOperationInput, 'stack'>,
  hostIds: readonly string[],
): Promise<Map<string, PromiseSettledResult<Pick<SweepResult, 'remaining'>>>> {
  return onEveryHost(hostIds, async (hostId) => ({
    remaining: await hosts.run(hostId, quickDockerStep, (docker) =>
      docker.listStackContainers.executeWithOptions(
        { summary: `list containers of ${input.stack} on ${hostId}` },
        [{ stack: input.stack }],
      ),
    ),
  }));
}

/**
 * Records how the operation ended. Non-cancellable: a cancel that lands during this last write
 * must not leave the record behind the work that was in fact done.
 */
export function finishOperation(
  tracker: ProgressTracker,
  status: DeploymentStatus,
  error: string | null,
): Promise<OperationProgress> {
  return CancellationScope.nonCancellable(async () => {
    tracker.status = status;
    tracker.error = error;
    tracker.setPhase('finished');
    upsertSearchAttributes([{ key: statusKey, value: status }]);
    const snapshot = tracker.snapshot();
    await control.operationFinished({
      deploymentId: tracker.deploymentId,
      status,
      error,
      progress: snapshot.progress,
      containers: snapshot.containers,
    });
    return snapshot;
  });
}

/** Ends the workflow as failed (red in the Temporal UI) once the record says why. */
export function operationFailure(snapshot: OperationProgress): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'OperationFailed',
    nonRetryable: true,
    message: `${snapshot.operation} of stack ${snapshot.stack} ${snapshot.status.replace('_', ' ')}: ${snapshot.error}`,
    details: [snapshot],
  });
}

/** Records in the database what Docker reported on the hosts that answered. */
export async function syncObserved(
  input: Pick<StackOperationInput, 'stackId'>,
  results: Map<string, PromiseSettledResult<Pick<SweepResult, 'remaining'>>>,
): Promise<void> {
  const observed: { hostId: string; containers: ObservedContainer[] }[] = [];
  for (const [hostId, result] of results) {
    if (result.status === 'fulfilled') observed.push({ hostId, containers: result.value.remaining });
  }
  await control.syncPlacements({ stackId: input.stackId, observed });
}

/** Runs `step` on every host in parallel and keeps each host's outcome, success or failure. */
export async function onEveryHost<T>(
  hostIds: readonly string[],
  step: (hostId: string) => Promise<T>,
): Promise<Map<string, PromiseSettledResult<T>>> {
  const settled = await Promise.allSettled(hostIds.map(step));
  return new Map(hostIds.map((hostId, index) => [hostId, settled[index]!]));
}
