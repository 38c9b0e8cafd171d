import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import {
  type ActivityInterfaceFor,
  CancellationScope,
  condition,
  proxyActivities,
} from '@temporalio/workflow';
import type { DockerActivities, LivenessActivities } from '../../activities/docker/index.js';
import { hostLivenessQueue, hostTaskQueue } from '../../contracts/vocabulary.js';
import { parseDuration } from '../../stack/duration.js';
import { HOST_OFFLINE } from '../errors.js';
import { failureType, isCancellation } from '../failures.js';
import { HOST_QUEUE_BACKSTOP, livenessCheck } from '../timeouts.js';

// The one way workflows reach a host: Docker activities proxied onto the host's own queue. Whether
// the host is offline is decided by its agent's liveness, never by how long a step waited there for
// a free slot of a busy agent.

/** How a workflow runs a Docker step on a host, and which hosts its agents did work on. */
export interface HostRouter {
  /** Runs `step` with Docker activities bound to the host's queue and `preset`. */
  run<T>(
    hostId: string,
    preset: ActivityOptions,
    step: (docker: ActivityInterfaceFor<DockerActivities>) => Promise<T>,
  ): Promise<T>;
}

/**
 * Docker steps get no short schedule-to-start: they may wait for a slot as long as the agent lives.
 * While any step of a host is pending, one watch per host (shared by all of them, so the history
 * stays small) checks the agent on its liveness queue every `interval`: a check it does not pick up
 * within the pickup bound fails every pending step of that host as `HostOffline`, naming it.
 */
export class HostLinks implements HostRouter {
  private readonly watches = new Map<string, HostWatch>();
  private readonly pickupMs: number;
  private readonly intervalMs: number;
  /** Hosts where a step succeeded, or failed for another reason than the host being offline. */
  readonly reached = new Set<string>();
  /** Hosts found offline, with whether any step had reached them before. */
  readonly offline = new Set<string>();

  constructor(readonly pickupTimeout: string) {
    this.pickupMs = parseDuration(pickupTimeout) ?? 60_000;
    // A check per pickup bound, within limits: a dead agent is noticed about two bounds after it
    // died, and a long deploy checks each host at most once every 5 s (its history stays small).
    this.intervalMs = Math.min(60_000, Math.max(5_000, this.pickupMs));
  }

  /** The Docker activities of a host, without liveness: for callers that watch it themselves. */
  docker(hostId: string, preset: ActivityOptions): ActivityInterfaceFor<DockerActivities> {
    return proxyActivities<DockerActivities>({
      ...preset,
      taskQueue: hostTaskQueue(hostId),
      scheduleToStartTimeout: HOST_QUEUE_BACKSTOP,
    });
  }

  async run<T>(
    hostId: string,
    preset: ActivityOptions,
    step: (docker: ActivityInterfaceFor<DockerActivities>) => Promise<T>,
  ): Promise<T> {
    const watch = this.watchOf(hostId);
    const pending: PendingStep = { scope: new CancellationScope() };
    watch.pending.add(pending);
    this.ensureWatching(hostId, watch);
    try {
      const value = await Promise.race([
        pending.scope.run(() => step(this.docker(hostId, preset))),
        watch.lost,
      ]);
      this.reached.add(hostId);
      return value;
    } catch (error) {
      if (failureType(error) !== HOST_OFFLINE && !isCancellation(error)) this.reached.add(hostId);
      throw pending.offline ?? error;
    } finally {
      watch.pending.delete(pending);
    }
  }

  /** Hosts a rollback must visit: every host touched, except those that were offline from the start. */
  touchedHosts(): string[] {
    return [...this.watches.keys()].filter((h) => this.reached.has(h) || !this.offline.has(h)).sort();
  }

  private watchOf(hostId: string): HostWatch {
    let watch = this.watches.get(hostId);
    if (!watch) {
      watch = newWatch();
      this.watches.set(hostId, watch);
    }
    return watch;
  }

  private ensureWatching(hostId: string, watch: HostWatch): void {
    if (watch.running) return;
    watch.running = true;
    // Detached from the caller's scope: one step's cancellation must not stop the watch the
    // host's other steps (and the compensation that may follow) rely on. It ends with the last step.
    void CancellationScope.nonCancellable(() => this.watch(hostId, watch));
  }

  private async watch(hostId: string, watch: HostWatch): Promise<void> {
    const agent = proxyActivities<LivenessActivities>({
      ...livenessCheck,
      taskQueue: hostLivenessQueue(hostId),
      scheduleToStartTimeout: this.pickupTimeout,
    });
    while (watch.pending.size > 0) {
      if (Date.now() - watch.aliveAt >= this.intervalMs) {
        try {
          await agent.agentAlive.executeWithOptions({ summary: `is the agent of ${hostId} alive?` }, []);
          watch.aliveAt = Date.now();
        } catch (error) {
          // Any other failure (it died right after picking the check up) is decided by the next check.
          if (isPickupTimeout(error)) {
            this.declareOffline(hostId, watch);
            return;
          }
        }
      }
      await condition(() => watch.pending.size === 0, this.intervalMs);
    }
    // Set here, not in a `finally`: a step scheduled right after must see that it needs a new watch.
    watch.running = false;
  }

  private declareOffline(hostId: string, watch: HostWatch): void {
    this.offline.add(hostId);
    const failure = hostOffline(hostId, this.pickupTimeout);
    for (const pending of watch.pending) {
      pending.offline = failure;
      pending.scope.cancel();
    }
    watch.fail(failure);
    watch.running = false;
    // A later step on this host (the agent may come back) starts a fresh watch, checking at once.
    const fresh = newWatch();
    watch.lost = fresh.lost;
    watch.fail = fresh.fail;
    watch.aliveAt = Number.NEGATIVE_INFINITY;
  }
}

interface PendingStep {
  scope: CancellationScope;
  offline?: ApplicationFailure;
}

interface HostWatch {
  pending: Set<PendingStep>;
  running: boolean;
  aliveAt: number;
  /** Rejects when the host is found offline: every pending step races it. */
  lost: Promise<never>;
  fail: (failure: ApplicationFailure) => void;
}

function newWatch(): HostWatch {
  let fail!: (failure: ApplicationFailure) => void;
  const lost = new Promise<never>((_, reject) => {
    fail = reject;
  });
  // Nobody may be racing it when it rejects.
  lost.catch(() => {});
  return { pending: new Set(), running: false, aliveAt: Number.NEGATIVE_INFINITY, lost, fail };
}

export function hostOffline(hostId: string, pickupTimeout: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: HOST_OFFLINE,
    nonRetryable: true,
    message: `host ${hostId} is offline: its agent did not pick up work within ${pickupTimeout}`,
    details: [{ hostId }],
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
 * Workflows from before the liveness watch: the pickup bound is every Docker step's schedule-to-start
 * (so time spent waiting for a free slot counts), and its timeout becomes `HostOffline`. Kept so that
 * their runs in flight finish as they began.
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

/** Temporal never retries a schedule-to-start timeout, so the workflow says what it means. */
export async function onHost<T>(hostId: string, pickupTimeout: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isPickupTimeout(error)) throw hostOffline(hostId, pickupTimeout);
    throw error;
  }
}

/** The routing of workflows from before the liveness watch, as a HostRouter. */
export function pickupRouter(pickupTimeout: string): HostRouter {
  return {
    run: (hostId, preset, step) =>
      onHost(hostId, pickupTimeout, () => step(dockerOn(hostId, preset, pickupTimeout))),
  };
}
