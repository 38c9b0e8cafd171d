import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

// The banner promises a working system, so it waits for what a user's first deploy needs: the API
// answering, and Temporal seeing this very process poll the orchestrator's and the agent's queues.

// @temporalio/proto is CommonJS without static named exports.
const { TaskQueueType, TaskQueueKind } = proto.temporal.api.enums.v1;

const POLL_MS = 250;

async function until<T>(what: string, signal: AbortSignal, probe: () => Promise<T | undefined>): Promise<T> {
  while (!signal.aborted) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
  const timedOut = (signal.reason as Error | undefined)?.name === 'TimeoutError';
  throw new Error(`${timedOut ? 'timed out' : 'stopped'} waiting for ${what}`);
}

export function waitForApi(baseUrl: string, signal: AbortSignal): Promise<true> {
  return until('the API', signal, async () => {
    const response = await fetch(`${baseUrl}/api/v1/healthz`, { signal });
    return response.ok ? true : undefined;
  });
}

/**
 * Resolves once a worker of this process polls `taskQueue`. Workers name themselves after the pid
 * and host (`4242@laptop`, `agent:local@laptop:4242`); pollers of an earlier run stay listed for
 * minutes, so "someone polls" would be true too early after a restart.
 */
export function waitForOwnPoller(
  temporal: Client,
  namespace: string,
  taskQueue: string,
  kind: 'workflow' | 'activity',
  signal: AbortSignal,
): Promise<true> {
  const pid = new RegExp(`(^|\\D)${process.pid}(\\D|$)`);
  const host = hostname();
  return until(`a poller on ${taskQueue}`, signal, async () => {
    const response = await temporal.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType:
        kind === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    const ours = (response.pollers ?? []).some(
      ({ identity }) => identity?.includes(host) && pid.test(identity),
    );
    return ours ? true : undefined;
  });
}
