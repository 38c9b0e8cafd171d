import { ActivityCancellationType, type ActivityOptions } from '@temporalio/common';
import { NON_RETRYABLE_DOCKER_ERRORS } from './errors.js';

// Every timeout, retry policy and priority of every activity, grouped by intent. Whether a host is
// offline is decided by its agent's liveness (workflows/kit/hosts.ts), not by these: workflows from
// before that add the operation's pickup bound as schedule-to-start per call (pickupRouter).

/**
 * A cancelled deploy waits until each Docker step it started has really finished (a create cannot
 * be interrupted), so the rollback that follows sees every container the deploy made.
 */
const waitForDockerStep = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;

const dockerRetry = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '15s',
  nonRetryableErrorTypes: NON_RETRYABLE_DOCKER_ERRORS,
};

/**
 * create/start/prepare/list: a daemon answers in seconds, but stopping a replaced container waits
 * its grace period and a loaded daemon is slow. The agent heartbeats every 5 s while a step runs,
 * so a dead agent is noticed in 20 s and the step retried, however long the step may take.
 */
export const quickDockerStep: ActivityOptions = {
  startToCloseTimeout: '5m',
  heartbeatTimeout: '20s',
  cancellationType: waitForDockerStep,
  retry: { ...dockerRetry, maximumAttempts: 5 },
};

/** Pulls may take minutes; heartbeats every progress event, so a stuck pull fails in 60 s, not 30 min. */
export const imagePull: ActivityOptions = {
  startToCloseTimeout: '30m',
  cancellationType: waitForDockerStep,
  heartbeatTimeout: '60s',
  retry: { ...dockerRetry, maximumAttempts: 3 },
};

/**
 * Builds: minutes of work, often silent for a long step. The agent heartbeats every 5 s with the
 * last line of output, so a dead agent is noticed in a minute; a failed build is final.
 */
export const imageBuild: ActivityOptions = {
  startToCloseTimeout: '60m',
  cancellationType: waitForDockerStep,
  heartbeatTimeout: '60s',
  retry: { ...dockerRetry, maximumAttempts: 2 },
};

/**
 * Waiting for health: the container's own verdict is final (non-retryable), only a lost agent
 * (no heartbeat for 15 s) is retried. The start-to-close bound is set per call from the healthcheck.
 */
export const healthWait: ActivityOptions = {
  startToCloseTimeout: '10m',
  cancellationType: waitForDockerStep,
  heartbeatTimeout: '15s',
  retry: { ...dockerRetry, maximumAttempts: 3 },
};

/** Whole-stack sweeps on one host (rollback, prune, delete, stop, start): many containers, heartbeating. */
export const hostSweep: ActivityOptions = {
  startToCloseTimeout: '10m',
  cancellationType: waitForDockerStep,
  heartbeatTimeout: '30s',
  retry: { ...dockerRetry, maximumAttempts: 10, maximumInterval: '30s' },
};

/**
 * Task priority (1 is the most urgent, 3 the default): work that puts a host back in order or takes
 * load off it (rollbacks, stops, deletes) overtakes deploy work queued on a busy agent.
 */
const URGENT = { priorityKey: 1 };

/** Rollback (compensation), stop and delete on one host: a host sweep that jumps the agent's queue. */
export const urgentHostSweep: ActivityOptions = { ...hostSweep, priority: URGENT };

/**
 * A reconcile's look at one host: a read that the next scheduled run repeats anyway, so it is
 * tried once, and an agent that stops heartbeating for 10 s (cut off, say) ends it at once. It
 * jumps the queue of a busy agent too: a reconcile holds the stack's lock while it looks.
 */
export const inventoryLook: ActivityOptions = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: '10s',
  cancellationType: waitForDockerStep,
  retry: { ...dockerRetry, maximumAttempts: 1 },
  priority: URGENT,
};

/**
 * One replica in one step (create, start, wait until ready, watch): bounded by the readiness wait
 * it carries plus five minutes for the rest (a replaced container's grace period, a loaded daemon).
 * The agent heartbeats every few seconds, so a dead agent is noticed in 20 s and the step retried;
 * the container's own verdict is final.
 */
export function replicaStep(readyAndWatchMs: number): ActivityOptions {
  return {
    startToCloseTimeout: readyAndWatchMs + 5 * 60_000,
    heartbeatTimeout: '20s',
    cancellationType: waitForDockerStep,
    retry: { ...dockerRetry, maximumAttempts: 5 },
  };
}

/**
 * A liveness check on the agent's own liveness queue: the agent answers at once when it polls, so
 * only the pickup bound (schedule-to-start, per call) matters; one attempt, the next check follows.
 */
export const livenessCheck: ActivityOptions = {
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 1 },
};

/**
 * Docker steps wait in a host's queue for a free slot of its agent as long as the agent is alive
 * (the liveness watch decides that); this bound is only a backstop against a watch that never runs.
 */
export const HOST_QUEUE_BACKSTOP = '2h';

/** Database writes by the orchestrator: keep trying through a database restart, they are idempotent. */
export const controlPlane: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
};

/**
 * The orchestrator starting operations itself (a reconcile per stack on schedule): a database
 * write and a workflow start per stack, so longer than one write; a failed run waits for the next.
 */
export const startOperations: ActivityOptions = {
  startToCloseTimeout: '5m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 3 },
};

/**
 * The bound on a `service_completed_successfully` dependency's run (a migration, a seed job):
 * Compose waits without end; a deploy must end, so it waits this long.
 */
export const COMPLETION_TIMEOUT_MS = 30 * 60_000;

/** The bound on waiting for readiness: Docker's own healthcheck schedule, plus a margin. */
/**
 * The longest readiness wait a replica may get when only its service's healthcheck is known: the
 * image may bring a healthcheck of its own, bounded as Docker's defaults would bound it.
 */
export function replicaReadinessBoundMs(healthcheck?: Parameters<typeof readinessTimeoutMs>[0]): number {
  return Math.max(readinessTimeoutMs(healthcheck), readinessTimeoutMs({ test: ['CMD', 'true'] }));
}

export function readinessTimeoutMs(healthcheck?: {
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}): number {
  if (!healthcheck || healthcheck.test[0] === 'NONE') return 120_000;
  const interval = healthcheck.intervalMs ?? 30_000;
  const timeout = healthcheck.timeoutMs ?? 30_000;
  const retries = healthcheck.retries ?? 3;
  return (healthcheck.startPeriodMs ?? 0) + (interval + timeout) * (retries + 1) + 30_000;
}
