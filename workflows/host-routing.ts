import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import { type ActivityInterfaceFor, proxyActivities } from '@temporalio/workflow';
import type { DockerActivities } from '../activities/docker/index.js';
import { hostTaskQueue } from '../contracts/vocabulary.js';
import { HOST_OFFLINE } from './errors.js';

/**
 * The one way workflows reach a host: Docker activities proxied onto that host's own queue, with
 * `pickupTimeout` as the schedule-to-start bound that decides when the host counts as offline.
 */
export function dockerOn(
  hostId: string,
  preset: ActivityOptions,
  pickupTimeout: string,
): ActivityInterfaceFor<DockerActivities> {
  return proxyActivities<DockerActivities>({
    ...preset,
    taskQueue: hostTaskQueue(hostId),
    scheduleToStartTimeout: pickupTimeout,
  });
}

export function isPickupTimeout(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof TimeoutFailure &&
    error.cause.timeoutType === TimeoutType.SCHEDULE_TO_START
  );
}

/**
 * Temporal never retries a schedule-to-start timeout, so the workflow decides what it means: the
 * host's agent is not polling. The failure names the host so the deployment's error says where.
 */
export async function onHost<T>(hostId: string, pickupTimeout: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isPickupTimeout(error)) {
      throw ApplicationFailure.create({
        type: HOST_OFFLINE,
        nonRetryable: true,
        message: `host ${hostId} is offline: its agent did not pick up work within ${pickupTimeout}`,
        details: [{ hostId }],
      });
    }
    throw error;
  }
}
